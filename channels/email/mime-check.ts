/**
 * Structural checks mailparser does not report: it reads broken MIME leniently (a multipart whose
 * boundary never appears becomes one text blob), so the agent would see garbage with no hint why.
 * Returns a description of the first problem of the top-level entity, or null when it is sound.
 */
export const MIME_PROBLEMS = {
  mime_no_separator: 'the message has no header/body separator',
  mime_no_boundary: 'a multipart message without a boundary parameter',
  mime_boundary_missing: 'the multipart boundary never appears in the body',
} as const;

export function checkMimeStructure(raw: Buffer): string | null {
  const text = raw.subarray(0, Math.min(raw.length, 8 * 1024 * 1024)).toString('latin1');
  const headerEnd = text.search(/\r?\n\r?\n/);
  if (headerEnd < 0) return MIME_PROBLEMS.mime_no_separator;
  const headers = text.slice(0, headerEnd).replace(/\r?\n[ \t]+/g, ' ');
  const contentType = /^content-type:[ \t]*([^\r\n]*)$/im.exec(headers)?.[1];
  if (!contentType || !/^\s*multipart\//i.test(contentType)) return null;
  const boundary = /boundary\s*=\s*(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const value = boundary?.[1] ?? boundary?.[2];
  if (!value) return MIME_PROBLEMS.mime_no_boundary;
  const body = text.slice(headerEnd);
  if (!body.includes(`\n--${value}`)) return MIME_PROBLEMS.mime_boundary_missing;
  return null;
}
