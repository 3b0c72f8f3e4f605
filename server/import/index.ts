import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { and, eq } from 'drizzle-orm';
import { inboxes } from '../../drizzle/schema/index.ts';
import { badRequest, notFound } from '../domain/errors.ts';
import { DEFAULT_PII_POLICY } from '../privacy/pii/policy.ts';
import { readChatwoot } from './chatwoot.ts';
import { readCsv } from './csv.ts';
import { makePlan, retentionInForce, type ImportPlan, type PlanOptions } from './plan.ts';
import { runImport, type ImportDeps, type ImportReport } from './run.ts';
import type { Source, SourceSystem } from './source.ts';
import { readZendesk } from './zendesk.ts';

export type ImportRequest = {
  from: SourceSystem;
  files: string[];
  /** Where attachment files lie (see each importer); null: attachments are reported missing. */
  filesDir: string | null;
  /** The inbox to import into; null: an email inbox "Imported from <system>", made on first use. */
  inboxId: string | null;
  options: PlanOptions;
  dryRun: boolean;
  onProgress?: (done: number, total: number) => void;
};

function readSource(from: SourceSystem, paths: string[], filesDir: string | null): Source {
  if (from === 'csv')
    return readCsv(
      paths.map((p) => ({ name: p, text: readFileSync(p, 'utf8') })),
      filesDir,
    );
  const files = paths.map((p) => {
    try {
      return { name: p, json: JSON.parse(readFileSync(p, 'utf8')) as unknown };
    } catch (err) {
      throw badRequest('import_unreadable', `${basename(p)}: not JSON (${(err as Error).message})`);
    }
  });
  return from === 'zendesk' ? readZendesk(files, filesDir) : readChatwoot(files, filesDir);
}

async function targetInbox(deps: ImportDeps, from: SourceSystem, inboxId: string | null, create: boolean) {
  if (inboxId) {
    const [row] = await deps.db.select({ id: inboxes.id }).from(inboxes).where(eq(inboxes.id, inboxId));
    if (!row) throw notFound('Inbox');
    return row.id;
  }
  const name = `Imported from ${from}`;
  const [found] = await deps.db
    .select({ id: inboxes.id })
    .from(inboxes)
    .where(and(eq(inboxes.name, name), eq(inboxes.channel, 'email')));
  if (found || !create) return found?.id ?? null;
  const [made] = await deps.db.insert(inboxes).values({ name, channel: 'email' }).returning({ id: inboxes.id });
  return made!.id;
}

/**
 * Reads the export, makes the minimization plan and, unless it is a dry run, writes what the plan lets in
 * (server/import/run.ts). The same files with the same options are the same import: run again, it resumes.
 */
export async function importFiles(
  deps: ImportDeps,
  request: ImportRequest,
): Promise<{ plan: ImportPlan; report: ImportReport | null }> {
  if (request.files.length === 0) throw badRequest('import_no_files', 'Name at least one export file');
  const source = readSource(request.from, request.files, request.filesDir);
  const files = request.files.map((p) => {
    const bytes = readFileSync(p);
    return { name: basename(p), bytes: statSync(p).size, sha256: createHash('sha256').update(bytes).digest('hex') };
  });
  const inboxId = await targetInbox(deps, request.from, request.inboxId, !request.dryRun);
  const policy = inboxId ? (await deps.inboxNames.piiPolicy(inboxId))! : DEFAULT_PII_POLICY;
  const { plan, conversations } = makePlan(
    source,
    files,
    request.options,
    await retentionInForce(deps.db),
    policy,
    existsSync,
  );
  if (request.dryRun) return { plan, report: null };
  const sourceKey = createHash('sha256')
    .update(JSON.stringify({ from: request.from, inboxId, files: files.map((f) => f.sha256), options: plan.options }))
    .update(String(plan.redactOnImport))
    .digest('hex');
  const report = await runImport(deps, {
    source,
    plan,
    conversations,
    inboxId: inboxId!,
    sourceKey,
    keepFields: request.options.keepFields,
    onProgress: request.onProgress,
  });
  return { plan, report };
}
