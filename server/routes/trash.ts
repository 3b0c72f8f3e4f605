import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Config } from '../config.ts';
import { IdParams, errors } from '../http/common.ts';
import { RestoredResult, TrashList, TrashWindow, TrashWindowBody, TrashedResult } from '../http/views/trash.ts';
import { currentAgent } from '../plugins/auth.ts';
import { listTrash, restoreConversation, trashConversation, type TrashDeps } from '../domain/trash.ts';
import { setTrashWindow, trashWindow } from '../domain/trash-window.ts';

const tags = ['conversations'];

export type TrashRoutesDeps = TrashDeps & { config: Pick<Config, 'trashRetainDays'>; clock: () => Date };

/** DELETE /api/conversations/:id: an agent moves a conversation they can see to the trash. */
export const conversationTrashRoutes: FastifyPluginAsyncTypebox<{ deps: TrashRoutesDeps }> = async (app, { deps }) => {
  app.delete(
    '/:id',
    {
      config: { access: 'agent', inboxScoped: 'conversation' },
      schema: {
        tags,
        summary:
          'Move the conversation to the trash: hidden everywhere, restorable by an admin until purgeAfter ' +
          '(the trash window, GET /api/trash/window), then purged by the retention sweep; ' +
          '409 legal_hold while a hold binds it',
        params: IdParams,
        response: { 200: TrashedResult, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const { retainDays } = await trashWindow(deps.db, deps.config.trashRetainDays);
      return trashConversation(deps, request.params.id, currentAgent(request).id, retainDays, deps.clock());
    },
  );
};

/** /api/trash: the window (every agent reads it, for the delete dialog; admins set it), the list and restore. */
export const trashRoutes: FastifyPluginAsyncTypebox<{ deps: TrashRoutesDeps }> = async (app, { deps }) => {
  const admin = { access: 'admin' as const };

  app.get(
    '/window',
    {
      config: { access: 'agent' },
      schema: {
        tags,
        summary: 'How many days a conversation deleted now stays in the trash before it is purged',
        response: { 200: TrashWindow, ...errors(401) },
      },
    },
    async () => trashWindow(deps.db, deps.config.trashRetainDays),
  );

  app.put(
    '/window',
    {
      config: admin,
      schema: {
        tags,
        summary:
          'Set the trash window, 1 to 365 days (admin; overrides TRASH_RETAIN_DAYS): it applies to conversations ' +
          'deleted from now on, those already in the trash keep their purge date',
        body: TrashWindowBody,
        response: { 200: TrashWindow, ...errors(400, 401, 403) },
      },
    },
    async (request) =>
      setTrashWindow(deps.db, request.body.retainDays, currentAgent(request).id, deps.config.trashRetainDays),
  );

  app.get(
    '/',
    {
      config: admin,
      schema: {
        tags,
        summary: 'The conversations in the trash, the soonest purged first (admin)',
        response: { 200: TrashList, ...errors(401, 403) },
      },
    },
    async () => ({
      retainDays: (await trashWindow(deps.db, deps.config.trashRetainDays)).retainDays,
      items: await listTrash(deps.db, deps.dataKeys),
    }),
  );

  app.post(
    '/:id/restore',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Take a conversation out of the trash: it is back in the lists, search and analytics (admin)',
        params: IdParams,
        response: { 200: RestoredResult, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => ({ conversation: await restoreConversation(deps, request.params.id, currentAgent(request).id) }),
  );
};
