CREATE INDEX "conversation_reads_conversation" ON "conversation_reads" USING btree ("conversation_id");--> statement-breakpoint
CREATE INDEX "recordings_conversation" ON "recordings" USING btree ("conversation_id");--> statement-breakpoint
CREATE INDEX "recordings_message" ON "recordings" USING btree ("message_id");--> statement-breakpoint
CREATE INDEX "bot_decisions_message" ON "bot_decisions" USING btree ("message_id");