import { reportingKeyErrors, withRoot } from './cli-database.ts';
import { blobOwners } from './blobs/owners.ts';
import { encryptedMarkerPath, encryptExisting, plaintextRemaining } from './privacy/encrypt-existing.ts';

// `npm run privacy:encrypt-existing`: encrypts the files, consent evidence, bot decisions' scores, identity addresses,
// message text, conversation subjects and contacts' fields stored before per-person encryption
// (server/privacy/encrypt-existing.ts).
// Resumable; prints counts, never a name, an address or a file name.
const STAGES = {
  files: 'Files',
  evidence: 'Consent evidence',
  decisions: 'Bot decisions',
  identities: 'Identities',
  messages: 'Message texts',
  subjects: 'Subjects',
  contacts: 'Contacts',
} as const;

await reportingKeyErrors(() =>
  withRoot(async (root, config) => {
    let last = '';
    const result = await encryptExisting({ ...root, owners: blobOwners(root.db) }, (stage, done, total) => {
      const line = `${STAGES[stage]}: ${done} of ${total}`;
      if (line !== last) console.log(line);
      last = line;
    });
    console.log(
      `Encrypted ${result.files.encrypted} files (${result.files.already} were already, ` +
        `${result.files.missing} are missing from the file store), the evidence of ${result.evidence.encrypted} ` +
        `consent events, the scores of ${result.decisions.encrypted} bot decisions, the addresses of ` +
        `${result.identities.encrypted} identities, the text of ${result.messages.encrypted} messages, the ` +
        `subjects of ${result.subjects.encrypted} conversations and the name, email and phone of ` +
        `${result.contacts.encrypted} contacts.`,
    );
    // Records that no plaintext file is left (servers then skip the check at start), or says what is.
    const left = await plaintextRemaining(root, encryptedMarkerPath(config.dataDir));
    const waiting = [
      left.files,
      left.evidence,
      left.decisions,
      left.identities,
      left.messages,
      left.subjects,
      left.contacts,
    ];
    if (waiting.some((n) => n > 0)) {
      console.error(
        `${left.files} files, ${left.evidence} consent events, ${left.decisions} bot decisions, ` +
          `${left.identities} identities, ${left.messages} messages, ${left.subjects} subjects and ` +
          `${left.contacts} contacts are still ` +
          'unencrypted: run this again.',
      );
      process.exitCode = 2;
    }
  }),
);
