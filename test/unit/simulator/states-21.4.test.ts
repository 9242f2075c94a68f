/** The state machine of 21.4 where it differs from Queens' (ironic/common/states.py). */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import * as S from '../../../src/conductor/states.ts';

test('inspect wait: inspecting --wait--> inspect wait --done/fail/abort--> manageable / inspect failed', () => {
  assert.equal(S.nextState(S.INSPECTING, 'wait'), S.INSPECTWAIT);
  assert.equal(S.nextState(S.INSPECTWAIT, 'done'), S.MANAGEABLE);
  assert.equal(S.nextState(S.INSPECTWAIT, 'fail'), S.INSPECTFAIL);
  assert.equal(S.nextState(S.INSPECTWAIT, 'abort'), S.INSPECTFAIL);
  assert.equal(S.nextState(S.DELETING, 'fail'), S.ERROR);
  assert.equal(S.nextState(S.DELETING, 'error'), undefined);
  const node = {
    provision_state: S.INSPECTING as string | null,
    target_provision_state: S.MANAGEABLE as string | null,
  };
  assert.ok(S.processEvent(node, 'wait', { background: true }));
  assert.deepEqual({ ...node } as object, { provision_state: S.INSPECTWAIT, target_provision_state: S.MANAGEABLE });
  assert.equal(S.VERBS.deploy, 'deploy');
  assert.equal(S.VERBS.undeploy, 'delete');
  assert.ok(S.UPDATE_ALLOWED_STATES.includes(S.INSPECTWAIT));
  assert.ok(!S.DELETE_ALLOWED_STATES.includes(S.AVAILABLE));
  assert.ok(S.UNSTABLE_STATES.includes(S.ADOPTING));
});

test("the transitions are exactly those of the installed Ironic's states.py", (t) => {
  let source: string;
  try {
    source = readFileSync('/usr/lib/python3/dist-packages/ironic/common/states.py', 'utf8');
  } catch {
    t.skip('python3-ironic is not installed');
    return;
  }
  const consts = new Map<string, string>(
    [...source.matchAll(/^([A-Z_]+) = '([^']*)'$/gm)].map((m) => [m[1], m[2]] as [string, string]),
  );
  const theirs = [...source.matchAll(/add_transition\((\w+), (\w+), '(\w+)'\)/g)]
    .map((m) => `${consts.get(m[1])} --${m[3]}--> ${consts.get(m[2])}`)
    .sort();
  const states = [...consts.values()];
  const events = new Set([...source.matchAll(/add_transition\(\w+, \w+, '(\w+)'\)/g)].map((m) => m[1]));
  const ours: string[] = [];
  for (const from of states)
    for (const ev of events) {
      const to = S.nextState(from, ev);
      if (to !== undefined) ours.push(`${from} --${ev}--> ${to}`);
    }
  assert.deepEqual([...new Set(ours)].sort(), theirs);
});
