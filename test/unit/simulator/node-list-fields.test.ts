/** Node.list's `fields` (Ironic 21.4): the simulated conductor loads and answers only those columns, as the real one. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classAction, data, makeSim, rejectsWith } from './helpers.ts';

const list = (sim: ReturnType<typeof makeSim>, args: unknown[], kwargs: Record<string, unknown> = {}) =>
  sim.call('object_class_action_versions', classAction('Node', 'list', args, kwargs));

/** What Node.list always adds to the fields asked for (objects/node.py), 'version' being no object field. */
const ALWAYS = ['id', 'updated_at', 'created_at', 'owner', 'lessee', 'driver', 'conductor_group'];

test('Node.list with fields: each primitive carries those and the columns the model always loads, nothing else', async () => {
  const sim = makeSim({ nodes: 3 });
  sim.store.node(1).owner = 'p1';
  const whole = await list(sim, []);
  assert.ok(Object.keys(data(whole[0])).includes('driver_info'));
  assert.ok(Object.keys(data(whole[0])).includes('traits'));

  const some = await list(sim, [], { fields: ['name', 'provision_state', 'maintenance'] });
  assert.equal(some.length, 3);
  for (const [i, p] of some.entries()) {
    assert.deepEqual(Object.keys(data(p)).sort(), [...ALWAYS, 'name', 'provision_state', 'maintenance'].sort());
    assert.equal(data(p).name, `fake-node-${i + 1}`);
    assert.equal(data(p).id, data(whole[i]).id);
    assert.equal(data(p).created_at, data(whole[i]).created_at);
    assert.equal(p['ironic_object.version'], whole[i]['ironic_object.version']);
  }
  assert.equal(data(some[0]).owner, 'p1');

  // positional (the sixth argument), with limit and sort, and traits only when named
  const positional = await list(sim, [2, null, 'name', 'desc', {}, ['uuid', 'traits']]);
  assert.deepEqual(
    positional.map((p: any) => data(p).uuid),
    [data(whole[2]).uuid, data(whole[1]).uuid],
  );
  assert.deepEqual(Object.keys(data(positional[0])).sort(), [...ALWAYS, 'uuid', 'traits'].sort());
  assert.equal(data(positional[0]).traits['ironic_object.name'], 'TraitList');

  // an empty list or null: whole objects, as `if fields:` in Node.list
  for (const fields of [[], null]) {
    const all = await list(sim, [], { fields });
    assert.deepEqual(Object.keys(data(all[0])).sort(), Object.keys(data(whole[0])).sort());
  }
});

test('Node.list with fields: a name that is no Node column fails as the query does, before the filters', async () => {
  const sim = makeSim({ nodes: 1 });
  await rejectsWith(
    list(sim, [], { fields: ['name', 'chassis_uuid'] }),
    'AttributeError',
    /has no attribute 'chassis_uuid'/,
  );
  await rejectsWith(
    list(sim, [], { fields: ['conductor'], filters: { chassis_uuid: '1be26c0b-03f2-4d2e-ae87-c02d7f33c123' } }),
    'AttributeError',
  );
  await rejectsWith(list(sim, [], { fields: 'name' }), 'TypeError', /can only concatenate list \(not "str"\) to list/);
  // a valid selection still reports the filters' errors
  await rejectsWith(
    list(sim, [], { fields: ['name'], filters: { chassis_uuid: '1be26c0b-03f2-4d2e-ae87-c02d7f33c123' } }),
    'ChassisNotFound',
  );
});
