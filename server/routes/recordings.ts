import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { and, asc, desc, eq, gte, isNotNull, isNull } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import type { BlobStore } from '../blobs/store.ts';
import { conversations, recordings } from '../../drizzle/schema/index.ts';
import { IdParams, download, errors } from '../http/common.ts';
import { RECORDING_AUDIO_TYPES, sendDownload } from '../http/downloads.ts';
import { RecordingView } from '../http/views/recordings.ts';
import type { RecordingView as RecordingViewType } from '../http/views/recordings.ts';
import { currentAgent } from '../plugins/auth.ts';
import { DomainError, notFound } from '../domain/errors.ts';
import { appendAudit } from '../privacy/audit.ts';
import { inboxCondition } from '../domain/scope.ts';
import { deleteRecording } from '../privacy/retention.ts';
import type { RecordingProviders } from '../privacy/recording-providers.ts';

const tags = ['recordings'];

/** What deleteRecording needs (server/privacy/retention.ts declares it) and the media the routes serve. */
export type RecordingRouteDeps = Parameters<typeof deleteRecording>[0] & {
  db: Db;
  blobs: BlobStore;
  recordingProviders: RecordingProviders;
};

/** 'local': our blob store has the audio; 'provider': the provider (whose channel can stream it) has it only. */
function toView(providers: RecordingProviders, row: typeof recordings.$inferSelect): RecordingViewType {
  const atProvider = Boolean(providers.get(row.provider)?.openMedia);
  const media = row.deletedAt ? null : row.blobId ? 'local' : atProvider ? 'provider' : null;
  return {
    id: row.id,
    conversationId: row.conversationId,
    messageId: row.messageId,
    provider: row.provider,
    durationSeconds: row.durationSeconds,
    recordedAt: row.recordedAt.toISOString(),
    deleteAfter: row.deleteAfter.toISOString(),
    deletedAt: row.deletedAt?.toISOString() ?? null,
    media,
    mediaUrl: media ? `/api/recordings/${row.id}/media` : null,
    deletionAttempts: row.deletionAttempts,
    lastDeletionError: row.lastDeletionError,
  };
}

export const recordingRoutes: FastifyPluginAsyncTypebox<{ deps: RecordingRouteDeps }> = async (app, { deps }) => {
  const view = (row: typeof recordings.$inferSelect) => toView(deps.recordingProviders, row);
  const load = async (id: string) => {
    const [row] = await deps.db.select().from(recordings).where(eq(recordings.id, id));
    if (!row) throw notFound('Recording');
    return row;
  };

  app.get(
    '/',
    {
      config: { access: 'agent' },
      schema: {
        tags,
        summary:
          "A conversation's call recordings, oldest first, with their deletion dates " +
          '(deleted ones stay listed, without audio)',
        querystring: Type.Object({ conversationId: Type.String({ format: 'uuid' }) }),
        response: { 200: Type.Object({ items: Type.Array(RecordingView) }), ...errors(400, 401) },
      },
    },
    async (request) => ({
      items: (
        await deps.db
          .select({ r: recordings })
          .from(recordings)
          .innerJoin(conversations, eq(conversations.id, recordings.conversationId))
          .where(
            and(
              eq(recordings.conversationId, request.query.conversationId),
              inboxCondition(conversations.inboxId, currentAgent(request).inboxIds),
            ),
          )
          .orderBy(asc(recordings.recordedAt))
      ).map(({ r }) => view(r)),
    }),
  );

  app.get(
    '/deletion-failures',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Recordings whose deletion at the provider keeps failing (still kept, retried with backoff)',
        querystring: Type.Object({
          minAttempts: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 2 })),
        }),
        response: { 200: Type.Object({ items: Type.Array(RecordingView) }), ...errors(400, 401, 403) },
      },
    },
    async (request) => ({
      items: (
        await deps.db
          .select()
          .from(recordings)
          .where(
            and(
              isNull(recordings.deletedAt),
              isNotNull(recordings.lastDeletionError),
              gte(recordings.deletionAttempts, request.query.minAttempts ?? 2),
            ),
          )
          .orderBy(desc(recordings.deletionAttempts), asc(recordings.deleteAfter))
          .limit(200)
      ).map(view),
    }),
  );

  app.get(
    '/:id/media',
    {
      config: { access: 'agent', inboxScoped: 'recording' },
      schema: {
        tags,
        summary:
          'The audio of a recording (from the blob store, or streamed from the provider when kept there only); audited',
        params: IdParams,
        response: {
          200: download('The audio, recognised from its bytes', 'audio/mpeg', 'audio/wav', 'application/octet-stream'),
          ...errors(401, 404, 502),
        },
      },
    },
    async (request, reply) => {
      const row = await load(request.params.id);
      if (row.deletedAt) throw notFound('Recording audio');
      const agent = currentAgent(request);
      // Listening to personal data is processing: who played which recording is audited (ids only).
      await appendAudit(deps.db, {
        actorKind: 'agent',
        actorId: agent.id,
        action: 'recording.played',
        targetType: 'recording',
        targetId: row.id,
      });
      // Played by the inbox's <audio>; typed from its bytes (MP3 or WAV, else octet-stream), never from the
      // provider's header, and inert like every stored file (server/http/downloads.ts).
      const download = { filename: `recording-${row.id}`, inertTypes: RECORDING_AUDIO_TYPES };
      if (row.blobId) {
        const size = await deps.blobs.size(row.blobId);
        if (size !== null) reply.header('content-length', size);
        return sendDownload(reply, await deps.blobs.get(row.blobId), download);
      }
      const provider = deps.recordingProviders.get(row.provider);
      if (!provider?.openMedia) throw notFound('Recording audio');
      let media;
      try {
        media = await provider.openMedia(row.providerSid);
      } catch (err) {
        throw new DomainError(502, 'provider_unavailable', (err as Error).message.slice(0, 120));
      }
      return sendDownload(reply, media.stream, download);
    },
  );

  app.delete(
    '/:id',
    {
      config: { access: 'agent', inboxScoped: 'recording' },
      schema: {
        tags,
        summary:
          'Delete a recording now, at the provider and locally (audited); ' +
          'a provider failure answers 502 and is retried by the retention sweep; 409 legal_hold while a legal hold ' +
          "binds the recording's conversation or contact",
        params: IdParams,
        response: { 200: Type.Object({ recording: RecordingView }), ...errors(401, 403, 404, 409, 502) },
      },
    },
    async (request) => {
      await load(request.params.id);
      const agent = currentAgent(request);
      const ok = await deleteRecording(deps, request.params.id, { kind: 'agent', id: agent.id }, 'agent');
      const row = await load(request.params.id);
      if (!ok)
        throw new DomainError(
          502,
          'provider_unavailable',
          `The provider could not delete the recording (${row.lastDeletionError ?? 'unknown error'}); ` +
            'it will be retried',
        );
      return { recording: view(row) };
    },
  );
};
