/**
 * Route handlers read `request.body`, `request.query` and `request.params` as their schemas
 * type them (route() with the json-schema-to-ts type provider): a cast would let the two drift.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { linesMatching } from '../../support/source-lines.ts';

const CAST = [/request\.(body|query|params)\)?\s+as\b/, /\(request\.(body|query|params)\b[^)]*\)\s+as\b/];

test('no cast of request.body, request.query or request.params in src/http', () => {
  assert.deepEqual(linesMatching('src/http', CAST), []);
});
