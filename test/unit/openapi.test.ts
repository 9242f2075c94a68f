import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { OPENAPI_PATH, renderOpenApi } from '../../src/tools/openapi.ts';

test('openapi/openapi.json is what the routes generate (run `npm run openapi` when this fails)', async () => {
  const committed = readFileSync(OPENAPI_PATH, 'utf8');
  const generated = await renderOpenApi();
  assert.equal(committed, generated);
  const doc = JSON.parse(generated);
  assert.equal(doc.openapi, '3.1.0');
  assert.ok(doc.paths['/v1'], 'discovery documented');
});
