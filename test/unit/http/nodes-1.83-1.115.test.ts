/**
 * Issue 15, slice nodes: the node fields of 1.83–1.109 (parent_node, firmware_interface,
 * service_step, disable_power_off, instance_name, health), child nodes (hidden from lists at
 * every microversion, `include_children`, `parent_node`, GET …/children), `?instance_name=`,
 * the 409 on powering off a node with disable_power_off, instance_name from display_name,
 * node history's 1.113/1.115 fields and sort parameters — unpinned (39.0) and pinned 21.4.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
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
  });
});
