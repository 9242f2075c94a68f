/**
 * The simulated 39.0 conductor's runbooks, runbook traits and inspection rules (objects/runbook.py,
 * inspection_rule.py, db/sqlalchemy/api.py): written through object_action, read through
 * object_class_action_versions with 39.0's filters, destroy refused with 39.0's TypeError.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classAction, data, makeSim, rejectsWith } from './helpers.ts';

const prim = (name: string, version: string, fields: Record<string, unknown>, changes = Object.keys(fields)) => ({
  'ironic_object.name': name,
  'ironic_object.namespace': 'ironic',
  'ironic_object.version': version,
  'ironic_object.data': fields,
  'ironic_object.changes': changes,
});
const steps = [{ interface: 'deploy', step: 'erase_devices', args: {}, order: '2' }];

async function createRunbook(sim: ReturnType<typeof makeSim>, fields: Record<string, unknown>) {
  const [updates] = await sim.call('object_action', {
    objinst: prim('Runbook', '1.2', { steps, traits: [], ...fields }),
    objmethod: 'create',
    args: [],
    kwargs: {},
  });
  return updates;
}

test('Runbook create/list: 1.2 fields, steps with an integer order, filters as the DB API applies them', async () => {
  const sim = makeSim();
  const u = await createRunbook(sim, { uuid: 'a5d0c9b4-1f0b-4c1e-9b6e-0d4f6b2a1c01', name: 'rb-1', owner: 'p1' });
  assert.equal(typeof u.id, 'number');
  assert.deepEqual(u.steps, [{ interface: 'deploy', step: 'erase_devices', args: {}, order: 2 }]);
  await createRunbook(sim, { name: 'rb-2', public: true, traits: ['CUSTOM_A', 'CUSTOM_A'] });
  await createRunbook(sim, { name: 'rb-3', owner: 'p2' });
  const names = async (filters: Record<string, unknown>) =>
    (await sim.call('object_class_action_versions', classAction('Runbook', 'list', [], { filters }))).map(
      (p: any) => data(p).name,
    );
  assert.deepEqual(await names({}), ['rb-1', 'rb-2', 'rb-3']);
  assert.deepEqual(await names({ name_in: ['rb-3', 'nope'] }), ['rb-3']);
  assert.deepEqual(await names({ uuid_in: ['a5d0c9b4-1f0b-4c1e-9b6e-0d4f6b2a1c01'] }), ['rb-1']);
  assert.deepEqual(await names({ project: 'p1' }), ['rb-1', 'rb-2']);
  await rejectsWith(
    sim.call('object_class_action_versions', classAction('Runbook', 'list', [], { filters: { shard: 'x' } })),
    'ValueError',
    'SqlAlchemy API does not support filtering by shard',
  );
  const two = data(await sim.call('object_class_action_versions', classAction('Runbook', 'get_by_name', ['rb-2'])));
  assert.deepEqual(two.traits, ['CUSTOM_A']);
  // a 1.1 reader gets neither description nor traits
  const old = await sim.call(
    'object_class_action_versions',
    classAction('Runbook', 'get_by_name', ['rb-2'], {}, '1.1'),
  );
  assert.equal(old['ironic_object.version'], '1.1');
  assert.equal('traits' in data(old), false);
  await rejectsWith(
    createRunbook(sim, { name: 'rb-1' }),
    'RunbookDuplicateName',
    'A runbook with name rb-1 already exists.',
  );
  await rejectsWith(
    sim.call('object_class_action_versions', classAction('Runbook', 'get_by_name', ['none'])),
    'RunbookNotFound',
    'Runbook none could not be found.',
  );
});

test('runbook traits: RunbookTraitList.create replaces, RunbookTrait create adds, destroy one or all', async () => {
  const sim = makeSim();
  const { id } = await createRunbook(sim, { name: 'rb-t' });
  const traits = async () =>
    data(await sim.call('object_class_action_versions', classAction('Runbook', 'get_by_id', [id]))).traits;
  const list = await sim.call(
    'object_class_action_versions',
    classAction('RunbookTraitList', 'create', [id, ['CUSTOM_B', 'CUSTOM_C']]),
  );
  assert.equal(list['ironic_object.name'], 'RunbookTraitList');
  assert.deepEqual(await traits(), ['CUSTOM_B', 'CUSTOM_C']);
  await sim.call('object_action', {
    objinst: prim('RunbookTrait', '1.0', { runbook_id: id, trait: 'CUSTOM_D' }),
    objmethod: 'create',
    args: [],
    kwargs: {},
  });
  assert.deepEqual(await traits(), ['CUSTOM_B', 'CUSTOM_C', 'CUSTOM_D']);
  await sim.call('object_class_action_versions', classAction('RunbookTrait', 'destroy', [id, 'CUSTOM_C']));
  assert.deepEqual(await traits(), ['CUSTOM_B', 'CUSTOM_D']);
  await rejectsWith(
    sim.call('object_class_action_versions', classAction('RunbookTrait', 'destroy', [id, 'CUSTOM_C'])),
    'RunbookTraitNotFound',
  );
  await sim.call('object_class_action_versions', classAction('RunbookTraitList', 'destroy', [id]));
  assert.deepEqual(await traits(), []);
  await rejectsWith(
    sim.call('object_class_action_versions', classAction('RunbookTraitList', 'destroy', [999])),
    'RunbookNotFound',
  );
});

test('save keeps traits (the traits endpoints own them); destroy fails as on 39.0 (no context argument)', async () => {
  const sim = makeSim();
  const u = await createRunbook(sim, { name: 'rb-s', traits: ['CUSTOM_S'] });
  const [changed] = await sim.call('object_action', {
    objinst: prim('Runbook', '1.2', { id: u.id, uuid: u.uuid, name: 'rb-s2', traits: [] }, ['name', 'traits']),
    objmethod: 'save',
    args: [],
    kwargs: {},
  });
  assert.equal(changed.name, undefined); // unchanged from what was sent
  assert.deepEqual(changed.traits, ['CUSTOM_S']);
  for (const [name, version] of [
    ['Runbook', '1.2'],
    ['InspectionRule', '1.1'],
  ])
    await rejectsWith(
      sim.call('object_action', {
        objinst: prim(name, version, { id: 1, uuid: u.uuid }),
        objmethod: 'destroy',
        args: [],
        kwargs: {},
      }),
      'TypeError',
      `${name}.destroy() takes 1 positional argument but 2 were given`,
    );
});

test('InspectionRule create/get/list/save with 39.0 defaults; phase and scope the only filters', async () => {
  const sim = makeSim();
  const uuid = 'b5d0c9b4-1f0b-4c1e-9b6e-0d4f6b2a1c02';
  const actions = [{ op: 'log', args: { msg: 'x' } }];
  const [u] = await sim.call('object_action', {
    objinst: prim('InspectionRule', '1.1', { uuid, actions }),
    objmethod: 'create',
    args: [],
    kwargs: {},
  });
  assert.deepEqual({ p: u.priority, ph: u.phase, s: u.sensitive }, { p: 0, ph: 'main', s: false });
  const got = data(
    await sim.call('object_class_action_versions', classAction('InspectionRule', 'get_by_uuid', [uuid])),
  );
  assert.deepEqual(got.actions, actions);
  const list = await sim.call(
    'object_class_action_versions',
    classAction('InspectionRule', 'list', [], { filters: { phase: 'main' } }),
  );
  assert.equal(list.length, 1);
  await rejectsWith(
    sim.call('object_class_action_versions', classAction('InspectionRule', 'list', [], { filters: { uuid: 'x' } })),
    'ValueError',
  );
  await rejectsWith(
    sim.call(
      'object_class_action_versions',
      classAction('InspectionRule', 'get_by_uuid', ['c5d0c9b4-1f0b-4c1e-9b6e-0d4f6b2a1c03']),
    ),
    'InspectionRuleNotFound',
    'Rule c5d0c9b4-1f0b-4c1e-9b6e-0d4f6b2a1c03 could not be found.',
  );
  const [saved] = await sim.call('object_action', {
    objinst: prim('InspectionRule', '1.1', { id: u.id, uuid, priority: 7, actions }, ['priority']),
    objmethod: 'save',
    args: [],
    kwargs: {},
  });
  assert.ok(saved.updated_at);
});
