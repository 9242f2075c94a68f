/**
 * Route handlers read `request.body`, `request.query` and `request.params` as their schemas
 * type them (route() with the json-schema-to-ts type provider): a cast would let the two drift.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';

const ROOT = join(import.meta.dirname, '../../..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

const CAST = [/request\.(body|query|params)\)?\s+as\b/, /\(request\.(body|query|params)\b[^)]*\)\s+as\b/];

test('no cast of request.body, request.query or request.params in src/http', () => {
  const offenders: string[] = [];
  for (const file of sources(join(ROOT, 'src', 'http'))) {
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (CAST.some((re) => re.test(line))) offenders.push(`${relative(ROOT, file)}:${i + 1}: ${line.trim()}`);
      });
  }
  assert.deepEqual(offenders, []);
});
