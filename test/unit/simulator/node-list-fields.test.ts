/** Node.list's `fields` (Ironic 21.4) honoured as the real conductor does, and the node uuid a Port (1.11) and Portgroup (1.5) carry. */
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

test('a Port and a Portgroup from 1.11 / 1.5 carry their node uuid, as the model reads it through the node; older versions do not', async () => {
  const sim = makeSim({ nodes: 2 });
  const [n1, n2] = [sim.store.node(1), sim.store.node(2)];
  const pg = sim.store.createPortgroup({ node_id: n1.id, address: '52:54:00:aa:00:01' });
  const ports = await sim.call('object_class_action_versions', classAction('Port', 'list', [], {}, '1.11'));
  assert.deepEqual(
    ports.map((p: any) => data(p).node_uuid),
    [n1.uuid, n2.uuid],
  );
  const port = sim.store.ports.rows.get(data(ports[0]).id);
  assert.ok(port);
  sim.store.updatePort(port, { node_id: n2.id });
  const moved = await sim.call(
    'object_class_action_versions',
    classAction('Port', 'get_by_uuid', [port.uuid], {}, '1.11'),
  );
  assert.equal(data(moved).node_uuid, n2.uuid);
  const old = await sim.call(
    'object_class_action_versions',
    classAction('Port', 'get_by_uuid', [port.uuid], {}, '1.7'),
  );
  assert.equal('node_uuid' in data(old), false);
  const pgs = await sim.call(
    'object_class_action_versions',
    classAction('Portgroup', 'get_by_uuid', [pg.uuid], {}, '1.5'),
  );
  assert.equal(data(pgs).node_uuid, n1.uuid);
});

test('Node.list by uuid_in: those nodes in id order, children only with include_children; the objects at the release’s versions', async () => {
  const release = { Node: '1.37', TraitList: '1.0', Trait: '1.0' };
  const sim = makeSim({ nodes: 4, objectVersions: release });
  const whole = await list(sim, []);
  const uuids = whole.map((p: any) => data(p).uuid as string);
  const some = await list(sim, [], { filters: { uuid_in: [uuids[3], 'no-such', uuids[1]] }, limit: 3 });
  assert.deepEqual(
    some.map((p: any) => data(p).uuid),
    [uuids[1], uuids[3]],
  );
  // a 21.4 conductor's list: Node 1.37, without the fields of later versions
  for (const p of whole) {
    assert.equal(p['ironic_object.version'], '1.37');
    assert.equal('parent_node' in data(p), false);
    assert.equal(data(p).traits['ironic_object.version'], '1.0');
  }
  // one node: at the caller's manifest, nested objects included (39.0's TraitList 1.2)
  const one = await sim.call('object_class_action_versions', {
    objname: 'Node',
    objmethod: 'get_by_uuid',
    object_versions: { Node: '1.44', TraitList: '1.2', Trait: '1.1' },
    args: [uuids[0]],
    kwargs: {},
  });
  assert.equal(one['ironic_object.version'], '1.44');
  assert.equal(data(one).traits['ironic_object.version'], '1.2');
  // a child node is hidden from a list unless include_children, as 39.0's query does
  sim.store.node(2).parent_node = uuids[0];
  assert.deepEqual(
    (await list(sim, [], { filters: { uuid_in: [uuids[1], uuids[2]] } })).map((p: any) => data(p).uuid),
    [uuids[2]],
  );
  assert.deepEqual(
    (await list(sim, [], { filters: { uuid_in: [uuids[1], uuids[2]], include_children: true } })).map(
      (p: any) => data(p).uuid,
    ),
    [uuids[1], uuids[2]],
  );
  const state = data(whole[0]).provision_state;
  assert.equal((await list(sim, [], { filters: { provision_state_in: [state] } })).length, 3);
  assert.equal((await list(sim, [], { filters: { provision_state_in: ['no-such-state'] } })).length, 0);
});
