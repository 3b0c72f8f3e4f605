import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../server/config.ts';
import { startServer } from '../server/server.ts';

/**
 * Writes the OpenAPI document the server serves at /api/docs/json to a file (default openapi/openapi.json), so the
 * linters (npm run lint:api) and the typed client (packages/client) read exactly what the server declares.
 */
const out = process.argv[2] ?? 'openapi/openapi.json';
const dataDir = mkdtempSync(join(tmpdir(), 'openapi-'));
const config = loadConfig({
  DATA_DIR: dataDir,
  ADMIN_PASSWORD: 'openapi-dump-only-password',
  SEED_DEMO: 'false',
  LOG_LEVEL: 'silent',
  BOT_ENABLED: 'false',
  BOT_EMBEDDER: 'lexical',
});
const server = await startServer(config, { listen: false });
await server.fastify.ready();
writeFileSync(out, JSON.stringify(server.fastify.swagger(), null, 2) + '\n');
await server.close();
rmSync(dataDir, { recursive: true, force: true });
