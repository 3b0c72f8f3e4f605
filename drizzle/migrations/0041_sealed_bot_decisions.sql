-- The bot's stored decisions (issue 22): confidence and candidates (which articles came close to what the person asked,
-- and how close) move into "scores", sealed with the conversation contact's data key (server/bot/decision-scores.ts),
-- so that erasure, which destroys the key, leaves them unreadable in every backup. The key lives outside the database,
-- so the rows written before are sealed by `npm run privacy:encrypt-existing`, not here; until then they read as they
-- are. Action and reason stay plain: a fixed vocabulary that analytics groups by (migration 0006's triggers).
ALTER TABLE "bot_decisions" ADD COLUMN "scores" text;
