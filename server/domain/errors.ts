/**
 * The values an error's message names (a limit, a wait, a file name, a hold's reasons), sent as `params` so the
 * inbox and the widget can word the code in the reader's language with the same details (ICU arguments).
 */
export type ErrorParams = Record<string, string | number | string[]>;

/** Domain errors carry the HTTP status and the stable code the API returns; messages hold no personal data. */
export class DomainError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly params?: ErrorParams,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const notFound = (what: string) => new DomainError(404, 'not_found', `${what} not found`);
export const forbidden = (message = 'You do not have access to this resource') =>
  new DomainError(403, 'forbidden', message);
export const conflict = (code: string, message: string, params?: ErrorParams) =>
  new DomainError(409, code, message, params);
export const badRequest = (code: string, message: string, params?: ErrorParams) =>
  new DomainError(400, code, message, params);
export const tooLarge = (limit: number) =>
  new DomainError(413, 'message_too_large', `Message text exceeds the limit of ${limit} characters`, { limit });

/** The error shape (without requestId) a DomainError answers with, over HTTP and in socket acks. */
export const errorOf = ({ code, message, params }: DomainError) =>
  params ? { code, message, params } : { code, message };
