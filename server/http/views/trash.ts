import { Type, type Static } from 'typebox';
import { TRASH_WINDOW_MAX, TRASH_WINDOW_MIN } from '../../domain/trash-window.ts';
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
  /** Present when the subject was sealed with a person's data key that no longer exists (`subject` is null). */
  subjectUnreadable: Type.Optional(Type.Literal(true)),
  contact: ContactRef,
  lastMessageAt: Iso,
  /** Messages (not notes or timeline events) it holds. */
  messageCount: Type.Integer(),
  deletedAt: Iso,
  /** The agent who deleted it; null once that agent is deleted. */
  deletedBy: Type.Union([Type.Object({ id: Uuid, name: Type.String() }), Type.Null()]),
  /** When the retention sweep deletes it for good (deletedAt + the window in force when it was deleted). */
  purgeAfter: Iso,
});
export type TrashItemView = Static<typeof TrashItemView>;

export const TrashList = Type.Object({
  /** Days a conversation deleted now stays in the trash (see TrashWindow). */
  retainDays: Type.Integer(),
  items: Type.Array(TrashItemView),
});

export const TrashWindow = Type.Object({
  /** Days a conversation deleted now stays in the trash before it is purged (an admin's choice, or the default). */
  retainDays: Type.Integer(),
  /** TRASH_RETAIN_DAYS: the window while no admin has chosen one. */
  defaultDays: Type.Integer(),
  /** True once an admin has set the window on the Privacy page (it then overrides TRASH_RETAIN_DAYS). */
  custom: Type.Boolean(),
});
export type TrashWindowView = Static<typeof TrashWindow>;

/** PUT /api/trash/window: the new window, for conversations deleted from now on. */
export const TrashWindowBody = Type.Object({
  retainDays: Type.Integer({ minimum: TRASH_WINDOW_MIN, maximum: TRASH_WINDOW_MAX }),
});

export const TrashedResult = Type.Object({
  conversationId: Uuid,
  deletedAt: Iso,
  purgeAfter: Iso,
});

export const RestoredResult = Type.Object({ conversation: ConversationView });
