import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { preparedStatement } from '../db/statements.ts';
import type { InboundMessage } from '../../channels/types.ts';
import { knownPlan, planSenders, settlePlans, type Address, type SenderPlan } from './identity-lookup.ts';
import { tokenOfAddress } from './identity-address.ts';

const p = sql.placeholder;

/**
 * The sender and the others a message went to become participants of its conversation, each an identity of a
 * contact (a new contact for an address never seen). Idempotent (a replay records nothing new), so it runs after
 * the message's commit, and again on the channel's re-delivery should the server stop in between, as attachments
 * do: the hot path (one ingest statement) stays as it is for channels without participants.
 * Two messages naming the same new address at once race on the identity's unique key: the loser's statement
 * fails as a whole (no contact left without its identity) and is run again, then finding the winner's identity.
 */
const participantsStatement = preparedStatement<{ n: number; created: string[] | null }>(sql`
  with input as (
    select t.kind::identity_kind as kind, t.address, t.token, t.new_contact_id, t.new_identity_id, t.sealed_address,
      t.member_token, t.name, t.email, t.phone, t.name_tokens, t.email_tokens, t.phone_tokens,
      t.role::participant_role as role
    from unnest((select ${p('kinds')}::text[]), (select ${p('addresses')}::text[]), (select ${p('tokens')}::text[]),
      (select ${p('newContactIds')}::uuid[]), (select ${p('newIdentityIds')}::uuid[]),
      (select ${p('sealedAddresses')}::text[]), (select ${p('memberTokens')}::text[]), (select ${p('names')}::text[]),
      (select ${p('emails')}::text[]), (select ${p('phones')}::text[]), (select ${p('nameTokens')}::text[]),
      (select ${p('emailTokens')}::text[]), (select ${p('phoneTokens')}::text[]), (select ${p('roles')}::text[]))
      as t(kind, address, token, new_contact_id, new_identity_id, sealed_address, member_token, name, email, phone,
        name_tokens, email_tokens, phone_tokens, role)
  ), known as (
    select input.kind, input.token, i.id from input
      join contact_identities i on i.kind = input.kind and i.address_token = input.token
  ), planned as (
    -- Ids, token and sealed address planned in JS (identity-lookup.ts planSenders), the data key already durable.
    select distinct on (input.new_identity_id) input.kind, input.address, input.token, input.name, input.email,
      input.phone, input.name_tokens, input.email_tokens, input.phone_tokens,
      input.new_contact_id as contact_id, input.new_identity_id as id, input.sealed_address, input.member_token
    from input where input.new_contact_id is not null
      and not exists (select 1 from known k where k.kind = input.kind and k.token = input.token)
  ), new_contact as (
    -- The fields sealed when planned (contact-fields.ts): no plain name, email or phone is stored.
    insert into contacts (id, sealed_name, sealed_email, sealed_phone, name_tokens, email_tokens, phone_tokens)
    select contact_id, name, email, phone, string_to_array(name_tokens, ' '), string_to_array(email_tokens, ' '),
      string_to_array(phone_tokens, ' ') from planned
  ), new_identity as (
    insert into contact_identities (id, contact_id, kind, address_token, sealed_address, member_token)
    select id, contact_id, kind, token, sealed_address, member_token from planned
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
      left join known k on k.kind = input.kind and k.token = input.token
      left join planned pl on pl.kind = input.kind and pl.token = input.token
    on conflict do nothing
    returning 1
  )
  select (select count(*)::int from added) as n, (select array_agg(contact_id) from planned) as created`);

const UNIQUE_VIOLATION = '23505';

type Participant = Address & { name?: string; role: 'from' | 'to' | 'cc' };

const everyone = (msg: InboundMessage): Participant[] => [
  { ...msg.sender, role: 'from' as const },
  ...(msg.participants ?? []),
];

/**
 * The To/Cc participants' plans (identity-lookup.ts), made BEFORE the message's statement: a new address's data key
 * is written then, so the message and its participants commit one statement apart, as before encryption.
 */
export async function planParticipants(db: Db, msg: InboundMessage): Promise<SenderPlan[]> {
  return planSenders(db, msg.participants ?? [], { lookUp: true });
}

/**
 * The sender's plan. A message ingest stored names its sender's identity (by token only, no look-up). A replay
 * stored nothing: its sender may be another address than the stored message's (one Message-ID saved twice with two
 * From lines) and is found, or planned as new, like any participant.
 */
async function planSender(db: Db, msg: InboundMessage, senderStored: boolean): Promise<SenderPlan> {
  if (!senderStored) return (await planSenders(db, [msg.sender], { lookUp: true }))[0]!;
  const token = tokenOfAddress(db, msg.sender.kind, msg.sender.address);
  return knownPlan(token);
}

/**
 * Records the message's sender ('from') and msg.participants on the conversation. `planned` are planParticipants'
 * plans (settled here); `senderStored` says whether ingest stored this message (false for a replay).
 */
export async function recordParticipants(
  db: Db,
  conversationId: string,
  msg: InboundMessage,
  planned: SenderPlan[] | null,
  senderStored: boolean,
): Promise<void> {
  const all = everyone(msg);
  for (let attempt = 0; ; attempt++) {
    // Planned again after a lost race: the winner's identity is known then.
    const plans =
      attempt === 0 && planned
        ? [await planSender(db, msg, senderStored), ...planned]
        : await planSenders(db, all, { lookUp: true });
    let created = new Set<string>();
    try {
      const [row] = await participantsStatement(db, {
        conversationId,
        kinds: all.map((a) => a.kind),
        addresses: all.map((a) => a.address),
        tokens: plans.map((pl) => pl.token),
        newContactIds: plans.map((pl) => pl.newContactId),
        newIdentityIds: plans.map((pl) => pl.newIdentityId),
        sealedAddresses: plans.map((pl) => pl.sealedAddress),
        memberTokens: plans.map((pl) => pl.memberToken),
        names: plans.map((pl) => pl.sealedName),
        emails: plans.map((pl) => pl.sealedEmail),
        phones: plans.map((pl) => pl.sealedPhone),
        nameTokens: plans.map((pl) => pl.nameTokens),
        emailTokens: plans.map((pl) => pl.emailTokens),
        phoneTokens: plans.map((pl) => pl.phoneTokens),
        roles: all.map((a) => a.role),
      });
      created = new Set(row?.created ?? []);
      return;
    } catch (err) {
      const code = (err as { code?: string }).code ?? (err as { cause?: { code?: string } }).cause?.code;
      if (attempt < 3 && code === UNIQUE_VIOLATION) continue;
      throw err;
    } finally {
      await settlePlans(db, all, plans, created);
    }
  }
}
