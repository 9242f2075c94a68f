import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ironicError, pyStr } from '../../../src/conductor/exceptions.ts';

test("pyStr writes values as Python's %s does in Ironic's messages", () => {
  assert.equal(pyStr(null), 'None');
  assert.equal(pyStr(undefined), 'None');
  assert.equal(pyStr(true), 'True');
  assert.equal(pyStr(false), 'False');
  assert.equal(pyStr('power off'), 'power off');
  assert.equal(pyStr(3), '3');
});

test("ironicError carries Ironic's class, message, kwargs and module", () => {
  const e = ironicError('NodeLocked', 'locked', { node: 'n1' });
  assert.equal(e.exc_type, 'NodeLocked');
  assert.equal(e.message, 'locked');
  assert.deepEqual(e.kwargs, { node: 'n1' });
  assert.equal(e.module, 'ironic.common.exception');
});
