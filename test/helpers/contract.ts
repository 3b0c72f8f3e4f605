import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { JsonSchema } from './openapi-arbitrary.ts';

/**
 * Checks real responses against the OpenAPI document the server publishes: the status must be declared for the
 * operation, the media type must be one the response declares, and a JSON body must validate against its schema
 * (ajv, with the document's components so `$ref`s resolve). Returns what is wrong, or null.
 */
type Media = { schema?: JsonSchema & { $ref?: string } };
type Response = { content?: Record<string, Media> };
type Operation = {
  operationId?: string;
  parameters?: Array<{ in: string; name: string; required?: boolean; schema?: JsonSchema }>;
  requestBody?: { content?: Record<string, Media> };
  responses: Record<string, Response>;
};
export type ContractDocument = { paths: Record<string, Record<string, Operation>>; components: { schemas?: object } };

export function operationFor(doc: ContractDocument, method: string, routeUrl: string): Operation | undefined {
  const path = routeUrl.replace(/:([A-Za-z]+)/g, '{$1}');
  const trimmed = path.length > 1 ? path.replace(/\/$/, '') : path;
  return doc.paths[trimmed]?.[method.toLowerCase()];
}

export class ContractValidator {
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly compiled = new Map<object, ValidateFunction>();

  constructor(private readonly doc: ContractDocument) {
    // OpenAPI 3.0 keywords ajv does not know (example, nullable's sibling rules) are annotations here.
    addFormats.default(this.ajv);
    this.ajv.addKeyword('example');
  }

  check(operation: Operation | undefined, status: number, contentType: string | null, text: string): string | null {
    if (!operation) return 'no operation in the document';
    const response = operation.responses[String(status)] ?? operation.responses[`${String(status)[0]}XX`];
    if (!response) return `status ${status} not declared (declared: ${Object.keys(operation.responses).join(', ')})`;
    if (!response.content) return text === '' ? null : `status ${status} declares no body but got ${text.slice(0, 80)}`;
    const mediaType = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
    const media = response.content[mediaType];
    const declared = Object.keys(response.content).join(', ');
    if (!media) return `media type ${mediaType || '(none)'} not declared for ${status} (${declared})`;
    if (!mediaType.includes('json') || !media.schema) return null;
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return `${status} ${mediaType} body is not JSON`;
    }
    const validate = this.validator(media.schema);
    if (validate(body)) return null;
    return `${status} body does not match: ${this.ajv.errorsText(validate.errors, { separator: '; ' }).slice(0, 600)}`;
  }

  private validator(schema: object): ValidateFunction {
    let validate = this.compiled.get(schema);
    if (!validate) {
      validate = this.ajv.compile({ ...schema, components: this.doc.components });
      this.compiled.set(schema, validate);
    }
    return validate;
  }
}

/**
 * The smallest request body the schema accepts, with `known` values for ids, so a request reaches the handler
 * rather than stopping at validation (which the contract test covers anyway).
 */
export function minimalValue(
  schema: JsonSchema | undefined,
  known: (name: string) => string | undefined,
  name = '',
): unknown {
  if (!schema) return undefined;
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return schema.enum[0];
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants) return minimalValue(variants[0], known, name);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const key of schema.required ?? []) out[key] = minimalValue(schema.properties?.[key], known, key);
      return out;
    }
    case 'array':
      return [];
    case 'integer':
    case 'number':
      return schema.minimum ?? 1;
    case 'boolean':
      return true;
    case 'string': {
      if (schema.format === 'uuid') return known(name) ?? '00000000-0000-4000-8000-000000000000';
      if (schema.format === 'email') return 'contract@example.com';
      if (schema.format === 'date-time') return new Date().toISOString();
      if (schema.format === 'date') return new Date().toISOString().slice(0, 10);
      if (schema.format === 'uri') return 'https://example.com/';
      return 'x'.repeat(Math.max(1, schema.minLength ?? 1));
    }
    default:
      return null;
  }
}
