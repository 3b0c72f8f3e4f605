import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { and, eq } from 'drizzle-orm';
import {
  IdParams,
  badRequest,
  errors,
  notFound,
  type Db,
  type InboxNameCache,
  type InboxSecrets,
} from '../../server/channel-port.ts';
import { emailMailboxes, inboxes } from '../../drizzle/schema/index.ts';
import type { EmailReaders } from './channel.ts';
import {
  EMAIL_SECRET_PATHS,
  EmailSettingsError,
  mergeEmailSettings,
  parseEmailSettings,
  PasswordRequiredError,
  publicEmailSettings,
  unconnectedEmailSettings,
} from './settings.ts';

const tags = ['inboxes'];

const Server = (withPassword: boolean) =>
  Type.Object({
    host: Type.String({ minLength: 1 }),
    port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
    secure: Type.Optional(
      Type.Boolean({
        description: 'TLS from the first byte (993 / 465); false: STARTTLS, required unless allowPlaintext',
      }),
    ),
    allowPlaintext: Type.Optional(
      Type.Boolean({
        description: 'use the server even without TLS (the password then crosses the network readable); default false',
      }),
    ),
    ca: Type.Optional(
      Type.String({ maxLength: 65_536, description: 'PEM certificates to trust for this server (private CA)' }),
    ),
    user: withPassword ? Type.String({ minLength: 1 }) : Type.Optional(Type.String()),
    password: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          'account password or app password; write-only, stored encrypted; required again when host, port, user, ' +
          'ca or allowPlaintext change (400 password_required)',
      }),
    ),
  });

const SettingsInput = Type.Object({
  address: Type.String({ minLength: 3, description: 'the support address: From and Reply-To of replies' }),
  fromName: Type.Optional(Type.String()),
  imap: Type.Intersect([Server(true), Type.Object({ mailbox: Type.Optional(Type.String({ minLength: 1 })) })]),
  smtp: Server(false),
  markSeen: Type.Optional(Type.Boolean()),
  deleteAfterIngest: Type.Optional(Type.Boolean()),
  maxAttachmentBytes: Type.Optional(Type.Integer({ minimum: 0 })),
  subjectThreadDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 365 })),
});

const PublicServer = Type.Object({
  host: Type.String(),
  port: Type.Integer(),
  secure: Type.Boolean(),
  allowPlaintext: Type.Boolean(),
  ca: Type.Optional(Type.String()),
  user: Type.Optional(Type.String()),
  passwordSet: Type.Boolean(),
});
const EmailInboxView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  connected: Type.Boolean({
    description: 'false: no complete IMAP/SMTP settings yet (hosts and users are empty); PATCH them to connect',
  }),
  settings: Type.Object({
    address: Type.String(),
    fromName: Type.Optional(Type.String()),
    imap: Type.Intersect([PublicServer, Type.Object({ mailbox: Type.String() })]),
    smtp: PublicServer,
    markSeen: Type.Boolean(),
    deleteAfterIngest: Type.Boolean(),
    maxAttachmentBytes: Type.Integer(),
    subjectThreadDays: Type.Integer(),
  }),
  mailbox: Type.Object({
    state: Type.String({
      description:
        'this server process: waiting_for_lease (another server reads it), connecting, syncing, idle, ' +
        'reconnecting, stopped',
    }),
    lastError: Type.Union([Type.String(), Type.Null()]),
    lastUid: Type.Union([Type.Integer(), Type.Null()]),
    uidValidity: Type.Union([Type.Integer(), Type.Null()]),
  }),
});

function validated(raw: unknown) {
  try {
    return parseEmailSettings(raw);
  } catch (err) {
    if (err instanceof EmailSettingsError)
      throw badRequest('invalid_email_settings', err.message, { field: err.field, rule: err.rule });
    throw err;
  }
}

/** The stored settings when they name a complete mail server, else null (not connected yet). */
function connectedSettings(raw: unknown) {
  try {
    return parseEmailSettings(raw);
  } catch (err) {
    if (err instanceof EmailSettingsError) return null;
    throw err;
  }
}

export type EmailAdminDeps = {
  db: Db;
  inboxNames: InboxNameCache;
  /** Passwords are sealed before they are stored, bound to their inbox. */
  secrets: InboxSecrets;
  /** This process's mailbox readers: refreshed at once after a change, asked for their state. */
  readers: Pick<EmailReaders, 'refresh' | 'status'>;
};

/**
 * Email inboxes (mounted under /api/inboxes): created and configured by admins; passwords are write-only
 * (never in a response).
 */
export const emailInboxRoutes =
  (deps: EmailAdminDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    const status = async (inboxId: string, mailbox: string) => {
      const [checkpoint] = await deps.db
        .select()
        .from(emailMailboxes)
        .where(and(eq(emailMailboxes.inboxId, inboxId), eq(emailMailboxes.mailbox, mailbox)));
      const reader = deps.readers.status(inboxId);
      return {
        state: reader?.state ?? 'stopped',
        lastError: reader?.lastError ?? null,
        lastUid: checkpoint?.lastUid ?? null,
        uidValidity: checkpoint?.uidValidity ?? null,
      };
    };
    // Sealed passwords are non-empty strings like any other: the view needs only whether one is set.
    const view = async (id: string, name: string, stored: unknown) => {
      const settings = connectedSettings(stored);
      const shown = settings ?? unconnectedEmailSettings(stored);
      return {
        id,
        name,
        connected: settings !== null,
        settings: publicEmailSettings(shown),
        mailbox: await status(id, shown.imap.mailbox),
      };
    };

    app.post(
      '/email',
      {
        config: { access: 'admin' },
        schema: {
          tags,
          summary: 'Create an email inbox (IMAP in, SMTP out); the server starts reading the mailbox at once',
          body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }), settings: SettingsInput }),
          response: { 201: Type.Object({ inbox: EmailInboxView }), ...errors(400, 401, 403) },
        },
      },
      async (request, reply) => {
        // The id is chosen here: the sealed passwords are bound to it.
        const id = randomUUID();
        const settings = deps.secrets.seal(id, validated(request.body.settings), EMAIL_SECRET_PATHS);
        const [row] = await deps.db
          .insert(inboxes)
          .values({ id, name: request.body.name, channel: 'email', settings })
          .returning();
        await deps.readers.refresh();
        return reply.status(201).send({ inbox: await view(row!.id, row!.name, row!.settings) });
      },
    );

    app.get(
      '/:id/email',
      {
        config: { access: 'admin' },
        schema: {
          tags,
          summary: "An email inbox's settings (without passwords) and its mailbox reader's state",
          params: IdParams,
          response: { 200: Type.Object({ inbox: EmailInboxView }), ...errors(401, 403, 404) },
        },
      },
      async (request) => {
        const [row] = await deps.db
          .select()
          .from(inboxes)
          .where(and(eq(inboxes.id, request.params.id), eq(inboxes.channel, 'email')));
        if (!row) throw notFound('Email inbox');
        return { inbox: await view(row.id, row.name, row.settings) };
      },
    );

    app.patch(
      '/:id/email',
      {
        config: { access: 'admin' },
        schema: {
          tags,
          summary:
            'Change an email inbox; a password left out keeps the stored one while host, port, user, CA and ' +
            'plaintext allowance stay the same (else 400 password_required)',
          params: IdParams,
          body: Type.Object({
            name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            settings: Type.Optional(Type.Partial(SettingsInput)),
          }),
          response: { 200: Type.Object({ inbox: EmailInboxView }), ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => {
        const [row] = await deps.db
          .select()
          .from(inboxes)
          .where(and(eq(inboxes.id, request.params.id), eq(inboxes.channel, 'email')));
        if (!row) throw notFound('Email inbox');
        let settings = row.settings;
        if (request.body.settings) {
          // A stored password that no longer opens (a lost key) is dropped, so a new one can replace it.
          const stored = deps.secrets.open(row.id, row.settings, EMAIL_SECRET_PATHS, true);
          let merged;
          try {
            merged = mergeEmailSettings(stored, request.body.settings);
          } catch (err) {
            if (err instanceof PasswordRequiredError)
              throw badRequest('password_required', err.message, { section: err.section });
            throw err;
          }
          settings = deps.secrets.seal(row.id, validated(merged), EMAIL_SECRET_PATHS);
        }
        const [updated] = await deps.db
          .update(inboxes)
          .set({ name: request.body.name ?? row.name, settings })
          .where(eq(inboxes.id, row.id))
          .returning();
        deps.inboxNames.forget(row.id);
        await deps.readers.refresh();
        return { inbox: await view(updated!.id, updated!.name, updated!.settings) };
      },
    );
  };
