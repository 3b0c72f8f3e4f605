import fc from 'fast-check';

/**
 * fast-check arbitraries from the OpenAPI document the server publishes (/api/docs/json), so the
 * fuzzer follows every route's declared schema as it evolves: values are mostly of the declared
 * shape with hostile contents (so they pass validation and reach the handler), sometimes of the
 * wrong type entirely (so validation itself is exercised).
 */
export type JsonSchema = {
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
};

/** Strings that have broken parsers, SQL, HTML and logs before. */
const nasty = fc.constantFrom(
  '',
  ' ',
  '\u0000',
  "' or 1=1 --",
  '"; drop table messages; --',
  '<script>alert(1)</script>',
  '../../etc/passwd',
  '%00%ff',
  '\ud800',
  '😀'.repeat(50),
  'a'.repeat(5_000),
  '__proto__',
  'constructor',
  '{"$ne":null}',
  '9'.repeat(400),
  '-1',
  'NaN',
  '2026-13-45T25:61:61Z',
);

export function ids(extra: string[] = []) {
  return fc.oneof(
    fc.uuid(),
    fc.constantFrom(
      '00000000-0000-0000-0000-000000000000',
      ...(extra.length ? extra : ['00000000-0000-0000-0000-000000000000']),
    ),
  );
}

export function arbitraryFor(schema: JsonSchema | undefined, known: string[] = [], depth = 0): fc.Arbitrary<unknown> {
  const wrong = fc.oneof(fc.jsonValue({ maxDepth: 2 }), nasty);
  if (!schema || depth > 4) return wrong;
  const variants = schema.anyOf ?? schema.oneOf;
  const right = ((): fc.Arbitrary<unknown> => {
    if (variants) return fc.oneof(...variants.map((v) => arbitraryFor(v, known, depth + 1)));
    if (schema.const !== undefined) return fc.constant(schema.const);
    if (schema.enum) return fc.constantFrom(...schema.enum);
    const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
    switch (type) {
      case 'string':
        if (schema.format === 'uuid') return ids(known);
        if (schema.format === 'date-time')
          return fc.oneof(
            fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
            nasty,
          );
        return fc.oneof(
          fc.string({ maxLength: schema.maxLength ?? 200, unit: 'binary' }),
          fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 60, 60) }),
          nasty,
        );
      case 'integer':
        return fc.oneof(
          fc.integer(),
          fc.integer({ min: schema.minimum ?? -5, max: schema.maximum ?? 1_000_000 }),
          fc.constantFrom(0, -1, 2 ** 53, Number.MAX_SAFE_INTEGER),
        );
      case 'number':
        return fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer());
      case 'boolean':
        return fc.boolean();
      case 'null':
        return fc.constant(null);
      case 'array':
        return fc.array(arbitraryFor(schema.items, known, depth + 1), { maxLength: 6 });
      case 'object': {
        const props = schema.properties ?? {};
        const required = new Set(schema.required ?? []);
        const record = fc.record(
          Object.fromEntries(Object.entries(props).map(([k, v]) => [k, arbitraryFor(v, known, depth + 1)])),
          { requiredKeys: Object.keys(props).filter((k) => required.has(k)) },
        );
        // Unknown keys, prototype keys included: they must be ignored or refused, never merged.
        const extra = fc.dictionary(
          fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('__proto__', 'constructor', 'prototype')),
          fc.jsonValue({ maxDepth: 1 }),
          { maxKeys: 3 },
        );
        return fc.tuple(record, extra).map(([r, e]) => ({ ...e, ...(r as object) }));
      }
      default:
        return wrong;
    }
  })();
  return fc.oneof({ weight: 9, arbitrary: right }, { weight: 1, arbitrary: wrong });
}

type OpenApiOperation = {
  parameters?: Array<{ name: string; in: 'query' | 'path' | 'header'; schema?: JsonSchema; required?: boolean }>;
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
  responses?: Record<string, unknown>;
};
export type OpenApiDocument = { paths: Record<string, Record<string, OpenApiOperation>> };

/** The operation of `method url` (a Fastify pattern like /api/contacts/:id) in the OpenAPI document. */
export function operationOf(doc: OpenApiDocument, method: string, url: string): OpenApiOperation | undefined {
  const path = url.replace(/:([A-Za-z]+)/g, '{$1}');
  return doc.paths[path]?.[method.toLowerCase()] ?? doc.paths[path.replace(/\/$/, '')]?.[method.toLowerCase()];
}
