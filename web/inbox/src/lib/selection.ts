/** Reading an agent's text selection inside one message body, as UTF-16 offsets into the body text. */

export type BodySelection = {
  messageId: string;
  start: number;
  end: number;
  /** Exactly the selected characters, as they appear in the body. */
  text: string;
  rect: DOMRect;
};

const BODY = '[data-redactable-body]';

function bodyOf(node: Node, root: HTMLElement): HTMLElement | null {
  const element = node instanceof Element ? node : node.parentElement;
  const body = element?.closest<HTMLElement>(BODY) ?? null;
  return body && root.contains(body) ? body : null;
}

/**
 * Characters from the start of `body` to a boundary point. Range.toString() concatenates the data of the
 * Text nodes in the range, whatever elements (markers) split them and however CSS lays them out, so the
 * count is exact as long as the body's text content equals the message body (the renderer guarantees it).
 */
function offsetIn(body: HTMLElement, node: Node, offset: number): number {
  const range = document.createRange();
  range.setStart(body, 0);
  range.setEnd(node, offset);
  return range.toString().length;
}

/**
 * The part of the current selection that lies in a single redactable message body, or null. A selection
 * that starts or ends outside the body (a triple-click often ends at the next element) is clipped to the
 * body, but only when it touches no other message: one redaction never spans two messages.
 */
export function readBodySelection(selection: Selection | null, root: HTMLElement): BodySelection | null {
  if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
  const range = selection.getRangeAt(0);
  const startBody = bodyOf(range.startContainer, root);
  const endBody = bodyOf(range.endContainer, root);
  if (startBody && endBody && startBody !== endBody) return null;
  const body = startBody ?? endBody;
  if (!body) return null;

  const clipped = range.cloneRange();
  if (!startBody) clipped.setStart(body, 0);
  if (!endBody) clipped.setEnd(body, body.childNodes.length);
  if (!startBody || !endBody) {
    for (const other of root.querySelectorAll<HTMLElement>(BODY)) {
      if (other !== body && range.intersectsNode(other) && other.textContent) return null;
    }
  }

  const messageId = body.dataset.messageId;
  if (!messageId) return null;
  const start = offsetIn(body, clipped.startContainer, clipped.startOffset);
  const end = offsetIn(body, clipped.endContainer, clipped.endOffset);
  if (end <= start) return null;
  return { messageId, start, end, text: clipped.toString(), rect: clipped.getBoundingClientRect() };
}
