import { Type, type Static } from 'typebox';
import { ChannelKindSchema, ContactRef, ConversationStatusSchema, ConversationView } from '../views.ts';

const Uuid = Type.String({ format: 'uuid' });
const Iso = Type.String({ format: 'date-time' });

/** A conversation in the trash as admins list it: where it was, who deleted it, and when it is purged. */
export const TrashItemView = Type.Object({
  id: Uuid,
  inbox: Type.Object({ id: Uuid, name: Type.String() }),
  channel: ChannelKindSchema,
  status: ConversationStatusSchema,
  subject: Type.Union([Type.String(), Type.Null()]),
  contact: ContactRef,
  lastMessageAt: Iso,
  /** Messages (not notes or timeline events) it holds. */
  messageCount: Type.Integer(),
  deletedAt: Iso,
  /** The agent who deleted it; null once that agent is deleted. */
  deletedBy: Type.Union([Type.Object({ id: Uuid, name: Type.String() }), Type.Null()]),
  /** When the retention sweep deletes it for good (deletedAt + TRASH_RETAIN_DAYS as configured then). */
  purgeAfter: Iso,
});
export type TrashItemView = Static<typeof TrashItemView>;

export const TrashList = Type.Object({
  /** Days a conversation deleted now stays in the trash (TRASH_RETAIN_DAYS). */
  retainDays: Type.Integer(),
  items: Type.Array(TrashItemView),
});

export const TrashWindow = Type.Object({
  /** Days a conversation deleted now stays in the trash before it is purged (TRASH_RETAIN_DAYS). */
  retainDays: Type.Integer(),
});

export const TrashedResult = Type.Object({
  conversationId: Uuid,
  deletedAt: Iso,
  purgeAfter: Iso,
});

export const RestoredResult = Type.Object({ conversation: ConversationView });
