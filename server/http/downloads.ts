import { Readable } from 'node:stream';
import type { ReadableStream as NodeWebReadableStream } from 'node:stream/web';
import type { FastifyReply } from 'fastify';
import { fileTypeStream } from 'file-type';

/**
 * How every stored file (attachments, recordings) leaves the server. The file came from a stranger: its
 * name, its declared Content-Type and its bytes are all theirs. Served under our origin it must never run,
 * neither opened as a page nor loaded by a `<script src>`/`<link>` that an injection could place in the inbox:
 *
 * - Content-Type is never the sender's. It is sniffed from the first bytes (file-type) and kept only when it
 *   is in the route's allow-list of inert types (images the browser only decodes, audio it only plays);
 *   anything else is `application/octet-stream`, which no browser executes as a script or a style sheet.
 * - `X-Content-Type-Options: nosniff`, so the browser does not guess a more dangerous type itself.
 * - `Content-Disposition: attachment`: opened directly, it is saved, never rendered.
 * - A sandbox CSP with nothing allowed, kept as is by the security-headers hook, for a browser that renders
 *   it anyway.
 */
export const DOWNLOAD_CSP = "default-src 'none'; sandbox; frame-ancestors 'none'";

/** Raster images a browser decodes without running anything (never SVG, which is a document that can script). */
export const INERT_IMAGE_TYPES: ReadonlySet<string> = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);
/** What a call recording may be played as (Twilio sends MP3 or WAV). */
export const RECORDING_AUDIO_TYPES: ReadonlySet<string> = new Set(['audio/mpeg', 'audio/wav']);

export const OPAQUE_TYPE = 'application/octet-stream';

/** RFC 6266 filename: an ASCII fallback plus the exact UTF-8 name. */
export function attachmentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

/**
 * Sends a stored file as an inert download: the sniffed type when `inertTypes` allows it, else octet-stream.
 * Sniffing reads only the first few KB; the whole stream is still sent unchanged.
 */
export async function sendDownload(
  reply: FastifyReply,
  source: Readable,
  options: { filename: string; inertTypes: ReadonlySet<string> },
): Promise<FastifyReply> {
  const sniffed = await fileTypeStream(Readable.toWeb(source) as ReadableStream<Uint8Array>);
  const mime = sniffed.fileType?.mime;
  return reply
    .header('content-type', mime && options.inertTypes.has(mime) ? mime : OPAQUE_TYPE)
    .header('content-disposition', attachmentDisposition(options.filename))
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', DOWNLOAD_CSP)
    .header('cache-control', 'private, no-store')
    .send(Readable.fromWeb(sniffed as NodeWebReadableStream<Uint8Array>));
}
