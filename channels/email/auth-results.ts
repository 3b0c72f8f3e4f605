/**
 * Authentication-Results (RFC 8601): what the receiving mail server found when it checked SPF, DKIM and DMARC.
 * No maintained parser runs on Node 20 without pulling in a whole verification stack (mailauth needs Node 22), so
 * this is a small parser of the grammar: comments (nested, quoted pairs) and quoted strings are honoured, and only
 * the method and its result are kept: the properties (smtp.mailfrom=..., header.from=...) name people.
 */
export type AuthResult = { method: string; result: string };
export type AuthenticationResults = { authservId: string; results: AuthResult[] };

/** The methods an agent can act on; others (iprev, auth, x-...) are left out of the badges. */
const SHOWN_METHODS = new Set(['spf', 'dkim', 'dmarc', 'arc']);
const RESULTS = new Set([
  'pass',
  'fail',
  'softfail',
  'neutral',
  'none',
  'temperror',
  'permerror',
  'policy',
  'hardfail',
]);
const MAX_RESULTS = 10;

/** The header value without comments, with quoted strings kept intact (CFWS of RFC 5322). */
function stripComments(value: string): string {
  let out = '';
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (ch === '\\' && (quoted || depth > 0)) {
      if (depth === 0) out += ch + (value[i + 1] ?? '');
      i++;
    } else if (quoted) {
      out += ch;
      if (ch === '"') quoted = false;
    } else if (ch === '(') depth++;
    else if (ch === ')' && depth > 0) depth--;
    else if (depth > 0) continue;
    else {
      if (ch === '"') quoted = true;
      out += ch;
    }
  }
  return out;
}

/** Splits on `;` outside quoted strings. */
function splitResinfo(value: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (ch === '\\' && quoted) {
      current += ch + (value[i + 1] ?? '');
      i++;
      continue;
    }
    if (ch === '"') quoted = !quoted;
    if (ch === ';' && !quoted) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts.map((p) => p.trim());
}

const unquote = (v: string) => (v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1).replace(/\\(.)/g, '$1') : v);

/** One header's value; null when it is not an Authentication-Results value at all. */
export function parseAuthenticationResults(value: string): AuthenticationResults | null {
  const [head, ...resinfos] = splitResinfo(stripComments(value.replace(/\r?\n[ \t]/g, ' ')));
  // authserv-id [version]: a token or a quoted string.
  const id = /^("(?:[^"\\]|\\.)*"|[^\s";]+)(?:\s+\d+)?$/.exec(head ?? '');
  if (!id) return null;
  const authservId = unquote(id[1]!).toLowerCase();
  const results: AuthResult[] = [];
  for (const info of resinfos) {
    if (info === '' || /^none$/i.test(info)) continue;
    // methodspec: method[/version] = result, then reasonspec and propspecs, which are not kept.
    const spec = /^([A-Za-z0-9][A-Za-z0-9_-]*)(?:\s*\/\s*\d+)?\s*=\s*([A-Za-z0-9_-]+)(?=\s|$)/.exec(info);
    if (!spec) continue;
    const method = spec[1]!.toLowerCase();
    const result = spec[2]!.toLowerCase();
    if (!SHOWN_METHODS.has(method) || !RESULTS.has(result)) continue;
    if (results.length < MAX_RESULTS) results.push({ method, result });
  }
  return { authservId: authservId.slice(0, 255), results };
}

/**
 * The results the receiving server wrote: the topmost Authentication-Results header (a receiving server prepends
 * its own and, by RFC 8601 section 5, removes any claiming its authserv-id that came with the mail). Headers lower
 * down were written before our server received the mail, possibly by the sender, and are ignored.
 */
export function receivedAuthenticationResults(headerValues: string[]): AuthenticationResults | null {
  const top = headerValues[0];
  return top === undefined ? null : parseAuthenticationResults(top);
}

/** A check that failed: the message carries a visible warning for it. */
export const isAuthFailure = (r: AuthResult) => ['fail', 'softfail', 'permerror', 'hardfail'].includes(r.result);
