import { eq, isNull } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { agents, conversations } from '../../drizzle/schema/index.ts';
import type { DomainEventBus } from './events.ts';
import { canSee, visibleInboxIds } from './scope.ts';

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The agents an internal note mentions: "@" followed by an agent's display name (as the composer's autocomplete
 * writes it, any case), ending at a non-letter. A longer name wins over a shorter one it starts with ("@Sam Rivera"
 * over "@Sam"). Pure, so the rule is tested on its own.
 */
export function mentionedAgentIds(text: string, candidates: Array<{ id: string; name: string }>): string[] {
  const byLength = [...candidates].sort((a, b) => b.name.length - a.name.length);
  const found = new Set<string>();
  let rest = text;
  for (const agent of byLength) {
    const name = agent.name.trim();
    if (!name) continue;
    const pattern = new RegExp(`(^|[^\\p{L}\\p{N}_])@${escapeRegExp(name)}(?![\\p{L}\\p{N}_])`, 'giu');
    if (!pattern.test(rest)) continue;
    found.add(agent.id);
    // A shorter name inside this mention must not count as a mention of its own.
    rest = rest.replace(pattern, '$1');
  }
  return [...found];
}

/**
 * After a note is committed: tells each mentioned agent who can see the conversation (never the author), through
 * their own realtime room. Nothing is stored: the note itself is the record.
 */
export async function notifyMentions(
  deps: { db: Db; events: Pick<DomainEventBus, 'publish'> },
  note: { conversationId: string; messageId: string; text: string; author: { id: string; name: string } },
): Promise<string[]> {
  if (!note.text.includes('@')) return [];
  const candidates = await deps.db
    .select({ id: agents.id, name: agents.name })
    .from(agents)
    .where(isNull(agents.disabledAt));
  const ids = mentionedAgentIds(note.text, candidates).filter((id) => id !== note.author.id);
  if (ids.length === 0) return [];
  const [conversation] = await deps.db
    .select({ inboxId: conversations.inboxId })
    .from(conversations)
    .where(eq(conversations.id, note.conversationId));
  if (!conversation) return [];
  const audience: string[] = [];
  for (const id of ids) if (canSee(await visibleInboxIds(deps.db, id), conversation.inboxId)) audience.push(id);
  if (audience.length)
    deps.events.publish('agent.mentioned', {
      agentIds: audience,
      conversationId: note.conversationId,
      messageId: note.messageId,
      by: { id: note.author.id, name: note.author.name },
    });
  return audience;
}
