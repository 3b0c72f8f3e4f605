import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { LOCALES, pickLocale, type Locale } from '../../web/i18n/index.ts';

/**
 * The first of our languages an Accept-Language header asks for, by its q-weights ("fr-CH, de;q=0.9" is
 * French; "en;q=0.2, sv" is Swedish), else English. A missing or malformed header is English.
 */
export function acceptedLocale(header: string | undefined): Locale {
  if (!header) return pickLocale([]);
  const ranked = header
    .slice(0, 500)
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find(Boolean);
      return { tag: tag.trim(), q: q === undefined ? 1 : Number(q), index };
    })
    .filter((l) => l.tag && l.tag !== '*' && l.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  return pickLocale(ranked.map((l) => l.tag));
}

/**
 * The language of a document the server writes for staff (the Art. 30 record, the DPIA draft): the one the inbox
 * asks for (`?locale=`, the agent's current choice), else the agent's stored preference, else Accept-Language.
 */
export function staffLocale(request: FastifyRequest, asked?: Locale): Locale {
  return asked ?? request.agent?.locale ?? acceptedLocale(request.headers['accept-language']);
}

/** The `locale` query parameter of such a document. */
export const staffLocaleQuery = Type.Optional(
  Type.Union(
    LOCALES.map((l) => Type.Literal(l)),
    { description: 'Language of the generated text; default: the agent’s preference, else Accept-Language, else en' },
  ),
);
