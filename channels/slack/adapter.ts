import { verifySlackRequest, type webApi } from '@slack/bolt';
import type { ChannelAdapter, InboundRequest } from '../types.ts';
import { InboundRejected, PermanentDeliveryError } from '../types.ts';
import type { SlackEventCallback } from './payloads.ts';
import { parseSlackEvent } from './parse.ts';
import { parseThreadKey } from './threads.ts';

export type SlackAdapterDeps = {
  signingSecret: string;
  channelIds: readonly string[];
  /** A Web API client holding the bot token (pointed at a local server in tests). */
  client: webApi.WebClient;
  /** SLACK_API_URL: files on its origin are fetched too (a local fake in tests). */
  apiUrl: string;
  now?: () => number;
  /** Reads a stored file of a reply (ChannelPort.blobs); replies with files need it. */
  readBlob?: (blobId: string) => Promise<Buffer>;
};

const header = (request: InboundRequest, name: string) => {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/**
 * Slack: inbound through the Events API (signed with the app's signing secret, see receiver.ts for
 * how Bolt is mounted), outbound with chat.postMessage into the conversation's thread.
 */
export function createSlackAdapter(deps: SlackAdapterDeps): ChannelAdapter<SlackEventCallback> {
  return {
    kind: 'slack',
    identityKind: 'slack',
    // Slack truncates text over 40,000 characters; delivery receipts do not exist for bot posts.
    capabilities: { threads: true, attachments: true, deliveryReceipts: false, maxLength: 40_000 },
    verify(request) {
      const signature = header(request, 'x-slack-signature');
      const timestamp = Number(header(request, 'x-slack-request-timestamp'));
      if (!signature || !Number.isFinite(timestamp)) throw new InboundRejected('missing Slack signature');
      try {
        // Checks the HMAC over "v0:<timestamp>:<raw body>" and refuses timestamps older than 5 minutes (replays).
        verifySlackRequest({
          signingSecret: deps.signingSecret,
          body: request.rawBody,
          headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': timestamp },
          nowMilliseconds: deps.now?.() ?? Date.now(),
        });
      } catch {
        throw new InboundRejected('invalid Slack signature');
      }
    },
    parse(payload, { inboxId }) {
      return parseSlackEvent(payload, { inboxId, channelIds: deps.channelIds, apiUrl: deps.apiUrl });
    },
    async send(message) {
      const thread = parseThreadKey(message.threadKey);
      const files = message.attachments ?? [];
      let externalId: string | null = null;
      if (message.text.trim() !== '' || files.length === 0) {
        const result = await deps.client.chat.postMessage({
          channel: thread.channel,
          text: message.text,
          ...(thread.threadTs ? { thread_ts: thread.threadTs } : {}),
          // Agents write plain text: no link previews of whatever URL a reply happens to contain.
          unfurl_links: false,
          unfurl_media: false,
        });
        if (!result.ts) throw new Error('Slack accepted the message without a ts');
        externalId = `${thread.channel}:${result.ts}`;
      }
      if (files.length) {
        // files.uploadV2: getUploadURLExternal per file, the bytes to each upload_url, then one
        // completeUploadExternal that shares them into the conversation's thread (needs the files:write scope).
        if (!deps.readBlob)
          throw new PermanentDeliveryError('files_unavailable: no blob store given to the Slack adapter');
        const read = deps.readBlob;
        const uploads = await Promise.all(
          files.map(async (f) => ({ file: await read(f.blobId), filename: f.filename })),
        );
        const result = await deps.client.filesUploadV2({
          channel_id: thread.channel,
          ...(thread.threadTs ? { thread_ts: thread.threadTs } : {}),
          file_uploads: uploads,
        });
        const ids = (result.files as Array<{ files?: Array<{ id?: string }> }>).flatMap((r) => r.files ?? []);
        externalId ??= `${thread.channel}:files:${ids.map((f) => f.id).join(',')}`;
      }
      return { externalId: externalId!, state: 'sent' };
    },
  };
}
