/** Domain errors carry the HTTP status and the stable code the API returns; messages hold no personal data. */
export class DomainError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const notFound = (what: string) => new DomainError(404, 'not_found', `${what} not found`);
export const forbidden = (message = 'You do not have access to this resource') =>
  new DomainError(403, 'forbidden', message);
export const conflict = (code: string, message: string) => new DomainError(409, code, message);
export const badRequest = (code: string, message: string) => new DomainError(400, code, message);
export const tooLarge = (limit: number) =>
  new DomainError(413, 'message_too_large', `Message text exceeds the limit of ${limit} characters`);
