/**
 * What a copy of selected text holds when the selection contains redaction markers. A marker keeps the stored
 * "[redacted]" code as hidden text (selection offsets count it) and shows the agent's word for it as CSS generated
 * content (components/MessageBody.svelte), and the browser copies neither: the clipboard would lose the redaction
 * between the words around it. This copies what the agent sees instead: each marker as its shown word.
 */
const MARKER = '[data-redaction-word]';

/** The text to copy for `range`, or null when it holds no marker (the browser's own copy is right then). */
export function copiedText(range: Range): string | null {
  const fragment = range.cloneContents();
  const markers = fragment.querySelectorAll<HTMLElement>(MARKER);
  if (markers.length === 0) return null;
  for (const marker of markers) marker.replaceWith(marker.dataset.redactionWord ?? '');
  // innerText (line breaks as laid out, hidden text left out) needs rendered nodes: lay the copy out off screen.
  const holder = document.createElement('div');
  holder.style.cssText = 'position:fixed;left:-10000px;top:0;white-space:pre-wrap';
  holder.append(fragment);
  document.body.append(holder);
  const text = holder.innerText;
  holder.remove();
  return text;
}

/** Makes every copy in `doc` word its redactions as shown (once, at start). */
export function copyRedactionsAsShown(doc: Document): void {
  doc.addEventListener('copy', (event) => {
    const selection = doc.getSelection();
    if (!event.clipboardData || !selection || selection.rangeCount === 0 || selection.isCollapsed) return;
    const text = copiedText(selection.getRangeAt(0));
    if (text === null) return;
    event.clipboardData.setData('text/plain', text);
    event.preventDefault();
  });
}
