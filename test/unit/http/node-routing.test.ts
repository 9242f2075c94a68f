/**
 * Remembered node routing (node_routing_ttl, conductor/node-routing.ts): routes that need only
 * their node's topic skip reading a node this gateway read lately, never for a decision that
 * depends on the node (policy by owner/lessee, names, existence), and come back to reading it
 * when the memory is dropped (update, delete, a stale driver) or off.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import jwt from 'jsonwebtoken';
import { ironicError } from '../../../src/conductor/exceptions.ts';
import { NodeRoutingCache } from '../../../src/conductor/node-routing.ts';
import { resourceRoutes } from '../../../src/http/routes/index.ts';
import { testGateway, type TestGateway } from '../../support/app.ts';
import { call } from './nodes-helpers.ts';

const V = '1.82';
const BOOT = '/v1/nodes/:node_ident/management/boot_device';

/** How often a route made a conductor call, from the gateway's own metric. */
async function calls(g: TestGateway, route: string, name: string): Promise<number> {
  const m = (await g.app.inject({ url: '/metrics' })).body;
  const re = new RegExp(
    `^ironic_gateway_route_conductor_calls_total\\{method="GET",route="${route.replace(/[/:]/g, (c) => `\\${c}`)}",call="${name.replace('.', '\\.')}"\\} (\\d+)$`,
    'm',
  );
  return Number(re.exec(m)?.[1] ?? 0);
}

async function bootDevice(g: TestGateway, ident: string, headers: Record<string, string> = {}) {
  return call(g.app, `/v1/nodes/${ident}/management/boot_device`, { version: V, headers });
}

// a TTL of 10 minutes: what is remembered must not expire between two requests on a busy machine
describe('remembered node routing, on', () => {
  let g: TestGateway;
  before(async () => {
    g = await testGateway({
      routes: resourceRoutes,
      config: { node_routing_ttl: 600, pin_release_version: undefined },
    });
  });
  after(() => g.close());

  test('a node read once is routed without reading it again; an update makes the next request read it', async () => {
    const node = (
      await call(g.app, '/v1/nodes', { method: 'POST', version: V, body: { driver: 'fake-hardware', name: 'rt-1' } })
    ).json();
    const reads = () => calls(g, BOOT, 'Node.get_by_uuid');
    const before = await reads();
    for (let i = 0; i < 3; i++) assert.equal((await bootDevice(g, node.uuid)).statusCode, 200);
    assert.equal(await reads(), before, 'the node created through this gateway is remembered');
    assert.equal(await calls(g, BOOT, 'get_boot_device'), 3);

    // an update forgets it (the driver or group may have changed); at 1.38 the answer has no
    // `conductor` field, whose computation would remember the updated node again
    const patch = await call(g.app, `/v1/nodes/${node.uuid}`, {
      method: 'PATCH',
      version: '1.38',
      body: [{ op: 'add', path: '/extra/k', value: 'v' }],
    });
    assert.equal(patch.statusCode, 200);
    assert.equal(g.conductor.routing.get(node.uuid), undefined, 'forgotten by the update');
    assert.equal((await bootDevice(g, node.uuid)).statusCode, 200);
    assert.equal(await reads(), before + 1, 'read again after the update');
    assert.equal((await bootDevice(g, node.uuid)).statusCode, 200);
    assert.equal(await reads(), before + 1, 'then remembered again');

    // a name is never routed from memory: a name may pass to another node at any time
    const byName = () => calls(g, BOOT, 'Node.get_by_name');
    const named = await byName();
    assert.equal((await bootDevice(g, 'rt-1')).statusCode, 200);
    assert.equal((await bootDevice(g, 'rt-1')).statusCode, 200);
    assert.equal(await byName(), named + 2);
  });

  test('a deleted node is 404 NodeNotFound as when it is read, and is forgotten', async () => {
    const node = (
      await call(g.app, '/v1/nodes', { method: 'POST', version: V, body: { driver: 'fake-hardware' } })
    ).json();
    assert.equal((await bootDevice(g, node.uuid)).statusCode, 200);
    // deleted behind this gateway's back (another gateway, or the conductor): memory still holds it
    g.sim.store.destroyNode(g.sim.store.node(node.uuid));
    assert.ok(g.conductor.routing.get(node.uuid));
    const res = await bootDevice(g, node.uuid);
    assert.equal(res.statusCode, 404);
    assert.equal(JSON.parse(res.json().error_message).faultstring, `Node ${node.uuid} could not be found.`);
    assert.equal(g.conductor.routing.get(node.uuid), undefined, 'forgotten');
  });

  test('a stale driver (DriverNotFound from the conductor) is forgotten, the node read, the call sent again', async () => {
    const node = (
      await call(g.app, '/v1/nodes', { method: 'POST', version: V, body: { driver: 'fake-hardware' } })
    ).json();
    const api = g.conductor;
    const real = api.get_boot_device;
    let refused = 0;
    api.get_boot_device = function (this: typeof api, ...args: Parameters<typeof real>) {
      if (refused++ === 0)
        return Promise.reject(
          ironicError('DriverNotFound', 'Could not find the following driver(s) or hardware type(s): old.', {
            code: 404,
          }),
        );
      return real.apply(this, args);
    };
    try {
      const reads = await calls(g, BOOT, 'Node.get_by_uuid');
      const res = await bootDevice(g, node.uuid);
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(refused, 2, 'sent twice');
      assert.equal(await calls(g, BOOT, 'Node.get_by_uuid'), reads + 1, 'the node was read for the second');
    } finally {
      api.get_boot_device = real;
    }
  });

  test('remembered routing whose ring has no live conductor is not used: the node is read, and Ironic answers', async () => {
    const node = (
      await call(g.app, '/v1/nodes', { method: 'POST', version: V, body: { driver: 'fake-hardware' } })
    ).json();
    g.conductor.routing.remember({ uuid: node.uuid, driver: 'no-such-driver', conductor_group: '' });
    const reads = await calls(g, BOOT, 'Node.get_by_uuid');
    assert.equal((await bootDevice(g, node.uuid)).statusCode, 200);
    assert.equal(await calls(g, BOOT, 'Node.get_by_uuid'), reads + 1);
  });
});

describe('remembered node routing, off (node_routing_ttl 0)', () => {
  let g: TestGateway;
  before(async () => {
    g = await testGateway({ routes: resourceRoutes, config: { node_routing_ttl: 0, pin_release_version: undefined } });
  });
  after(() => g.close());

  test('every request reads its node', async () => {
    const node = (
      await call(g.app, '/v1/nodes', { method: 'POST', version: V, body: { driver: 'fake-hardware' } })
    ).json();
    for (let i = 0; i < 3; i++) assert.equal((await bootDevice(g, node.uuid)).statusCode, 200);
    assert.equal(await calls(g, BOOT, 'Node.get_by_uuid'), 3);
    assert.equal(g.conductor.routing.size, 0);
  });
});

describe('remembered node routing under the owner/lessee policy (21.4, JWT)', () => {
  const SECRET = 'node-routing-test-secret-node-routing';
  const token = (claims: Record<string, unknown>) =>
    jwt.sign({ sub: 'u', ...claims }, SECRET, { algorithm: 'HS256', expiresIn: 300 });
  let g: TestGateway;
  before(async () => {
    g = await testGateway({
      routes: resourceRoutes,
      config: {
        pin_release_version: '21.4',
        auth_strategy: 'jwt',
        jwt_algorithm: 'HS256',
        jwt_secret: SECRET,
        node_routing_ttl: 600,
      },
    });
  });
  after(() => g.close());

  test('a decision that depends on the owner reads the node (404 for another project); a system admin does not', async () => {
    const n = g.sim.store.createNode({
      driver: 'fake-hardware',
      provision_state: 'available',
      conductor_group: '',
      owner: 'p-owner',
    });
    const admin = { authorization: `Bearer ${token({ roles: ['admin', 'member', 'reader'], system_scope: 'all' })}` };
    // (not a project admin: under 21.4's legacy fallback rule:is_admin passes whatever the owner)
    const other = { authorization: `Bearer ${token({ project_id: 'p-other', roles: ['member', 'reader'] })}` };
    const owner = { authorization: `Bearer ${token({ project_id: 'p-owner', roles: ['member', 'reader'] })}` };
    const reads = () => calls(g, BOOT, 'Node.get_by_uuid');

    assert.equal((await bootDevice(g, n.uuid, admin)).statusCode, 200);
    const afterFirst = await reads();
    assert.equal(afterFirst, 1, 'the first request reads the node');
    assert.ok(g.conductor.routing.get(n.uuid), 'and remembers its routing');
    assert.equal((await bootDevice(g, n.uuid, admin)).statusCode, 200);
    assert.equal(await reads(), afterFirst, 'a system admin passes whatever the owner: not read again');

    const hidden = await bootDevice(g, n.uuid, other);
    assert.equal(hidden.statusCode, 404, 'another project: the node does not exist for it');
    assert.equal(await reads(), afterFirst + 1, 'decided on the node read');
    // the owner's member sees the node, and 21.4's get_boot_device wants the owner's admin: 403,
    // decided on the node as read
    assert.equal((await bootDevice(g, n.uuid, owner)).statusCode, 403);
    assert.equal(await reads(), afterFirst + 2);
  });
});

describe('NodeRoutingCache', () => {
  test('an entry is used for at most the TTL, the oldest go past max, 0 remembers nothing', async () => {
    const route = (uuid: string) => ({ uuid, driver: 'fake-hardware', conductor_group: '' });
    const short = new NodeRoutingCache(0.05);
    short.remember(route('a'));
    assert.deepEqual(short.get('a'), route('a'));
    await new Promise((resolve) => setTimeout(resolve, 120));
    assert.equal(short.get('a'), undefined, 'expired after the TTL');

    const small = new NodeRoutingCache(60, 2);
    for (const u of ['a', 'b', 'c']) small.remember(route(u));
    assert.equal(small.size, 2);
    assert.equal(small.get('a'), undefined, 'the least recently used went');

    const off = new NodeRoutingCache(0);
    off.remember(route('a'));
    assert.equal(off.enabled, false);
    assert.equal(off.get('a'), undefined);
  });
});
