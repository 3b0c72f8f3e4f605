import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { preparedStatement } from '../db/statements.ts';
import type { InboundMessage } from '../../channels/types.ts';

const p = sql.placeholder;

/**
 * The sender and the others a message went to become participants of its conversation, each an identity of a
 * contact (a new contact for an address never seen). Idempotent (a replay records nothing new), so it runs after
 * the message's commit, and again on the channel's re-delivery should the server stop in between, as attachments
 * do: the hot path (one ingest statement) stays as it is for channels without participants.
 * Two messages naming the same new address at once race on the identity's unique key: the loser's statement
 * fails as a whole (no contact left without its identity) and is run again, then finding the winner's identity.
 */
const participantsStatement = preparedStatement<{ n: number }>(sql`
  with input as (
    select t.kind::identity_kind as kind, t.address, t.name, t.role::participant_role as role
    from unnest((select ${p('kinds')}::text[]), (select ${p('addresses')}::text[]), (select ${p('names')}::text[]),
      (select ${p('roles')}::text[])) as t(kind, address, name, role)
  ), known as (
    select input.kind, input.address, i.id from input
      join contact_identities i on i.kind = input.kind and i.address = input.address
  ), planned as (
    select distinct on (input.kind, input.address) input.kind, input.address, input.name,
      gen_random_uuid() as contact_id, gen_random_uuid() as id
    from input where not exists (select 1 from known k where k.kind = input.kind and k.address = input.address)
  ), new_contact as (
    insert into contacts (id, name, email, phone)
    select contact_id, name, case when kind = 'email' then address end, case when kind = 'phone' then address end
    from planned
  ), new_identity as (
    insert into contact_identities (id, contact_id, kind, address) select id, contact_id, kind, address from planned
  ), created_audit as (
    -- A contact created for an address seen in To/Cc is audited like one created by ingest (issue 21); adding the
    -- participant itself is audited by the database (0035_audit_files_participants.sql).
    insert into audit_staged (actor_kind, actor_id, action, target_type, target_id, details)
    select 'system', null, 'contact.created', 'contact', contact_id::text,
      jsonb_build_object('process', 'ingest', 'contactId', contact_id, 'identityId', id,
        'fields', to_jsonb(array_remove(array[case when name is not null then 'name' end,
          case when kind = 'email' then 'email' when kind = 'phone' then 'phone' end,
          'identity.' || kind::text], null)))
    from planned
  ), added as (
    insert into conversation_participants (conversation_id, identity_id, role)
    select distinct ${p('conversationId')}::uuid, coalesce(k.id, pl.id), input.role from input
      left join known k on k.kind = input.kind and k.address = input.address
      left join planned pl on pl.kind = input.kind and pl.address = input.address
    on conflict do nothing
    returning 1
  )
  select count(*)::int as n from added`);

const UNIQUE_VIOLATION = '23505';

/** Records the message's sender ('from') and msg.participants on the conversation. */
export async function recordParticipants(db: Db, conversationId: string, msg: InboundMessage): Promise<void> {
  const all = [{ ...msg.sender, role: 'from' as const }, ...(msg.participants ?? [])];
  const values = {
    conversationId,
    kinds: all.map((a) => a.kind),
    addresses: all.map((a) => a.address),
    names: all.map((a) => a.name ?? null),
    roles: all.map((a) => a.role),
  };
  for (let attempt = 0; ; attempt++) {
    try {
      await participantsStatement(db, values);
      return;
    } catch (err) {
      const code = (err as { code?: string }).code ?? (err as { cause?: { code?: string } }).cause?.code;
      if (attempt < 3 && code === UNIQUE_VIOLATION) continue;
      throw err;
    }
  }
}
