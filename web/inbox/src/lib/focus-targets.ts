/** Where keyboard moves land: the ids a skip link or a key press focuses, shared with the components. */
/** The conversation list's rows; the skip link and the list agree on this id. */
export const CONVERSATION_ROWS_ID = 'conversation-rows';
/** The list pane itself: the skip link's target while there are no rows (loading, empty, filtered out). */
export const CONVERSATION_LIST_ID = 'conversation-list-pane';

/** Moves the focus to the row that holds the list's Tab stop (the open conversation or the first), else the pane. */
export function focusConversations(): boolean {
  const row = document.querySelector<HTMLElement>(`#${CONVERSATION_ROWS_ID} [tabindex="0"]`);
  const target = row ?? document.getElementById(CONVERSATION_LIST_ID);
  if (!target) return false;
  target.focus();
  return true;
}
/** The open conversation's messages: Esc in the composer moves the focus here (never to the page body). */
export const TIMELINE_ID = 'conversation-timeline';
