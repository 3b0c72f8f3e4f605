import { Type, type Static } from 'typebox';

/** A call recording as agents see it. The audio itself comes from mediaUrl (authenticated). */
export const RecordingView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  conversationId: Type.String({ format: 'uuid' }),
  /** The call's message in the timeline. */
  messageId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
  provider: Type.String(),
  durationSeconds: Type.Integer(),
  recordedAt: Type.String({ format: 'date-time' }),
  /** When retention deletes it, locally and at the provider. */
  deleteAfter: Type.String({ format: 'date-time' }),
  deletedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  /** 'local': copied into our blob store; 'provider': played through from the provider; null once deleted. */
  media: Type.Union([Type.Literal('local'), Type.Literal('provider'), Type.Null()]),
  mediaUrl: Type.Union([Type.String(), Type.Null()]),
  deletionAttempts: Type.Integer(),
  lastDeletionError: Type.Union([Type.String(), Type.Null()]),
});
export type RecordingView = Static<typeof RecordingView>;
