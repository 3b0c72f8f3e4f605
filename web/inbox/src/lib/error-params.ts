import { i18n, t } from './i18n.svelte.ts';
import { formatSize } from './format.ts';
import { PARAM_ERROR_CODES } from './error-param-codes.ts';

/** The values an API error names (ErrorView.params): a limit, a wait, a file name, a hold's reasons. */
export type ErrorParams = Record<string, string | number | string[]>;

const isParamCode = (code: string): code is (typeof PARAM_ERROR_CODES)[number] =>
  (PARAM_ERROR_CODES as readonly string[]).includes(code);

/** ICU arguments from the params: lists joined as the language joins them, sizes written as it writes them. */
function icuArguments(params: ErrorParams): Record<string, string | number> {
  const values: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(params)) {
    values[key] = Array.isArray(value)
      ? new Intl.ListFormat(i18n.locale, { type: 'conjunction' }).format(value)
      : value;
  }
  if (typeof params.maxBytes === 'number') values.size = formatSize(params.maxBytes);
  return values;
}

/**
 * The error in the agent's language with the details the server named, or null when the code has no worded
 * details or the server sent none (an older server): the caller then words the code alone.
 */
export function describeWithParams(code: string, params: ErrorParams | undefined): string | null {
  if (!params || !isParamCode(code)) return null;
  return t(`inbox-errors:params.${code}`, icuArguments(params));
}
