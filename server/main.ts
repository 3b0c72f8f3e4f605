import { ConfigError, loadConfig } from './config.ts';
import { startServer } from './server.ts';
import { surviveUnhandledRejections } from './process-safety.ts';
import { KeyError } from './security/keys.ts';

let config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}

const server = await startServer(config).catch((err: unknown) => {
  // A missing or wrong master key: say what to do, not a stack trace.
  if (!(err instanceof KeyError)) throw err;
  console.error(`Cannot start: ${err.message}`);
  process.exit(1);
});
// A failure at start-up still ends the process (above); once serving, a stray rejection is logged, not fatal.
surviveUnhandledRejections(server.fastify.log);
const where = config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite in ${config.dataDir}`;
console.log(`\n  Support inbox running on ${config.publicUrl}  (database: ${where})`);
console.log(
  `  Inbox:  ${config.publicUrl}/inbox/    Demo site with the widget: ${config.publicUrl}/demo    ` +
    `API docs: ${config.publicUrl}/api/docs`,
);
if (server.admin.generatedPassword) {
  // Printed once, on the terminal only (never through the logger); set ADMIN_PASSWORD to choose it.
  console.log(`\n  Admin account created: ${config.adminEmail} / ${server.admin.generatedPassword}`);
  console.log(
    '  This password is shown only now and works once: at the first sign-in the inbox asks you to choose your own\n' +
      '  (or set ADMIN_PASSWORD before the first start). Your display name, which customers see on your replies, is\n' +
      '  "Support team" until you change it under your name at the top right (Profile).\n',
  );
} else if (server.admin.created) {
  console.log(`\n  Admin account created: ${config.adminEmail} (password from ADMIN_PASSWORD)`);
  console.log('  Change your display name and password under your name at the top right of the inbox (Profile).\n');
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
