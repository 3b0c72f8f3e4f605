import { fileTypeFromBuffer } from 'file-type';
import { DomainError, badRequest } from './errors.ts';

/**
 * Files people send us (the widget's visitor, an agent in the composer), checked before anything is stored:
 * a count and a size limit, and a type decided by the bytes (file-type), never by the name or the declared type.
 * Executable content is refused whatever it is called: a renamed `.exe` is still a PE file.
 *
 * Files travel as base64 in the JSON request that also carries the text, so the message and its files are one
 * request and one commit: nothing is staged, nothing can be left behind unlinked. The cost is a third more bytes
 * on the wire, acceptable at the sizes a support conversation carries (UPLOAD_MAX_BYTES, 10 MB by default).
 */
export type UploadLimits = {
  /** Largest file, in bytes (UPLOAD_MAX_BYTES). */
  maxBytes: number;
  /** Most files on one message (UPLOAD_MAX_FILES). */
  maxFiles: number;
  /**
   * Allowed sniffed types (UPLOAD_ALLOWED_TYPES): exact (`application/pdf`), a family (`image/*`), or `text/plain`
   * for content file-type does not recognise that is valid UTF-8 text. null: anything that is not executable.
   */
  allowedTypes: string[] | null;
};

export type UploadInput = { name: string; data: string };
export type AcceptedFile = { filename: string; contentType: string; content: Buffer };

/** Types that run code when opened: programs, installers, packages, browser extensions, macro documents. */
export const EXECUTABLE_TYPES: ReadonlySet<string> = new Set([
  'application/x-msdownload',
  'application/x-elf',
  'application/x-mach-binary',
  'application/java-archive',
  'application/java-vm',
  'application/vnd.android.package-archive',
  'application/wasm',
  'application/x-shockwave-flash',
  'application/x-ms-shortcut',
  'application/vnd.ms-htmlhelp',
  'application/x-google-chrome-extension',
  'application/x-xpinstall',
  'application/x-deb',
  'application/x-rpm',
  'application/x-apple-diskimage',
  'application/x-ms-regedit',
  'application/x-ft-windows-registry-hive',
  'application/vnd.ms-excel.sheet.macroenabled.12',
  'application/vnd.ms-excel.template.macroenabled.12',
  'application/vnd.ms-powerpoint.presentation.macroenabled.12',
  'application/vnd.ms-powerpoint.slideshow.macroenabled.12',
  'application/vnd.ms-powerpoint.template.macroenabled.12',
  'application/vnd.ms-word.document.macroenabled.12',
  'application/vnd.ms-word.template.macroenabled.12',
]);

const TEXT = 'text/plain';
const OPAQUE = 'application/octet-stream';
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const MAX_NAME = 255;

export const uploadsTexts = {
  tooMany: (max: number) => `At most ${max} files can be sent with one message`,
  tooLarge: (name: string, max: number) => `${name} is larger than the ${formatSize(max)} limit`,
  empty: (name: string) => `${name} is empty`,
  badData: (name: string) => `${name} could not be read (the upload was not valid base64)`,
  executable: (name: string) => `${name} is a program or contains macros; such files cannot be sent`,
  notAllowed: (name: string, type: string) => `${name} (${type}) is not a type of file this inbox accepts`,
};

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;
}

/** A file name as stored and shown: no path, no control characters, bounded; never empty. */
export function cleanFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const cleaned = base.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return (cleaned || 'file').slice(0, MAX_NAME);
}

/** What the bytes are, by their content: the sniffed MIME type, text/plain for UTF-8 text, else octet-stream. */
export async function sniffType(content: Buffer): Promise<string> {
  const sniffed = await fileTypeFromBuffer(content);
  if (sniffed) return sniffed.mime;
  // A script is text that starts with "#!": it runs if someone marks it executable.
  if (content.subarray(0, 2).toString('latin1') === '#!') return 'text/x-shellscript';
  return isUtf8Text(content) ? TEXT : OPAQUE;
}

function isUtf8Text(content: Buffer): boolean {
  try {
    // stream: a multi-byte character cut at the 64 KB boundary waits for its rest instead of failing.
    const text = new TextDecoder('utf-8', { fatal: true }).decode(content.subarray(0, 64 * 1024), { stream: true });
    // eslint-disable-next-line no-control-regex
    return !/[\u0000-\u0008\u000e-\u001a]/.test(text);
  } catch {
    return false;
  }
}

export function isAllowedType(type: string, allowed: string[] | null): boolean {
  if (EXECUTABLE_TYPES.has(type) || type === 'text/x-shellscript') return false;
  if (allowed === null) return true;
  return allowed.some((a) => a === type || (a.endsWith('/*') && type.startsWith(a.slice(0, -1))));
}

const tooLargeFile = (name: string, maxBytes: number) =>
  new DomainError(413, 'file_too_large', uploadsTexts.tooLarge(name, maxBytes), { name, maxBytes });

/** Decodes and checks every file; throws a DomainError naming the first file refused (nothing is stored). */
export async function acceptUploads(files: UploadInput[], limits: UploadLimits): Promise<AcceptedFile[]> {
  if (files.length > limits.maxFiles)
    throw new DomainError(413, 'too_many_files', uploadsTexts.tooMany(limits.maxFiles), { max: limits.maxFiles });
  const accepted: AcceptedFile[] = [];
  for (const file of files) {
    const filename = cleanFileName(file.name);
    // Checked before decoding: base64 is 4 characters per 3 bytes.
    if (Math.floor((file.data.length * 3) / 4) - 2 > limits.maxBytes) throw tooLargeFile(filename, limits.maxBytes);
    if (!BASE64.test(file.data) || file.data.length % 4 !== 0)
      throw badRequest('bad_file_data', uploadsTexts.badData(filename));
    const content = Buffer.from(file.data, 'base64');
    if (content.length === 0) throw badRequest('empty_file', uploadsTexts.empty(filename));
    if (content.length > limits.maxBytes) throw tooLargeFile(filename, limits.maxBytes);
    const contentType = await sniffType(content);
    if (EXECUTABLE_TYPES.has(contentType) || contentType === 'text/x-shellscript')
      throw new DomainError(415, 'executable_file', uploadsTexts.executable(filename));
    if (!isAllowedType(contentType, limits.allowedTypes))
      throw new DomainError(415, 'file_type_not_allowed', uploadsTexts.notAllowed(filename, contentType));
    accepted.push({ filename, contentType, content });
  }
  return accepted;
}

/** The JSON body limit a route carrying files needs: every file at its limit in base64, plus the text. */
export const uploadBodyLimit = (limits: UploadLimits, messageMaxChars: number) =>
  Math.ceil((limits.maxBytes * limits.maxFiles * 4) / 3) + limits.maxFiles * 1024 + messageMaxChars * 4 + 16 * 1024;
