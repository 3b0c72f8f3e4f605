ALTER TABLE "retention_policies" ADD COLUMN "previous_enabled" boolean;--> statement-breakpoint
ALTER TABLE "retention_policies" ADD COLUMN "previous_retain_days" integer;--> statement-breakpoint
ALTER TABLE "retention_policies" ADD COLUMN "takes_effect_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "retention_policies" ADD CONSTRAINT "retention_policies_pending" CHECK (("retention_policies"."takes_effect_at" is null) = ("retention_policies"."previous_enabled" is null)
        and ("retention_policies"."takes_effect_at" is null) = ("retention_policies"."previous_retain_days" is null));