import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from 'typebox';
import { and, eq, inArray } from 'drizzle-orm';
import { inboxes } from '../../drizzle/schema/index.ts';
import { appendAudit, errors, IdParams, LocaleSchema, notFound, type ChannelPort } from '../../server/channel-port.ts';
import { isLocale } from '../../web/i18n/index.ts';
import { randomUUID } from 'node:crypto';
import { TWILIO_SECRET_PATHS, type TwilioAccounts } from './accounts.ts';
import type { TwilioConfig } from './config.ts';

const tags = ['twilio'];
const E164 = Type.String({ pattern: '^\\+[1-9][0-9]{6,14}$', description: 'E.164, e.g. +15550100000' });
const AccountSid = Type.String({ pattern: '^AC[0-9a-f]{32}$' });

const TwilioInboxView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  channel: Type.Union([Type.Literal('sms'), Type.Literal('voice')]),
  phoneNumber: Type.Union([Type.String(), Type.Null()]),
  accountSid: Type.Union([Type.String(), Type.Null()]),
  /** Where the auth token comes from; the token itself is never returned. */
  authToken: Type.Union([Type.Literal('inbox'), Type.Literal('env'), Type.Literal('missing')]),
  /** True when webhooks can be verified and replies sent. */
  ready: Type.Boolean(),
  /** The number sends MMS: agents' images go as pictures (MediaUrl); otherwise every file goes as a signed link. */
  mms: Type.Boolean(),
  /** The number's language (HELP answer, call announcement); null: the conversation's language decides. */
  language: Type.Union([LocaleSchema, Type.Null()]),
  voice: Type.Union([Type.String(), Type.Null()]),
  /** What to paste into the Twilio console for this number. */
  webhooks: Type.Record(Type.String(), Type.String()),
});
type TwilioInboxView = Static<typeof TwilioInboxView>;

const Settings = Type.Object({
  phoneNumber: Type.Optional(E164),
  accountSid: Type.Optional(Type.Union([AccountSid, Type.Null()])),
  authToken: Type.Optional(Type.Union([Type.String({ minLength: 16, maxLength: 128 }), Type.Null()])),
  recordingAnnouncement: Type.Optional(Type.Union([Type.String({ maxLength: 1000 }), Type.Null()])),
  helpText: Type.Optional(Type.Union([Type.String({ maxLength: 320 }), Type.Null()])),
  mms: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
  /** The number's language: STOP/HELP answers and the call announcement (null: the conversation's). */
  language: Type.Optional(Type.Union([LocaleSchema, Type.Null()])),
  /** A TwiML voice (e.g. "Polly.Marlene"); null: the language's default voice. */
  voice: Type.Optional(Type.Union([Type.String({ pattern: '^[A-Za-z0-9.-]{1,60}$' }), Type.Null()])),
});

/**
 * Admins configure Twilio numbers: one sms or voice inbox per number and channel. The auth token may be
 * stored on the inbox (for a second account) or come from TWILIO_AUTH_TOKEN; it is never returned.
 */
export const twilioInboxRoutes =
  ({
    port,
    config,
    accounts,
  }: {
    port: ChannelPort;
    config: TwilioConfig;
    accounts: TwilioAccounts;
  }): FastifyPluginAsyncTypebox =>
  async (app) => {
    const view = (row: typeof inboxes.$inferSelect): TwilioInboxView => {
      const s = row.settings as Record<string, unknown>;
      const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
      const accountSid = str(s.accountSid) ?? config.accountSid ?? null;
      const authToken = str(s.authToken) ? 'inbox' : config.authToken ? 'env' : 'missing';
      const phoneNumber = str(s.phoneNumber) ?? str(s.number);
      const base = `${port.publicUrl}/api/twilio/${row.id}`;
      const channel = row.channel as 'sms' | 'voice';
      const webhooks: Record<string, string> =
        channel === 'sms'
          ? { incomingMessage: `${base}/sms`, statusCallback: `${base}/status` }
          : {
              incomingCall: `${base}/voice`,
              recordingStatusCallback: `${base}/voice/recording`,
              afterRecording: `${base}/voice/recorded`,
              smsReplyStatusCallback: `${base}/status`,
            };
      return {
        id: row.id,
        name: row.name,
        channel,
        phoneNumber,
        accountSid,
        authToken,
        ready: Boolean(accountSid && authToken !== 'missing' && phoneNumber),
        mms: s.mms === true,
        language: isLocale(s.language) ? s.language : null,
        voice: str(s.voice),
        webhooks,
      };
    };
    const merge = (current: Record<string, unknown>, patch: Static<typeof Settings>) => {
      const next = { ...current };
      for (const [key, value] of Object.entries(patch)) {
        if (value === undefined) continue;
        if (value === null) delete next[key];
        else next[key] = value;
      }
      return next;
    };

    app.get(
      '/inboxes',
      {
        config: { access: 'admin' },
        schema: {
          tags,
          summary: 'SMS and voice inboxes with their Twilio numbers and the webhook URLs to configure',
          response: { 200: Type.Object({ items: Type.Array(TwilioInboxView) }), ...errors(401, 403) },
        },
      },
      async () => ({
        items: (
          await port.db
            .select()
            .from(inboxes)
            .where(inArray(inboxes.channel, ['sms', 'voice']))
            .orderBy(inboxes.createdAt)
        ).map(view),
      }),
    );

    app.post(
      '/inboxes',
      {
        config: { access: 'admin' },
        schema: {
          tags,
          summary: 'Connect a Twilio number as an SMS or voice inbox',
          body: Type.Intersect([
            Type.Object({
              name: Type.String({ minLength: 1, maxLength: 100 }),
              channel: Type.Union([Type.Literal('sms'), Type.Literal('voice')]),
              phoneNumber: E164,
            }),
            Settings,
          ]),
          response: { 201: Type.Object({ inbox: TwilioInboxView }), ...errors(400, 401, 403) },
        },
      },
      async (request, reply) => {
        const { name, channel, ...settings } = request.body;
        // The id is chosen here: a stored auth token is sealed bound to it.
        const id = randomUUID();
        const sealed = port.secrets.seal(id, merge({}, settings), TWILIO_SECRET_PATHS);
        const row = await port.db.transaction(async (tx) => {
          const [created] = await tx.insert(inboxes).values({ id, name, channel, settings: sealed }).returning();
          await appendAudit(tx, {
            actorKind: 'agent',
            actorId: port.currentAgentId(request),
            action: 'inbox.created',
            targetType: 'inbox',
            targetId: created!.id,
            details: { channel, fields: Object.keys(settings) },
          });
          return created!;
        });
        port.inboxNames.forget(row.id);
        return reply.status(201).send({ inbox: view(row) });
      },
    );

    app.patch(
      '/inboxes/:id',
      {
        config: { access: 'admin' },
        schema: {
          tags,
          summary: 'Change a Twilio inbox: number, account, token (null removes a setting)',
          params: IdParams,
          body: Type.Intersect([
            Type.Object({ name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })) }),
            Settings,
          ]),
          response: { 200: Type.Object({ inbox: TwilioInboxView }), ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => {
        const { name, ...settings } = request.body;
        const row = await port.db.transaction(async (tx) => {
          const [current] = await tx
            .select()
            .from(inboxes)
            .where(and(eq(inboxes.id, request.params.id), inArray(inboxes.channel, ['sms', 'voice'])));
          if (!current) throw notFound('Twilio inbox');
          const [updated] = await tx
            .update(inboxes)
            .set({
              ...(name ? { name } : {}),
              // A new token arrives in plain text and is sealed; one kept from before is sealed already.
              settings: port.secrets.seal(current.id, merge(current.settings, settings), TWILIO_SECRET_PATHS),
            })
            .where(eq(inboxes.id, current.id))
            .returning();
          // Field names only: the token's value never reaches the audit log.
          await appendAudit(tx, {
            actorKind: 'agent',
            actorId: port.currentAgentId(request),
            action: 'inbox.updated',
            targetType: 'inbox',
            targetId: current.id,
            details: { fields: Object.keys(request.body) },
          });
          return updated!;
        });
        accounts.forget(row.id);
        port.inboxNames.forget(row.id);
        return { inbox: view(row) };
      },
    );
  };
