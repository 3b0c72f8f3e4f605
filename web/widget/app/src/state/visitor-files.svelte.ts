import { i18n } from './i18n.svelte.ts';
import { ApiError, widgetApi } from '../lib/api.ts';
import { newClientId } from '../lib/ids.ts';
import type { ChatState } from './chat.svelte.ts';

/** A file the visitor chose, waiting in the composer until the message goes out. */
export type PendingFile = {
  key: number;
  name: string;
  size: number;
  /** A data: URL of an image, for the preview (the widget's CSP allows data: images, not blob:). */
  preview: string | null;
  data: string;
};

/** The refusals that name one file (server/domain/uploads.ts). */
const NAMED_REFUSALS = new Set([
  'file_too_large',
  'bad_file_data',
  'empty_file',
  'executable_file',
  'file_type_not_allowed',
]);
const REFUSALS = new Set([
  'too_many_files',
  'file_too_large',
  'bad_file_data',
  'empty_file',
  'executable_file',
  'file_type_not_allowed',
  'files_not_accepted',
]);

export const visitorFilesTexts = {
  unreadable: (name: string) => i18n.t('files.unreadable', { name }),
  failed: () => i18n.t('files.kept'),
  /**
   * Why the server refused the files, by its error code, naming the file it refused (`params.name`; from an older
   * server, the name its message starts with) and the limit it broke; another code, or a name not found, shows
   * the server's own words.
   */
  refused: (error: ApiError, names: string[]) => {
    const { max, maxBytes } = error.params ?? {};
    const name =
      typeof error.params?.name === 'string'
        ? error.params.name
        : [...names].sort((a, b) => b.length - a.length).find((n) => error.message.startsWith(n));
    if (error.code === 'too_many_files' && typeof max === 'number') return i18n.t('files.refused.tooManyMax', { max });
    if (error.code === 'file_too_large' && name !== undefined && typeof maxBytes === 'number')
      return i18n.t('files.refused.tooLargeLimit', { name, size: i18n.size(maxBytes) });
    const named = NAMED_REFUSALS.has(error.code);
    if (REFUSALS.has(error.code) && (!named || name !== undefined))
      return i18n.t(`files.refused.${error.code}`, { name });
    return `${error.message.replace(/\.$/, '')}.`;
  },
  offline: () => i18n.t('files.offline'),
};

const PREVIEWABLE = /^image\/(png|jpeg|gif|webp)$/;

function readDataUrl(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error ?? new Error('unreadable'));
    reader.readAsDataURL(file);
  });
}

/**
 * Files the visitor attaches (picker, drag and drop, paste), previewed before sending, sent with the draft in one
 * request (POST /api/widget/files). The server decides what it accepts (size, count, type by the bytes); a refusal
 * is shown as its own words, and the text and the files stay in the composer. The clientId is kept across
 * attempts, so a retry after a lost answer stores the message once.
 */
export class VisitorFiles {
  pending = $state<PendingFile[]>([]);
  sending = $state(false);
  error = $state<string | null>(null);

  #next = 0;
  #clientId: string | null = null;

  /** `chat`: the chat the composer shows now (a getter, as the component's prop can change). */
  constructor(private readonly currentChat: () => ChatState) {}

  private get chat(): ChatState {
    return this.currentChat();
  }

  async add(files: Iterable<File>): Promise<void> {
    this.error = null;
    for (const file of files) {
      try {
        const url = await readDataUrl(file);
        this.pending.push({
          key: ++this.#next,
          name: file.name || 'pasted-image.png',
          size: file.size,
          preview: PREVIEWABLE.test(file.type) ? url : null,
          data: url.slice(url.indexOf(',') + 1),
        });
        this.#clientId = null;
      } catch {
        this.error = visitorFilesTexts.unreadable(file.name);
      }
    }
  }

  remove(key: number): void {
    this.pending = this.pending.filter((f) => f.key !== key);
    this.#clientId = null;
    this.error = null;
  }

  async send(): Promise<void> {
    if (this.pending.length === 0 || this.sending) return;
    const files = [...this.pending];
    const typed = this.chat.draft;
    this.#clientId ??= newClientId();
    this.sending = true;
    this.error = null;
    try {
      const { message } = await widgetApi.sendFiles(this.chat.visitorToken, {
        clientId: this.#clientId,
        text: typed.trim(),
        files: files.map((f) => ({ name: f.name, data: f.data })),
      });
      this.chat.receive(message);
      this.pending = this.pending.filter((f) => !files.includes(f));
      if (this.chat.draft === typed) this.chat.draft = '';
      this.#clientId = null;
    } catch (error) {
      this.error =
        error instanceof ApiError && error.status >= 400
          ? `${visitorFilesTexts.refused(
              error,
              files.map((f) => f.name),
            )} ${visitorFilesTexts.failed()}`
          : visitorFilesTexts.offline();
    } finally {
      this.sending = false;
    }
  }
}
