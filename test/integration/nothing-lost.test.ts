/**
 * Nothing lost (issue 14): a write through the gateway never resets a field it did not mean to
 * change, even one its object versions do not know. The stack's own ironic-api (21.4 or 39.0),
 * at its newest microversion, sets every field newer than what the gateway's pinned object
 * versions know; the gateway then PATCHes, powers and provisions the node and PATCHes its port;
 * ironic-api reads them back and every one of those fields must be as it was set.
 *
 * Gateways pinned to 10.1 (Node 1.23, Port 1.7, Portgroup 1.3: it knows none of Rocky's and
 * later fields) and to 21.4 (Node 1.37, Port 1.11, Portgroup 1.5: in front of the 39.0
 * conductor it lacks disable_power_off, instance_name, the ports' and portgroups' newer fields —
 * the fields the 39.0 conductor is known to reset when it receives a Node 1.37 carrying all
 * fields; the gateway sends only the changed ones), and on 39.0 the unpinned gateway too.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { createGateway, type Gateway } from '../../src/gateway.ts';
import { startIronicApi, type IronicApi } from '../support/ironic-api.ts';
import { stack } from '../support/stack-env.ts';

const release = stack.release();
const NEWEST = release === '39.0' ? '1.115' : '1.82';

let api: IronicApi | undefined;
const gateways: Array<{ pin: string | undefined; gw: Gateway; base: string; version: string }> = [];

async function call(base: string, method: string, path: string, version: string, body?: unknown) {
  const r = await fetch(base + path, {
    method,
    headers: { 'x-openstack-ironic-api-version': version, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, body: (text ? JSON.parse(text) : null) as any };
}

before(async () => {
  api = await startIronicApi({
    conductorConfig: stack.conductorConfig(),
    dir: join(import.meta.dirname, '..', '..', '.tmp', 'nothing-lost-ironic-api'),
    workers: 1,
    timeoutS: 60,
  });
  // pinned to 10.1; pinned to 21.4 (in front of a 39.0 conductor: a rolling upgrade's mixed
  // state, where the gateway labels Nodes 1.37 and the conductor would reset the fields 1.38–1.44
  // added if they were sent); and the newest the stack's release serves
  const pins: Array<readonly [string | undefined, string]> =
    release === '39.0'
      ? [
          ['10.1', '1.38'],
          ['21.4', '1.82'],
          [undefined, '1.115'],
        ]
      : [
          ['10.1', '1.38'],
          ['21.4', '1.82'],
        ];
  for (const [pin, version] of pins) {
    const gw = await createGateway(
      loadConfig({
        env: {},
        overrides: {
          ...stack.gatewaySettings(),
          log_level: 'silent',
          host: '127.0.0.1',
          port: 0,
          pin_release_version: pin,
        },
      }),
    );
    await gw.app.listen({ host: '127.0.0.1', port: 0 });
    gateways.push({ pin, gw, version, base: `http://127.0.0.1:${(gw.app.server.address() as { port: number }).port}` });
  }
});

after(async () => {
  for (const { gw } of gateways) await gw.close();
  await api?.stop();
});

/** The fields newer than the gateway knows, as this release's ironic-api sets them at creation. */
function newerNodeFields(tag: string): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    owner: `owner-${tag}`,
    lessee: `lessee-${tag}`,
    description: `kept ${tag}`,
    shard: `shard-${tag}`,
    automated_clean: false,
    network_data: { links: [], networks: [], services: [] },
  };
  if (release === '39.0') {
    fields.disable_power_off = true;
    fields.instance_name = `instance-${tag}`;
  }
  return fields;
}

/**
 * Pinned to 10.1 the gateway validates a patched port as Queens did, whose local_link_connection
 * knows no `hostname` (which a smart NIC needs): such a port is refused (400) there, as Queens'
 * ironic-api refuses it, so the 10.1 case keeps to the other newer fields.
 */
function newerPortFields(tag: string, queens: boolean): Record<string, unknown> {
  const fields: Record<string, unknown> = queens
    ? {}
    : { is_smartnic: true, local_link_connection: { port_id: `p-${tag}`, hostname: `h-${tag}` } };
  if (release === '39.0') {
    fields.name = `port-${tag}`;
    fields.description = `kept port ${tag}`;
    fields.vendor = 'kept';
    fields.category = `cat-${tag}`;
    fields.available_for_dynamic_portgroup = false;
  }
  return fields;
}

/** A portgroup's fields newer than Queens (Portgroup 1.3): 39.0's physical_network and category. */
function newerPortgroupFields(tag: string): Record<string, unknown> {
  return release === '39.0' ? { physical_network: `physnet-${tag}`, category: `cat-${tag}` } : {};
}

async function settle(base: string, version: string, uuid: string, state: string): Promise<void> {
  for (let i = 0; ; i++) {
    const n = (await call(base, 'GET', `/v1/nodes/${uuid}`, version)).body;
    if (n.provision_state === state && n.target_provision_state === null && n.reservation === null) return;
    assert.ok(i < 600, `node ${uuid} never settled in ${state}: ${JSON.stringify(n)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

for (const which of ['10.1', '21.4', ...(release === '39.0' ? ['unpinned'] : [])]) {
  test(`a gateway ${which === 'unpinned' ? 'unpinned' : `pinned to ${which}`} PATCHes, powers and provisions without resetting newer fields (Ironic ${release})`, {
    timeout: 180_000,
  }, async () => {
    const g = gateways.find((x) => (x.pin ?? 'unpinned') === which)!;
    const apiBase = api!.base;
    const tag = `${which.replace('.', '')}-${Date.now().toString(36)}`;
    // the owner by PATCH: under noauth ironic-api refuses a POST naming an owner ("as a
    // project scoped admin"), not a PATCH
    const { owner, ...created } = newerNodeFields(tag);
    const node = await call(apiBase, 'POST', '/v1/nodes', NEWEST, {
      driver: 'fake-hardware',
      name: `nothing-lost-${tag}`,
      ...created,
    });
    assert.equal(node.status, 201, JSON.stringify(node.body));
    const uuid = node.body.uuid as string;
    const owned = await call(apiBase, 'PATCH', `/v1/nodes/${uuid}`, NEWEST, [
      { op: 'add', path: '/owner', value: owner },
    ]);
    assert.equal(owned.status, 200, JSON.stringify(owned.body));
    const port = await call(apiBase, 'POST', '/v1/ports', NEWEST, {
      node_uuid: uuid,
      address: `52:54:00:${Math.floor(Math.random() * 256)
        .toString(16)
        .padStart(2, '0')}:ab:${which === '10.1' ? '01' : which === '21.4' ? '02' : '03'}`,
      ...newerPortFields(tag, which === '10.1'),
    });
    assert.equal(port.status, 201, JSON.stringify(port.body));
    const portgroup = await call(apiBase, 'POST', '/v1/portgroups', NEWEST, {
      node_uuid: uuid,
      name: `nothing-lost-pg-${tag}`,
      ...newerPortgroupFields(tag),
    });
    assert.equal(portgroup.status, 201, JSON.stringify(portgroup.body));
    try {
      const v = g.version;
      const patched = await call(g.base, 'PATCH', `/v1/nodes/${uuid}`, v, [
        { op: 'add', path: '/extra/touched', value: which },
      ]);
      assert.equal(patched.status, 200, JSON.stringify(patched.body));
      assert.equal(
        (await call(g.base, 'PUT', `/v1/nodes/${uuid}/states/power`, v, { target: 'power on' })).status,
        202,
      );
      assert.equal(
        (await call(g.base, 'PUT', `/v1/nodes/${uuid}/states/provision`, v, { target: 'manage' })).status,
        202,
      );
      await settle(g.base, v, uuid, 'manageable');
      assert.equal(
        (await call(g.base, 'PUT', `/v1/nodes/${uuid}/states/provision`, v, { target: 'provide' })).status,
        202,
      );
      await settle(g.base, v, uuid, 'available');
      const portPatch = await call(g.base, 'PATCH', `/v1/ports/${port.body.uuid}`, v, [
        { op: 'add', path: '/extra/touched', value: which },
      ]);
      assert.equal(portPatch.status, 200, JSON.stringify(portPatch.body));
      const pgPatch = await call(g.base, 'PATCH', `/v1/portgroups/${portgroup.body.uuid}`, v, [
        { op: 'add', path: '/extra/touched', value: which },
      ]);
      assert.equal(pgPatch.status, 200, JSON.stringify(pgPatch.body));

      const after = (await call(apiBase, 'GET', `/v1/nodes/${uuid}`, NEWEST)).body;
      const expected = newerNodeFields(tag);
      assert.deepEqual(
        Object.fromEntries(Object.keys(expected).map((k) => [k, after[k]])),
        expected,
        'the newer node fields survive',
      );
      assert.equal(after.extra.touched, which, 'the PATCH itself took effect');
      assert.equal(after.power_state, 'power on');
      const portAfter = (await call(apiBase, 'GET', `/v1/ports/${port.body.uuid}`, NEWEST)).body;
      const expectedPort = newerPortFields(tag, which === '10.1');
      assert.deepEqual(
        Object.fromEntries(Object.keys(expectedPort).map((k) => [k, portAfter[k]])),
        expectedPort,
        'the newer port fields survive',
      );
      assert.equal(portAfter.extra.touched, which);
      const pgAfter = (await call(apiBase, 'GET', `/v1/portgroups/${portgroup.body.uuid}`, NEWEST)).body;
      const expectedPg = newerPortgroupFields(tag);
      assert.deepEqual(
        Object.fromEntries(Object.keys(expectedPg).map((k) => [k, pgAfter[k]])),
        expectedPg,
        'the newer portgroup fields survive',
      );
      assert.equal(pgAfter.extra.touched, which);
    } finally {
      await call(apiBase, 'DELETE', `/v1/ports/${port.body.uuid}`, NEWEST);
      await call(apiBase, 'DELETE', `/v1/portgroups/${portgroup.body.uuid}`, NEWEST);
      await call(apiBase, 'DELETE', `/v1/nodes/${uuid}`, NEWEST);
    }
  });
}
