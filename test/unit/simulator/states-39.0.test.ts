/** The state machine of 39.0 (ironic/common/state_machine.py): holds, unhold, servicing, the new aborts. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import * as S from '../../../src/conductor/states.ts';

const TREE = `${process.env.IRONIC_CHROOT_DIR ?? '/var/cache/ironic-gateway/sid-ironic'}/usr/lib/python3/dist-packages/ironic/common`;

test("39.0's transitions are exactly those of 39.0's state_machine.py; 21.4's machine is unchanged by them", (t) => {
  let machine: string;
  let states: string;
  try {
    machine = readFileSync(`${TREE}/state_machine.py`, 'utf8');
    states = readFileSync(`${TREE}/states.py`, 'utf8');
  } catch {
    t.skip("Ironic 39.0's tree (the sid chroot) is not installed");
    return;
  }
  const consts = new Map<string, string>(
    [...states.matchAll(/^([A-Z_]+) = '([^']*)'$/gm)].map((m) => [m[1], m[2]] as [string, string]),
  );
  const theirs = [...machine.matchAll(/add_transition\(st\.(\w+), st\.(\w+), '(\w+)'\)/g)]
    .map((m) => `${consts.get(m[1])} --${m[3]}--> ${consts.get(m[2])}`)
    .sort();
  const events = new Set([...machine.matchAll(/add_transition\(st\.\w+, st\.\w+, '(\w+)'\)/g)].map((m) => m[1]));
  const ours: string[] = [];
  for (const from of consts.values())
    for (const ev of events) {
      const to = S.nextState(from, ev, '39.0');
      if (to !== undefined) ours.push(`${from} --${ev}--> ${to}`);
    }
  assert.deepEqual([...new Set(ours)].sort(), theirs);
  // what a 21.4 client sees differently stays 21.4's on its machine
  assert.equal(S.nextState(S.DEPLOYWAIT, 'abort'), undefined);
  assert.equal(S.nextState(S.DEPLOYWAIT, 'abort', '39.0'), S.DEPLOYFAIL);
  assert.equal(S.nextState(S.ACTIVE, 'service'), undefined);
});

test('targets of the new states: hold and service states aim at active or available', () => {
  const node = { provision_state: S.ACTIVE as string | null, target_provision_state: null as string | null };
  assert.ok(S.processEvent(node, 'service', { background: true, machine: '39.0', targetState: S.ACTIVE }));
  assert.deepEqual({ ...node } as object, { provision_state: S.SERVICING, target_provision_state: S.ACTIVE });
  assert.ok(S.processEvent(node, 'hold', { machine: '39.0' }));
  assert.deepEqual({ ...node } as object, { provision_state: S.SERVICEHOLD, target_provision_state: S.ACTIVE });
  assert.ok(!S.processEvent(node, 'hold'), "21.4's machine has no service hold");
  assert.ok(S.UPDATE_ALLOWED_STATES.includes(S.SERVICEHOLD) && S.UNSTABLE_STATES.includes(S.SERVICEWAIT));
});
