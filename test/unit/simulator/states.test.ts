import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as S from '../../../src/conductor/states.ts';

test("the machine allows Ironic's transitions and refuses the others", () => {
  assert.equal(S.nextState(S.ENROLL, 'manage'), S.VERIFYING);
  assert.equal(S.nextState(S.MANAGEABLE, 'provide'), S.CLEANING);
  assert.equal(S.nextState(S.AVAILABLE, 'deploy'), S.DEPLOYING);
  assert.equal(S.nextState(S.ACTIVE, 'rebuild'), S.DEPLOYING);
  assert.equal(S.nextState(S.ACTIVE, 'rescue'), S.RESCUING);
  assert.equal(S.nextState(S.RESCUE, 'unrescue'), S.UNRESCUING);
  assert.equal(S.nextState(S.DEPLOYFAIL, 'delete'), S.DELETING);
  assert.equal(S.nextState(S.CLEANWAIT, 'abort'), S.CLEANFAIL);
  assert.equal(S.nextState(S.ADOPTFAIL, 'adopt'), S.ADOPTING);
  for (const [from, event] of [
    [S.ENROLL, 'deploy'],
    [S.ENROLL, 'provide'],
    [S.AVAILABLE, 'rescue'],
    [S.ACTIVE, 'deploy'],
    [S.ACTIVE, 'unrescue'],
    [S.AVAILABLE, 'delete'],
    [S.MANAGEABLE, 'deploy'],
    [S.ACTIVE, 'manage'],
    [S.CLEANING, 'abort'],
  ] as const) {
    assert.equal(S.nextState(from, event), undefined, `${from} --${event}-->`);
  }
});

test("process_event keeps targets as Ironic's FSM does", () => {
  const node = { provision_state: S.ENROLL as string | null, target_provision_state: null as string | null };
  assert.ok(S.processEvent(node, 'manage', { background: true }));
  assert.deepEqual({ ...node } as object, { provision_state: S.VERIFYING, target_provision_state: S.MANAGEABLE });
  assert.ok(S.processEvent(node, 'done'));
  assert.deepEqual({ ...node } as object, { provision_state: S.MANAGEABLE, target_provision_state: null });
  // manual clean: target overridden to manageable, and cleared when reached
  assert.ok(S.processEvent(node, 'clean', { background: true, targetState: S.MANAGEABLE }));
  assert.deepEqual({ ...node } as object, { provision_state: S.CLEANING, target_provision_state: S.MANAGEABLE });
  assert.ok(S.processEvent(node, 'fail', { targetState: S.MANAGEABLE }));
  assert.deepEqual({ ...node } as object, { provision_state: S.CLEANFAIL, target_provision_state: S.MANAGEABLE });
  assert.equal(S.processEvent(node, 'deploy'), false);
  assert.equal(node.provision_state, S.CLEANFAIL);
});

test('a failed deploy keeps active as its target', () => {
  const node = { provision_state: S.AVAILABLE as string | null, target_provision_state: null as string | null };
  S.processEvent(node, 'deploy', { background: true });
  S.processEvent(node, 'fail');
  assert.deepEqual({ ...node } as object, { provision_state: S.DEPLOYFAIL, target_provision_state: S.ACTIVE });
});
