/**
 * Issue 15, slice nodes: the node fields of 1.83–1.109 (parent_node, firmware_interface,
 * service_step, disable_power_off, instance_name, health), child nodes (hidden from lists at
 * every microversion, `include_children`, `parent_node`, GET …/children), `?instance_name=`,
 * the 409 on powering off a node with disable_power_off, instance_name from display_name,
 * node history's 1.113/1.115 fields and sort parameters — unpinned (39.0) and pinned 21.4.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { makeContext } from '../../../src/conductor/context.ts';
import { resourceRoutes } from '../../../src/http/routes/index.ts';
import { testGateway, type TestGateway } from '../../support/app.ts';
import { call, expectError } from './nodes-helpers.ts';

const LATEST = '1.115';

let g: TestGateway;
let pinned: TestGateway;
before(async () => {
  g = await testGateway({ routes: resourceRoutes, config: { pin_release_version: undefined } });
  pinned = await testGateway({ routes: resourceRoutes, config: { pin_release_version: '21.4' } });
});
after(async () => {
  await g.close();
  await pinned.close();
});

async function create(t: TestGateway, body: Record<string, unknown>, version = LATEST): Promise<Record<string, any>> {
  const r = await call(t.app, '/v1/nodes', { method: 'POST', version, body: { driver: 'fake-hardware', ...body } });
  assert.equal(r.statusCode, 201, r.body);
  return r.json();
}

const NEW_FIELDS: Record<string, number> = {
  parent_node: 83,
  firmware_interface: 86,
  service_step: 87,
  disable_power_off: 95,
  instance_name: 104,
  health: 109,
};

describe('node fields of 1.83–1.109', () => {
  test('each is shown from its microversion and hidden (and 406 in ?fields=) below it', async () => {
    const node = await create(g, {});
    for (const [f, v] of Object.entries(NEW_FIELDS)) {
      const at = await call(g.app, `/v1/nodes/${node.uuid}`, { version: `1.${v}` });
      assert.ok(f in at.json(), `${f} at 1.${v}`);
      const below = await call(g.app, `/v1/nodes/${node.uuid}`, { version: `1.${v - 1}` });
      assert.ok(!(f in below.json()), `${f} at 1.${v - 1}`);
      expectError(await call(g.app, `/v1/nodes/${node.uuid}?fields=${f}`, { version: `1.${v - 1}` }), 406);
      const sel = await call(g.app, `/v1/nodes/${node.uuid}?fields=${f}`, { version: `1.${v}` });
      assert.equal(sel.statusCode, 200, sel.body);
      assert.deepEqual(Object.keys(sel.json()).sort(), [f, 'links'].sort());
    }
    const full = (await call(g.app, `/v1/nodes/${node.uuid}`, { version: LATEST })).json();
    assert.equal(full.disable_power_off, false);
    assert.equal(full.instance_name, null);
    assert.equal(full.parent_node, null);
    assert.equal(full.health, null);
    assert.deepEqual(full.service_step, {});
  });

  test('POST takes disable_power_off, instance_name, firmware_interface at their versions; 406 below', async () => {
    const n = await create(g, { disable_power_off: 'true', instance_name: 'vm-1' });
    assert.equal(n.disable_power_off, true);
    assert.equal(n.instance_name, 'vm-1');
    expectError(
      await call(g.app, '/v1/nodes', {
        method: 'POST',
        version: '1.94',
        body: { driver: 'fake-hardware', disable_power_off: true },
      }),
      406,
    );
    expectError(
      await call(g.app, '/v1/nodes', {
        method: 'POST',
        version: '1.103',
        body: { driver: 'fake-hardware', instance_name: 'x' },
      }),
      406,
    );
    const short = await call(g.app, '/v1/nodes', {
      method: 'POST',
      version: LATEST,
      body: { driver: 'fake-hardware', instance_name: '' },
    });
    assert.equal(short.statusCode, 400, short.body);
  });

  test('PATCH of a new field below its version is 406; health is read-only; the 400 lists 39.0 fields', async () => {
    const n = await create(g, {});
    const patch = (version: string, body: unknown) =>
      call(g.app, `/v1/nodes/${n.uuid}`, { method: 'PATCH', version, body });
    expectError(await patch('1.94', [{ op: 'replace', path: '/disable_power_off', value: true }]), 406);
    expectError(await patch('1.103', [{ op: 'add', path: '/instance_name', value: 'a' }]), 406);
    expectError(await patch('1.82', [{ op: 'add', path: '/parent_node', value: n.uuid }]), 406);
    const health = await patch(LATEST, [{ op: 'replace', path: '/health', value: 'OK' }]);
    expectError(
      health,
      400,
      /Cannot patch \/health\. Only the following can be updated: .*disable_power_off, driver,.*instance_name, instance_uuid,.*vendor_interface, parent_node, firmware_interface$/,
    );
    // at an old microversion too (39.0 lists the new fields whatever the version)
    expectError(
      await patch('1.50', [{ op: 'replace', path: '/health', value: 'OK' }]),
      400,
      /parent_node, firmware_interface$/,
    );
    const ok = await patch(LATEST, [
      { op: 'replace', path: '/disable_power_off', value: 'yes' },
      { op: 'add', path: '/instance_name', value: 'vm-2' },
    ]);
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(ok.json().disable_power_off, true);
    assert.equal(ok.json().instance_name, 'vm-2');
  });

  test('pinned 21.4: no new field shown, the PATCH list is 21.4’s, a new POST field is an unknown one', async () => {
    const n = await create(pinned, {}, '1.82');
    for (const f of Object.keys(NEW_FIELDS)) assert.ok(!(f in n), f);
    const r = await call(pinned.app, `/v1/nodes/${n.uuid}`, {
      method: 'PATCH',
      version: '1.82',
      body: [{ op: 'add', path: '/instance_name', value: 'a' }],
    });
    expectError(
      r,
      400,
      /Cannot patch \/instance_name\. Only the following can be updated: .*storage_interface, vendor_interface$/,
    );
    const post = await call(pinned.app, '/v1/nodes', {
      method: 'POST',
      version: '1.82',
      body: { driver: 'fake-hardware', parent_node: n.uuid },
    });
    expectError(post, 400, /Additional properties are not allowed \('parent_node' was unexpected\)/);
    // ?fields= naming a 39.0 field: no such field to 21.4 (400), not a 406
    expectError(
      await call(pinned.app, `/v1/nodes/${n.uuid}?fields=uuid,health`, { version: '1.82' }),
      400,
      /^Field health is not a valid field\.$/,
    );
    expectError(await call(pinned.app, '/v1/nodes?fields=parent_node', { version: '1.82' }), 400, /parent_node/);
  });
});

describe('child nodes (1.83)', () => {
  test('children are hidden from every list unless include_children; ?parent_node; GET …/children', async () => {
    const parent = await create(g, { name: 'parent-1' });
    // a name is resolved to the parent's uuid on POST and on PATCH
    const child = await create(g, { parent_node: 'parent-1' });
    assert.equal(child.parent_node, parent.uuid);
    const other = await create(g, {});
    const patched = await call(g.app, `/v1/nodes/${other.uuid}`, {
      method: 'PATCH',
      version: LATEST,
      body: [{ op: 'add', path: '/parent_node', value: 'parent-1' }],
    });
    assert.equal(patched.statusCode, 200, patched.body);
    assert.equal(patched.json().parent_node, parent.uuid);
    const uuids = async (url: string, version: string) => {
      const r = await call(g.app, url, { version });
      assert.equal(r.statusCode, 200, r.body);
      return (r.json().nodes as { uuid: string }[]).map((n) => n.uuid);
    };
    for (const version of ['1.1', '1.82', LATEST]) {
      const listed = await uuids('/v1/nodes', version);
      assert.ok(listed.includes(parent.uuid), version);
      assert.ok(!listed.includes(child.uuid) && !listed.includes(other.uuid), `children hidden at ${version}`);
      assert.ok(!(await uuids('/v1/nodes/detail', version)).includes(child.uuid));
    }
    assert.ok((await uuids('/v1/nodes?include_children=true', LATEST)).includes(child.uuid));
    assert.ok(!(await uuids('/v1/nodes?include_children=false', LATEST)).includes(child.uuid));
    assert.deepEqual(
      (await uuids(`/v1/nodes?parent_node=${parent.uuid}`, LATEST)).sort(),
      [child.uuid, other.uuid].sort(),
    );
    // compared literally: a name matches nothing
    assert.deepEqual(await uuids('/v1/nodes?parent_node=parent-1', LATEST), []);
    // /detail takes them at any version (39.0 does not validate them there), as booleans
    assert.ok((await uuids('/v1/nodes/detail?include_children=True', '1.1')).includes(child.uuid));
    assert.ok(!(await uuids('/v1/nodes/detail?include_children=false', '1.1')).includes(child.uuid));
    // a child is still readable by uuid at any version
    assert.equal((await call(g.app, `/v1/nodes/${child.uuid}`, { version: '1.1' })).statusCode, 200);
    // below 1.83 the parameters are 406 naming 1.83; include_children must be a boolean
    expectError(await call(g.app, '/v1/nodes?include_children=true', { version: '1.82' }), 406, /should be 1\.83/);
    expectError(await call(g.app, `/v1/nodes?parent_node=${parent.uuid}`, { version: '1.82' }), 406, /should be 1\.83/);
    expectError(await call(g.app, '/v1/nodes?include_children=maybe', { version: LATEST }), 400, /include_children/);

    const children = await call(g.app, '/v1/nodes/parent-1/children', { version: '1.83' });
    assert.equal(children.statusCode, 200, children.body);
    assert.deepEqual(children.json().children.sort(), [child.uuid, other.uuid].sort());
    assert.equal(children.json().links.rel, 'children');
    assert.match(
      children.json().links.href,
      new RegExp(`^http://localhost(:80)?/v1/nodes\\?parent_node=${parent.uuid}$`),
    );
    assert.deepEqual((await call(g.app, `/v1/nodes/${child.uuid}/children`, { version: LATEST })).json().children, []);
    // below 1.83: 404 (39.0 answers 500 with an empty body, reference §7 R4: fixed)
    expectError(await call(g.app, '/v1/nodes/parent-1/children', { version: '1.82' }), 404);
    expectError(await call(g.app, '/v1/nodes/nope/children', { version: LATEST }), 404, /Node nope could not be found/);
  });

  test('a parent the caller cannot see or with another owner is 400, in one wording', async () => {
    const owned = await create(g, { owner: 'p1' });
    const msg = (v: string) =>
      new RegExp(`^Unable to apply the requested parent_node '${v}'\\. Requested value was invalid\\.$`);
    const post = await call(g.app, '/v1/nodes', {
      method: 'POST',
      version: LATEST,
      body: { driver: 'fake-hardware', parent_node: owned.uuid },
    });
    expectError(post, 400, msg(owned.uuid));
    const missing = await call(g.app, '/v1/nodes', {
      method: 'POST',
      version: LATEST,
      body: { driver: 'fake-hardware', parent_node: 'no-such-node' },
    });
    expectError(missing, 400, msg('no-such-node'));
    const same = await create(g, { owner: 'p1', parent_node: owned.uuid });
    assert.equal(same.parent_node, owned.uuid);
    const n = await create(g, {});
    const r = await call(g.app, `/v1/nodes/${n.uuid}`, {
      method: 'PATCH',
      version: LATEST,
      body: [{ op: 'replace', path: '/parent_node', value: owned.uuid }],
    });
    expectError(r, 400, msg(owned.uuid));
    const long = await call(g.app, `/v1/nodes/${n.uuid}`, {
      method: 'PATCH',
      version: LATEST,
      body: [{ op: 'remove', path: '/parent_node' }],
    });
    assert.equal(long.statusCode, 200, long.body);
  });

  test('pinned 21.4: the list parameters are unknown ones and …/children does not exist', async () => {
    expectError(await call(pinned.app, '/v1/nodes?include_children=true', { version: '1.82' }), 400);
    expectError(await call(pinned.app, '/v1/nodes?instance_name=x', { version: '1.82' }), 400);
    const n = await create(pinned, {}, '1.82');
    const r = await call(pinned.app, `/v1/nodes/${n.uuid}/children`, { version: '1.82' });
    assert.equal(r.statusCode, 404, r.body);
    assert.equal(JSON.parse(r.json().error_message).title, 'Not Found'); // the node router's webob 404
  });
});

describe('instance_name (1.104)', () => {
  test('?instance_name= filters from 1.104 (406 below); a PATCH of instance_info copies display_name', async () => {
    const a = await create(g, { instance_name: 'web-1' });
    await create(g, { instance_name: 'web-2' });
    const r = await call(g.app, '/v1/nodes?instance_name=web-1', { version: '1.104' });
    assert.deepEqual(
      r.json().nodes.map((n: { uuid: string }) => n.uuid),
      [a.uuid],
    );
    expectError(
      await call(g.app, '/v1/nodes?instance_name=web-1', { version: '1.103' }),
      406,
      /^instance_name is not acceptable in this API version$/,
    );
    expectError(await call(g.app, '/v1/nodes/detail?instance_name=web-1', { version: '1.103' }), 406);
    // at any microversion, when the node has no instance_name yet
    const b = await create(g, {});
    const patch = (version: string, value: unknown) =>
      call(g.app, `/v1/nodes/${b.uuid}`, {
        method: 'PATCH',
        version,
        body: [{ op: 'add', path: '/instance_info', value }],
      });
    assert.equal((await patch('1.1', { display_name: 'vm-a' })).statusCode, 200);
    const shown = (await call(g.app, `/v1/nodes/${b.uuid}`, { version: LATEST })).json();
    assert.equal(shown.instance_name, 'vm-a');
    // not when it has one
    assert.equal((await patch('1.1', { display_name: 'vm-b' })).statusCode, 200);
    assert.equal((await call(g.app, `/v1/nodes/${b.uuid}`, { version: LATEST })).json().instance_name, 'vm-a');
  });

  test('pinned 21.4: a PATCH of instance_info sends no instance_name', async () => {
    const n = await create(pinned, {}, '1.82');
    const sent = await capturingUpdates(pinned, () =>
      call(pinned.app, `/v1/nodes/${n.uuid}`, {
        method: 'PATCH',
        version: '1.82',
        body: [{ op: 'add', path: '/instance_info', value: { display_name: 'vm' } }],
      }),
    );
    assert.deepEqual(
      sent.map((p) => p['ironic_object.changes']),
      [['instance_info']],
    );
  });
});

/** The Node primitives update_node sends while `fn` runs (as they go on the wire). */
async function capturingUpdates(t: TestGateway, fn: () => Promise<unknown>): Promise<Record<string, any>[]> {
  const api = t.app.conductor as unknown as Record<string, unknown>;
  const sent: Record<string, any>[] = [];
  const original = (api.update_node as (...a: unknown[]) => Promise<unknown>).bind(api);
  api.update_node = (...args: unknown[]) => {
    sent.push(JSON.parse(JSON.stringify(args[1])));
    return original(...args);
  };
  try {
    const r = (await fn()) as { statusCode: number; body: string };
    assert.equal(r.statusCode, 200, r.body);
  } finally {
    delete api.update_node;
  }
  return sent;
}

describe('nothing lost: update_node carries only the change', () => {
  for (const [name, which, version, nodeVersion] of [
    ['unpinned (Node 1.44)', () => g, LATEST, '1.44'],
    ['pinned 21.4 (Node 1.37)', () => pinned, '1.82', '1.37'],
  ] as const) {
    test(`${name}: a PATCH of one field sends exactly that change`, async () => {
      const t = which();
      const n = await create(t, {}, version);
      for (const [path, value] of [
        ['/extra/k', 'v'],
        ['/description', 'd'],
        ['/name', `n-${n.uuid.slice(0, 8)}`],
      ] as const) {
        const sent = await capturingUpdates(t, () =>
          call(t.app, `/v1/nodes/${n.uuid}`, { method: 'PATCH', version, body: [{ op: 'add', path, value }] }),
        );
        assert.equal(sent.length, 1);
        assert.equal(sent[0]['ironic_object.version'], nodeVersion);
        assert.deepEqual(sent[0]['ironic_object.changes'], [path.split('/')[1]]);
      }
    });
  }

  test('unpinned: disable_power_off and instance_name survive a PATCH, power and provisioning', async () => {
    const n = await create(g, { disable_power_off: true, instance_name: 'keep' });
    const r = await call(g.app, `/v1/nodes/${n.uuid}`, {
      method: 'PATCH',
      version: '1.1',
      body: [{ op: 'add', path: '/extra/x', value: 1 }],
    });
    assert.equal(r.statusCode, 200, r.body);
    const power = await call(g.app, `/v1/nodes/${n.uuid}/states/power`, {
      method: 'PUT',
      version: '1.1',
      body: { target: 'power on' },
    });
    assert.equal(power.statusCode, 202, power.body);
    const manage = await call(g.app, `/v1/nodes/${n.uuid}/states/provision`, {
      method: 'PUT',
      version: LATEST,
      body: { target: 'manage' },
    });
    assert.equal(manage.statusCode, 202, manage.body);
    const after = (await call(g.app, `/v1/nodes/${n.uuid}`, { version: LATEST })).json();
    assert.equal(after.disable_power_off, true);
    assert.equal(after.instance_name, 'keep');
  });
});

describe('disable_power_off (1.95)', () => {
  test('power off and soft power off are 409 at every microversion; power on and reboot pass', async () => {
    const n = await create(g, { disable_power_off: true });
    for (const version of ['1.1', '1.27', '1.94', LATEST]) {
      const off = await call(g.app, `/v1/nodes/${n.uuid}/states/power`, {
        method: 'PUT',
        version,
        body: { target: 'power off' },
      });
      expectError(off, 409, /^Failed to set node power state to power off\.$/);
    }
    const soft = await call(g.app, `/v1/nodes/${n.uuid}/states/power`, {
      method: 'PUT',
      version: LATEST,
      body: { target: 'soft power off' },
    });
    expectError(soft, 409, /soft power off/);
    for (const target of ['power on', 'rebooting']) {
      const r = await call(g.app, `/v1/nodes/${n.uuid}/states/power`, {
        method: 'PUT',
        version: LATEST,
        body: { target },
      });
      assert.equal(r.statusCode, 202, r.body);
    }
  });

  test('the simulated conductor refuses a power off of such a node sent over RPC', async () => {
    const n = await create(g, { disable_power_off: true });
    const on = await call(g.app, `/v1/nodes/${n.uuid}/states/power`, {
      method: 'PUT',
      version: LATEST,
      body: { target: 'power on' },
    });
    assert.equal(on.statusCode, 202);
    for (let i = 0; i < 100; i++) {
      const s = (await call(g.app, `/v1/nodes/${n.uuid}`, { version: LATEST })).json();
      if (s.power_state === 'power on' && s.target_power_state === null) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const topic = `ironic.conductor_manager.${(await call(g.app, `/v1/nodes/${n.uuid}`, { version: LATEST })).json().conductor}`;
    await g.app.conductor.change_node_power_state(makeContext({ is_admin: true }), n.uuid, 'power off', topic);
    await new Promise((r) => setTimeout(r, 200));
    const s = (await call(g.app, `/v1/nodes/${n.uuid}`, { version: LATEST })).json();
    assert.equal(s.power_state, 'power on');
  });
});

test('39.0 masks snmp keys in driver_info and secrets in driver_internal_info; 21.4 did not', async () => {
  for (const [t, version, masked] of [
    [g, LATEST, true],
    [pinned, '1.82', false],
  ] as const) {
    const n = await create(t, { driver_info: { snmp_auth_key: 'k1', snmp_priv_key: 'k2', snmp_user: 'u' } }, version);
    const row = [...t.sim.store.nodes.rows.values()].find((r) => r.uuid === n.uuid);
    assert.ok(row);
    row.driver_internal_info = { some_password: 'secret', plain: 'shown' };
    const shown = (await call(t.app, `/v1/nodes/${n.uuid}`, { version })).json();
    assert.equal(shown.driver_info.snmp_user, 'u');
    assert.equal(shown.driver_info.snmp_auth_key, masked ? '******' : 'k1');
    assert.equal(shown.driver_info.snmp_priv_key, masked ? '******' : 'k2');
    assert.deepEqual(shown.driver_internal_info, { some_password: masked ? '******' : 'secret', plain: 'shown' });
  }
});
