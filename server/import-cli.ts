import { parseArgs } from 'node:util';
import { withRoot } from './cli-database.ts';
import { importFiles } from './import/index.ts';
import type { ImportPlan } from './import/plan.ts';
import type { ImportReport } from './import/run.ts';
import type { SourceSystem } from './import/source.ts';

const USAGE = `npm run import -- --from zendesk|chatwoot|csv [options] FILE…
  --dry-run                 show the minimization plan; write nothing
  --inbox ID                import into this inbox (default: an email inbox "Imported from <system>")
  --files DIR               where the attachment files are (see README)
  --inactive-since DATE     leave out conversations of contacts with no activity since DATE
  --closed-years N          leave out conversations closed more than N years ago
  --keep-field NAME         carry this custom field over (repeatable); every other one is dropped
  --redact                  redact every PII detector's findings on import, whatever the inbox's policy
  --json                    print the plan (and report) as JSON`;

// `npm run import`: an export of another helpdesk through the minimization plan into this inbox. Prints counts,
// field names and checksums, never a value from the export.
const { values, positionals } = (() => {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        from: { type: 'string' },
        'dry-run': { type: 'boolean' },
        inbox: { type: 'string' },
        files: { type: 'string' },
        'inactive-since': { type: 'string' },
        'closed-years': { type: 'string' },
        'keep-field': { type: 'string', multiple: true },
        redact: { type: 'boolean' },
        json: { type: 'boolean' },
        help: { type: 'boolean' },
      },
    });
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    process.exit(2);
  }
})();
if (values.help || !['zendesk', 'chatwoot', 'csv'].includes(values.from ?? '') || positionals.length === 0) {
  console.error(USAGE);
  process.exit(values.help ? 0 : 2);
}
const inactiveSince = values['inactive-since'] ? new Date(values['inactive-since']) : null;
const closedYears = values['closed-years'] !== undefined ? Number(values['closed-years']) : null;
if ((inactiveSince && Number.isNaN(inactiveSince.getTime())) || (closedYears !== null && !(closedYears >= 0))) {
  console.error(`--inactive-since takes a date, --closed-years a number\n${USAGE}`);
  process.exit(2);
}

/** A bar on a terminal; a line per tenth otherwise (a log file). */
function progress(done: number, total: number) {
  const share = total ? done / total : 1;
  if (process.stderr.isTTY) {
    const width = 30;
    const bar = '#'.repeat(Math.round(share * width)).padEnd(width, '.');
    process.stderr.write(`\r[${bar}] ${Math.round(share * 100)}% ${done}/${total} messages`);
    if (done === total) process.stderr.write('\n');
  } else if (done === total || Math.floor((share * 10) % 10) !== Math.floor((((done - 1) / total) * 10) % 10)) {
    process.stderr.write(`${done}/${total} messages\n`);
  }
}

function printPlan(plan: ImportPlan) {
  const ex = Object.entries(plan.excluded)
    .filter(([, v]) => v.conversations > 0)
    .map(([k, v]) => `${k} ${v.conversations} (${v.messages} messages)`);
  console.log(`Minimization plan (${plan.source}, ${plan.files.length} files)`);
  console.log(`  in the export: ${JSON.stringify(plan.inSource)}`);
  console.log(`  would come in: ${JSON.stringify(plan.included)}`);
  console.log(`  left out (conversations): ${ex.join(', ') || 'none'}`);
  console.log(`  fields dropped: ${JSON.stringify(plan.fieldsDropped)}; kept: ${plan.fieldsKept.join(', ') || 'none'}`);
  console.log(`  PII in the text: ${JSON.stringify(plan.pii)}`);
  console.log(
    `  redact on import: ${plan.redactOnImport ? 'every detector' : `inbox policy ${JSON.stringify(plan.piiPolicy)}`}`,
  );
  const { events, withoutEvidence, contactsWithNone } = plan.consent;
  console.log(`  consent with evidence (carried): ${JSON.stringify(events)}`);
  console.log(`  consent claimed without evidence (not carried): ${JSON.stringify(withoutEvidence)}`);
  console.log(`  contacts with no consent evidence (none recorded): ${contactsWithNone}`);
  if (plan.attachmentsMissing) console.log(`  attachment files not found: ${plan.attachmentsMissing}`);
}

function printReport(report: ImportReport, seconds: number) {
  const { messages, alreadyThere, consentEvents } = report.written;
  console.log(`Import ${report.importId} (${seconds.toFixed(1)} s): ${messages} messages written,`);
  console.log(`  ${alreadyThere} already there, ${consentEvents} consent events`);
  for (const k of Object.keys(report.before) as Array<keyof ImportReport['before']>) {
    const [b, a] = [report.before[k], report.after[k]];
    console.log(`  ${k}: planned ${b.count} ${b.sha256.slice(0, 12)}  stored ${a.count} ${a.sha256.slice(0, 12)}`);
  }
  console.log(report.differences.length ? `  DIFFERENCES: ${report.differences.join('; ')}` : '  no differences');
  console.log('  data map:');
  for (const d of report.dataMap) console.log(`    ${d.from} -> ${d.to}: ${d.count}`);
}

await withRoot(async (root) => {
  const started = performance.now();
  const { plan, report } = await importFiles(root, {
    from: values.from as SourceSystem,
    files: positionals,
    filesDir: values.files ?? null,
    inboxId: values.inbox ?? null,
    options: {
      inactiveSince,
      closedOlderThanYears: closedYears,
      keepFields: values['keep-field'] ?? [],
      redactOnImport: values.redact ?? false,
      now: new Date(),
    },
    dryRun: values['dry-run'] ?? false,
    onProgress: values.json ? undefined : progress,
  });
  if (values.json) console.log(JSON.stringify({ plan, report }, null, 2));
  else {
    printPlan(plan);
    if (report) printReport(report, (performance.now() - started) / 1000);
    else console.log('Dry run: nothing was written.');
  }
  await root.auditAnchor.flush();
  if (report?.differences.length) process.exitCode = 3;
});
