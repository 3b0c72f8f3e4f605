import { Parser } from 'htmlparser2';

/**
 * Redaction of an HTML copy by what a reader sees. The span an agent redacts comes from the message's text; in the
 * HTML the same characters may be split by tags (`IBAN X <b>Y</b>`), written as entities (`&nbsp;`, `&amp;`,
 * `&#65;`), broken over block elements or sit in a quoted reply. So the HTML is tokenized (htmlparser2, the parser
 * sanitize-html uses), its visible text is put together with every character mapped back to the source range it came
 * from, the span is searched in that text, and the covered source characters are replaced in place: the first text
 * node the span touches gets the marker once, the other ones lose the covered characters. Tags, attributes and the
 * rest of the markup stay byte for byte as they were.
 *
 * The comparison ignores white space (a text part wraps and spaces lines differently from the HTML; `&nbsp;` and
 * block boundaries are white space to a reader) and the `>` quote prefixes of a plain-text quoted reply.
 */

/** Elements whose text a reader does not see. */
const HIDDEN = new Set(['script', 'style', 'title', 'head', 'template', 'noscript']);

type Char = { start: number; end: number; node: number };
/** An attribute value (a `mailto:` link, a title) as decoded and as the source range of its raw form. */
type Attribute = { value: string; start: number; end: number };
type VisibleText = { text: string; chars: Char[]; attributes: Attribute[] };

/** The source range of an attribute's raw value inside `name="value"` (quoted or not) at [start, end). */
function attributeValueRange(html: string, start: number, end: number): { start: number; end: number } | null {
  const segment = html.slice(start, end);
  const match = /^[^=]*=\s*(["']?)/.exec(segment);
  if (!match) return null;
  const from = start + match[0].length;
  const quote = match[1];
  let to = from;
  while (to < end && (quote ? html[to] !== quote : !/[\s>]/.test(html[to]!))) to++;
  return { start: from, end: to };
}

/**
 * The visible text of `html` without white space, each character with the source range [start, end) it came from;
 * with `quotedOnly`, only the text inside `<blockquote>` (a quoted earlier message), and no attributes.
 */
function visibleText(html: string, quotedOnly = false): VisibleText {
  const chars: Char[] = [];
  const attributes: Attribute[] = [];
  let text = '';
  let hidden = 0;
  let quoted = 0;
  // A text node is a run of text pieces with no tag between them; markers are placed once per node.
  let node = 0;
  const parser = new Parser(
    {
      onopentag(name) {
        node++;
        if (HIDDEN.has(name)) hidden++;
        if (name === 'blockquote') quoted++;
      },
      onclosetag(name) {
        node++;
        if (HIDDEN.has(name) && hidden > 0) hidden--;
        if (name === 'blockquote' && quoted > 0) quoted--;
      },
      onattribute(_name, value) {
        const range = attributeValueRange(html, parser.startIndex, parser.endIndex + 1);
        if (range && value && !quotedOnly) attributes.push({ value, ...range });
      },
      oncomment() {
        node++;
      },
      ontext(data) {
        if (hidden || (quotedOnly && !quoted)) return;
        const start = parser.startIndex;
        const end = parser.endIndex + 1;
        // A plain piece maps character by character; an entity maps as a whole to its source.
        const plain = end - start === data.length && html.slice(start, end) === data;
        for (let i = 0; i < data.length; i++) {
          const c = data[i]!;
          if (/\s/.test(c)) continue;
          text += c;
          chars.push(plain ? { start: start + i, end: start + i + 1, node } : { start, end, node });
        }
      },
    },
    { decodeEntities: true, lowerCaseTags: true },
  );
  parser.write(html);
  parser.end();
  return { text, chars, attributes };
}

/** The form in which text is compared: no white space, and (unless `keepQuotes`) no `>` quote prefixes. */
export function comparable(text: string, keepQuotes = false): string {
  const unquoted = keepQuotes ? text : text.replace(/(^|\n)[ \t]*(?:>[ \t]*)+/g, '$1');
  return unquoted.replace(/\s+/g, '');
}

function occurrences(haystack: string, needle: string): number[] {
  const found: number[] = [];
  if (!needle) return found;
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + needle.length)) found.push(at);
  return found;
}

type Edit = { start: number; end: number; text: string };

/** Per occurrence, per text node it touches, the covered source range: the marker in the first, nothing after. */
function editsFor(visible: VisibleText, found: number[], length: number, marker: string): Edit[] {
  const edits: Edit[] = [];
  for (const at of found) {
    const covered = visible.chars.slice(at, at + length);
    let first = true;
    for (let i = 0; i < covered.length;) {
      let j = i;
      while (j + 1 < covered.length && covered[j + 1]!.node === covered[i]!.node) j++;
      edits.push({ start: covered[i]!.start, end: covered[j]!.end, text: first ? marker : '' });
      first = false;
      i = j + 1;
    }
  }
  return edits;
}

/** Applies non-overlapping edits; answers the new text and where each inserted marker stands in it. */
function applyEdits(source: string, edits: Edit[], marker: string) {
  const sorted = [...edits].sort((a, b) => a.start - b.start);
  let text = '';
  let cursor = 0;
  const markers: number[] = [];
  for (const edit of sorted) {
    if (edit.start < cursor) continue;
    text += source.slice(cursor, edit.start);
    if (edit.text === marker) markers.push(text.length);
    text += edit.text;
    cursor = edit.end;
  }
  return { text: text + source.slice(cursor), markers, edits: sorted };
}

/**
 * Replaces, in `html`, the text a reader sees as `removed` by `marker`. `which` picks the occurrence when the
 * caller knows it (the n-th of `count` in the text); when the HTML holds a different number of them, every one is
 * replaced (a copy must not keep what the agent removed). With `quotedOnly`, only text inside `<blockquote>` is
 * searched (another message quoting the redacted one). Returns the HTML unchanged when the text is not in it.
 */
export function redactHtml(
  html: string,
  removed: string,
  marker: string,
  which?: { index: number; count: number },
  quotedOnly = false,
): string {
  let needle = comparable(removed);
  // White space alone is nothing a reader could be identified by; the text copy keeps its own replacement.
  if (!needle) return html;
  const visible = visibleText(html, quotedOnly);
  let found = occurrences(visible.text, needle);
  if (!found.length) {
    needle = comparable(removed, true);
    found = occurrences(visible.text, needle);
  }
  const edits: Edit[] = [];
  // An attribute that holds the text (a `mailto:` link behind a redacted address) loses its whole value.
  for (const a of visible.attributes) {
    if (comparable(a.value, true).includes(needle)) edits.push({ start: a.start, end: a.end, text: marker });
  }
  if (!found.length && !edits.length) return html;
  if (which && which.count === found.length && found[which.index] !== undefined) found = [found[which.index]!];
  edits.push(...editsFor(visible, found, needle.length, marker));
  return applyEdits(html, edits, marker).text;
}

/** The characters of a plain text's quoted lines (`> ...`), prefixes and white space left out; a line is a node. */
function quotedLines(text: string): VisibleText {
  const chars: Char[] = [];
  let visible = '';
  let offset = 0;
  text.split('\n').forEach((line, node) => {
    const prefix = /^[ \t]*(?:>[ \t]*)+/.exec(line);
    if (prefix) {
      for (let i = prefix[0].length; i < line.length; i++) {
        if (/\s/.test(line[i]!)) continue;
        visible += line[i];
        chars.push({ start: offset + i, end: offset + i + 1, node });
      }
    }
    offset += line.length + 1;
  });
  return { text: visible, chars, attributes: [] };
}

/**
 * Replaces `removed` where a plain text quotes it (its `> ` lines: another message quoting the redacted one), every
 * occurrence, the marker once per occurrence. Answers the new text, where the markers stand, and the edits made.
 */
export function redactQuotedText(text: string, removed: string, marker: string) {
  const needle = comparable(removed);
  if (!needle) return null;
  const visible = quotedLines(text);
  const found = occurrences(visible.text, needle);
  if (!found.length) return null;
  return applyEdits(text, editsFor(visible, found, needle.length, marker), marker);
}
