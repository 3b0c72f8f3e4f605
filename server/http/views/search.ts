import { Type, type Static, type TEnum } from 'typebox';
import { matchedIns } from '../../domain/search-query.ts';
import { ConversationView } from '../views.ts';

/** The shapes of /api/search. */
export const SnippetPartView = Type.Object({
  text: Type.String(),
  /** A part that matched the query: the client shows it highlighted (as text, never as HTML). */
  match: Type.Boolean(),
});
export type SnippetPartView = Static<typeof SnippetPartView>;

export const SearchHitView = Type.Object({
  conversation: ConversationView,
  matchedIn: Type.Enum([...matchedIns], {
    description:
      'The field that matched: the conversation id, the contact name, email, address or phone, the subject ' +
      'or a message',
  }) as unknown as TEnum<[...typeof matchedIns]>,
  messageId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()], {
    description: 'The matching message, newest first of several',
  }),
  snippet: Type.Array(SnippetPartView),
});
export type SearchHitView = Static<typeof SearchHitView>;

export const SearchPage = Type.Object({ items: Type.Array(SearchHitView) });
export type SearchPage = Static<typeof SearchPage>;
