/**
 * Generates the OpenAPI 3.1 document from the routes' own schemas (via @fastify/swagger) into
 * openapi/openapi.json. `--check` exits 1 when the committed file is stale.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../config.ts';
import { buildApp } from '../http/app.ts';
import { resourceRoutes } from '../http/routes/index.ts';

export const OPENAPI_PATH = resolve(dirname(fileURLToPath(import.meta.url)), '../../openapi/openapi.json');

/** The OpenAPI document as the committed file holds it (stable key order, trailing newline). */
export async function renderOpenApi(): Promise<string> {
  const config = loadConfig({ env: {}, overrides: { log_level: 'silent' } });
  const app = await buildApp(config, { routes: resourceRoutes });
  await app.ready();
  const doc = app.swagger();
  await app.close();
  return `${JSON.stringify(doc, null, 2)}\n`;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const text = await renderOpenApi();
  if (process.argv.includes('--check')) {
    const current = readFileSync(OPENAPI_PATH, 'utf8');
    if (current !== text) {
      process.stderr.write('openapi/openapi.json is stale: run `npm run openapi`\n');
      process.exit(1);
    }
  } else {
    mkdirSync(dirname(OPENAPI_PATH), { recursive: true });
    writeFileSync(OPENAPI_PATH, text);
    process.stdout.write(`wrote ${OPENAPI_PATH}\n`);
  }
}
