import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classAction, data, makeSim, rejectsWith } from './helpers.ts';

const oca = (sim: ReturnType<typeof makeSim>, ...a: Parameters<typeof classAction>) =>
  sim.call('object_class_action_versions', classAction(...a));

test('Node list: filters, limit, marker, sort_key and sort_dir', async () => {
  const sim = makeSim({ nodes: 5 });
  const all = (await oca(sim, 'Node', 'list')).map(data);
  assert.deepEqual(
    all.map((n: any) => n.name),
    ['fake-node-1', 'fake-node-2', 'fake-node-3', 'fake-node-4', 'fake-node-5'],
  );
  Object.assign(sim.store.node(all[1].uuid), { provision_state: 'available', maintenance: true });
  Object.assign(sim.store.node(all[3].uuid), { provision_state: 'available' });
  const avail = (await oca(sim, 'Node', 'list', [], { filters: { provision_state: 'available' } })).map(data);
  assert.deepEqual(
    avail.map((n: any) => n.name),
    ['fake-node-2', 'fake-node-4'],
  );
  const maint = (
    await oca(sim, 'Node', 'list', [], { filters: { provision_state: 'available', maintenance: false } })
  ).map(data);
  assert.deepEqual(
    maint.map((n: any) => n.name),
    ['fake-node-4'],
  );
  const page1 = (await oca(sim, 'Node', 'list', [2])).map(data);
  assert.deepEqual(
    page1.map((n: any) => n.name),
    ['fake-node-1', 'fake-node-2'],
  );
  const page2 = (await oca(sim, 'Node', 'list', [], { limit: 2, marker: page1[1].uuid })).map(data);
  assert.deepEqual(
    page2.map((n: any) => n.name),
    ['fake-node-3', 'fake-node-4'],
  );
  const desc = (await oca(sim, 'Node', 'list', [], { sort_key: 'name', sort_dir: 'desc', limit: 3 })).map(data);
  assert.deepEqual(
    desc.map((n: any) => n.name),
    ['fake-node-5', 'fake-node-4', 'fake-node-3'],
  );
  const afterMarker = (
    await oca(sim, 'Node', 'list', [], { sort_key: 'name', sort_dir: 'desc', marker: desc[2].uuid })
  ).map(data);
  assert.deepEqual(
    afterMarker.map((n: any) => n.name),
    ['fake-node-2', 'fake-node-1'],
  );
  await rejectsWith(
    oca(sim, 'Node', 'list', [], { sort_key: 'bogus' }),
    'InvalidParameterValue',
    'The sort_key value "bogus" is an invalid field for sorting',
  );
  await rejectsWith(oca(sim, 'Node', 'list', [], { marker: '00000000-0000-0000-0000-000000000000' }), 'NodeNotFound');
  await rejectsWith(
    oca(sim, 'Node', 'list', [], { filters: { chassis_uuid: '00000000-0000-0000-0000-000000000000' } }),
    'ChassisNotFound',
  );
  await sim.stop();
});

test('gets: by uuid, name, id; NodeNotFound as the real conductor words it; versions', async () => {
  const sim = makeSim({ nodes: 1 });
  const byName = await oca(sim, 'Node', 'get_by_name', ['fake-node-1']);
  assert.equal(byName['ironic_object.version'], '1.23');
  assert.equal(data(byName).driver, 'fake-hardware');
  assert.equal(data(byName).network_interface, 'flat');
  assert.equal(data(await oca(sim, 'Node', 'get_by_id', [data(byName).id])).uuid, data(byName).uuid);
  const old = await oca(sim, 'Node', 'get_by_uuid', [data(byName).uuid], {}, '1.21');
  assert.equal(old['ironic_object.version'], '1.21');
  assert.ok(!('traits' in data(old)) && !('rescue_interface' in data(old)));
  const err = await rejectsWith(
    oca(sim, 'Node', 'get_by_uuid', ['00000000-0000-0000-0000-000000000000']),
    'NodeNotFound',
    'Node 00000000-0000-0000-0000-000000000000 could not be found.',
  );
  assert.deepEqual(err.kwargs, { node: '"00000000-0000-0000-0000-000000000000"' });
  await rejectsWith(oca(sim, 'Node', 'get_by_name', ['nope']), 'NodeNotFound', 'Node nope could not be found.');
  const port = data((await oca(sim, 'Port', 'list'))[0]);
  assert.equal(data(await oca(sim, 'Port', 'get_by_address', [port.address])).uuid, port.uuid);
  assert.equal((await oca(sim, 'Port', 'list_by_node_id', [data(byName).id])).length, 1);
  assert.equal((await oca(sim, 'Port', 'list_by_node_id', [999])).length, 0);
  await rejectsWith(oca(sim, 'Port', 'get_by_uuid', ['00000000-0000-0000-0000-000000000000']), 'PortNotFound');
  await sim.stop();
});

test('object_action create/save/destroy for chassis, portgroups, volume objects; PortgroupNotEmpty', async () => {
  const sim = makeSim({ nodes: 1 });
  const node = data((await oca(sim, 'Node', 'list'))[0]);
  const prim = (name: string, version: string, d: Record<string, unknown>, changes = Object.keys(d)) => ({
    'ironic_object.name': name,
    'ironic_object.namespace': 'ironic',
    'ironic_object.version': version,
    'ironic_object.data': d,
    'ironic_object.changes': changes,
  });
  const act = (objinst: unknown, objmethod: string) =>
    sim.call('object_action', { objinst, objmethod, args: [], kwargs: {} });

  const [chUpdates] = await act(prim('Chassis', '1.3', { description: 'rack 1', extra: {} }), 'create');
  assert.equal(typeof chUpdates.id, 'number');
  assert.equal(typeof chUpdates.uuid, 'string');
  assert.deepEqual(chUpdates.obj_what_changed, []);
  const chassis = data((await oca(sim, 'Chassis', 'list'))[0]);
  assert.equal(chassis.description, 'rack 1');
  await act(prim('Chassis', '1.3', { ...chassis, description: 'rack 2' }, ['description']), 'save');
  assert.equal(data(await oca(sim, 'Chassis', 'get_by_uuid', [chassis.uuid])).description, 'rack 2');

  await act(prim('Portgroup', '1.3', { node_id: node.id, name: 'bond0', address: '52:54:00:aa:bb:cc' }), 'create');
  const pg = data(await oca(sim, 'Portgroup', 'get_by_name', ['bond0']));
  assert.equal(pg.mode, 'active-backup');
  await rejectsWith(
    act(prim('Portgroup', '1.3', { node_id: node.id, name: 'bond0' }), 'create'),
    'PortgroupDuplicateName',
    'A portgroup with name bond0 already exists.',
  );
  const port = data((await oca(sim, 'Port', 'list'))[0]);
  await sim.call('update_port', { port_obj: prim('Port', '1.7', { ...port, portgroup_id: pg.id }, ['portgroup_id']) });
  await rejectsWith(
    sim.call('destroy_portgroup', { portgroup: prim('Portgroup', '1.3', pg, []) }),
    'PortgroupNotEmpty',
    `Cannot complete the requested action because portgroup ${pg.id} contains ports.`,
  );
  await rejectsWith(
    act(prim('Port', '1.7', { node_id: node.id, address: port.address }), 'create'),
    'MACAlreadyExists',
  );

  await act(
    prim('VolumeConnector', '1.0', { node_id: node.id, type: 'iqn', connector_id: 'iqn.2018-01.org:1' }),
    'create',
  );
  await rejectsWith(
    act(prim('VolumeConnector', '1.0', { node_id: node.id, type: 'iqn', connector_id: 'iqn.2018-01.org:1' }), 'create'),
    'VolumeConnectorTypeAndIdAlreadyExists',
  );
  const vc = data((await oca(sim, 'VolumeConnector', 'list_by_node_id', [node.id]))[0]);
  sim.store.node(node.uuid).power_state = 'power on';
  await rejectsWith(
    sim.call('update_volume_connector', {
      connector: prim('VolumeConnector', '1.0', { ...vc, extra: { a: 1 } }, ['extra']),
    }),
    'InvalidStateRequested',
    /"volume connector update".*"power on"/,
  );
  sim.store.node(node.uuid).power_state = 'power off';
  assert.deepEqual(
    data(
      await sim.call('update_volume_connector', {
        connector: prim('VolumeConnector', '1.0', { ...vc, extra: { a: 1 } }, ['extra']),
      }),
    ).extra,
    { a: 1 },
  );
  await act(
    prim('VolumeTarget', '1.0', { node_id: node.id, volume_type: 'iscsi', volume_id: 'v1', boot_index: 0 }),
    'create',
  );
  await rejectsWith(
    act(
      prim('VolumeTarget', '1.0', { node_id: node.id, volume_type: 'iscsi', volume_id: 'v2', boot_index: 0 }),
      'create',
    ),
    'VolumeTargetBootIndexAlreadyExists',
  );
  assert.equal((await oca(sim, 'VolumeTarget', 'list_by_volume_id', ['v1'])).length, 1);
  await act(prim('Chassis', '1.3', chassis, []), 'destroy');
  assert.deepEqual(await oca(sim, 'Chassis', 'list'), []);
  await sim.stop();
});

test('Conductor list shows this live conductor with its hardware types; backport drops newer fields', async () => {
  const sim = makeSim({ host: 'cond-a' });
  const list = await oca(sim, 'Conductor', 'list');
  assert.equal(list.length, 1);
  assert.deepEqual(
    [data(list[0]).hostname, data(list[0]).drivers, data(list[0]).conductor_group],
    ['cond-a', ['fake-hardware'], ''],
  );
  const port = {
    'ironic_object.name': 'Port',
    'ironic_object.namespace': 'ironic',
    'ironic_object.version': '1.7',
    'ironic_object.data': { id: 1, uuid: 'u', physical_network: 'physnet1', pxe_enabled: true },
  };
  const back = await sim.call('object_backport_versions', { objinst: port, object_versions: { Port: '1.6' } });
  assert.equal(back['ironic_object.version'], '1.6');
  assert.deepEqual(data(back), { id: 1, uuid: 'u', pxe_enabled: true });
  await sim.stop();
  assert.equal(sim.store.conductors.rows.size, 0);
});

test('Port, Portgroup and volume lists take project (the node owner or lessee) before the page is cut; Port owner', async () => {
  const sim = makeSim({ nodes: 3 });
  const nodes = (await oca(sim, 'Node', 'list')).map(data);
  Object.assign(sim.store.node(nodes[0].uuid), { owner: 'p1' });
  Object.assign(sim.store.node(nodes[1].uuid), { owner: 'p2', lessee: 'p1' });
  const ids = nodes.map((n: any) => sim.store.node(n.uuid).id);
  sim.store.createPort({ node_id: ids[2], address: 'aa:bb:cc:00:00:03' });
  sim.store.createPort({ node_id: ids[0], address: 'aa:bb:cc:00:00:01' });
  sim.store.createPort({ node_id: ids[1], address: 'aa:bb:cc:00:00:02' });
  const addresses = async (kw: Record<string, unknown>, method = 'list', args: unknown[] = []) =>
    (await oca(sim, 'Port', method, args, kw))
      .map(data)
      .map((p: any) => p.address)
      .filter((a: string) => a.startsWith('aa:')); // the seed's own ports aside
  assert.deepEqual(await addresses({ project: 'p1' }), ['aa:bb:cc:00:00:01', 'aa:bb:cc:00:00:02']);
  // filtered before the page is cut: the first port of p2's only node comes after others' ports
  const first = (await oca(sim, 'Port', 'list', [], { project: 'p2', limit: 1 })).map(data);
  assert.equal(first.length, 1);
  assert.equal(first[0].node_id, ids[1]);
  assert.deepEqual(await addresses({ project: 'p1', owner: 'p2' }), ['aa:bb:cc:00:00:02'], 'owner wins');
  assert.deepEqual(await addresses({ project: 'p3' }), []);
  assert.deepEqual(await addresses({ project: 'p2' }, 'list_by_node_id', [ids[1]]), ['aa:bb:cc:00:00:02']);
  assert.deepEqual(await addresses({ project: 'p2' }, 'list_by_node_id', [ids[0]]), []);
  await rejectsWith(
    sim.call(
      'object_class_action_versions',
      classAction('Port', 'get_by_address', ['aa:bb:cc:00:00:03'], { project: 'p1' }),
    ),
    'PortNotFound',
  );
});
