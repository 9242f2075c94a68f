/**
 * Allocations (REST 1.52–1.60, RPC 1.48) on the simulated 21.4 conductor: the lifecycle,
 * background allocation (resource class, traits, candidates, 1.79's name first), backfill,
 * every validation error, the version gates as 21.4's routers answer them, and owners.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import jwt from 'jsonwebtoken';
import type { LightMyRequestResponse } from 'fastify';
import { resourceRoutes } from '../../../src/http/routes/index.ts';
import type { NodeRow } from '../../../src/simulator/store.ts';
import { testGateway, type TestGateway } from '../../support/app.ts';
import { call, expectError, fault, provision, waitFor } from './nodes-helpers.ts';

const V = '1.82';
let seq = 0;

type Body = Record<string, any>;

async function req(
  g: TestGateway,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  body?: unknown,
  version = V,
  headers: Record<string, string> = {},
): Promise<LightMyRequestResponse> {
  return call(g.app, url, { method, version, body, headers });
}

/** The inner JSON of an error body (faultstring shape, or webob's code/title/description). */
function inner(r: LightMyRequestResponse): Body {
  return JSON.parse((r.json() as { error_message: string }).error_message);
}

/** An available node of resource class `rc` (enroll → manage → provide). */
async function availableNode(g: TestGateway, rc = 'rc-a', extra: Body = {}): Promise<Body> {
  const r = await req(
    g,
    'POST',
    '/v1/nodes',
    { driver: 'fake-hardware', name: `node-${++seq}`, resource_class: rc, ...extra },
    '1.38',
  );
  assert.equal(r.statusCode, 201, r.body);
  const node = r.json();
  await provision(g.app, node.uuid, 'manage');
  await provision(g.app, node.uuid, 'provide');
  const row = g.sim.store.nodes.byUuid(node.uuid) as NodeRow;
  row.power_state ??= 'power off';
  return node;
}

/** Polls an allocation until it leaves `allocating`. */
async function settled(g: TestGateway, ident: string): Promise<Body> {
  const until = Date.now() + 5000;
  for (;;) {
    const r = await req(g, 'GET', `/v1/allocations/${ident}`);
    assert.equal(r.statusCode, 200, r.body);
    const a = r.json();
    if (a.state !== 'allocating') return a;
    if (Date.now() > until) assert.fail(`allocation ${ident} never settled`);
    await new Promise((res) => setTimeout(res, 10));
  }
}

async function create(g: TestGateway, body: Body, version = V): Promise<Body> {
  const r = await req(g, 'POST', '/v1/allocations', body, version);
  assert.equal(r.statusCode, 201, r.body);
  return r.json();
}

describe('allocations on the newest microversion (noauth)', () => {
  let g: TestGateway;
  before(async () => {
    g = await testGateway({
      routes: resourceRoutes,
      config: { pin_release_version: undefined, simulator_action_delay_ms: 5 },
    });
  });
  after(() => g.close());

  test('lifecycle: create, allocate in the background, show, list, patch, delete', async () => {
    const node = await availableNode(g, 'rc-life');
    const r = await req(g, 'POST', '/v1/allocations', { resource_class: 'rc-life', name: 'alloc-life' });
    assert.equal(r.statusCode, 201, r.body);
    const created = r.json();
    assert.equal(created.state, 'allocating');
    assert.equal(created.node_uuid, null);
    assert.equal(r.headers.location, `http://localhost:80/v1/allocations/${created.uuid}`);
    assert.deepEqual(Object.keys(created), [
      'uuid',
      'created_at',
      'updated_at',
      'candidate_nodes',
      'extra',
      'last_error',
      'name',
      'owner',
      'resource_class',
      'state',
      'traits',
      'links',
      'node_uuid',
    ]);
    assert.deepEqual(created.candidate_nodes, []);
    assert.deepEqual(created.traits, []);
    assert.deepEqual(created.extra, {});
    assert.match(created.created_at, /\+00:00$/);
    assert.deepEqual(
      created.links.map((l: Body) => l.rel),
      ['self', 'bookmark'],
    );

    const a = await settled(g, created.uuid);
    assert.equal(a.state, 'active');
    assert.equal(a.node_uuid, node.uuid);
    assert.equal(a.last_error, null);
    // the node is reserved for it: instance_uuid is the allocation's uuid
    const n = (await req(g, 'GET', `/v1/nodes/${node.uuid}`, undefined, '1.38')).json();
    assert.equal(n.instance_uuid, a.uuid);
    assert.equal(g.sim.store.nodes.byUuid(node.uuid).allocation_id, g.sim.store.allocations.byUuid(a.uuid).id);

    // by name, by the node, in lists with each filter
    assert.equal((await req(g, 'GET', '/v1/allocations/alloc-life')).json().uuid, a.uuid);
    assert.equal((await req(g, 'GET', `/v1/allocations/alloc-life.json`)).json().uuid, a.uuid);
    const byNode = await req(g, 'GET', `/v1/nodes/${node.name}/allocation?fields=uuid,node_uuid`);
    assert.equal(byNode.statusCode, 200, byNode.body);
    assert.deepEqual(Object.keys(byNode.json()), ['uuid', 'links', 'node_uuid']);
    for (const q of [`node=${node.name}`, `node=${node.uuid}`, 'state=active', 'resource_class=rc-life']) {
      const list = (await req(g, 'GET', `/v1/allocations?${q}`)).json();
      assert.ok(
        list.allocations.some((x: Body) => x.uuid === a.uuid),
        q,
      );
      assert.ok(
        list.allocations.every((x: Body) => x.state === 'active' || !q.startsWith('state')),
        q,
      );
    }
    assert.deepEqual((await req(g, 'GET', '/v1/allocations?state=error&resource_class=rc-life')).json(), {
      allocations: [],
    });

    // 1.57: name and extra only
    const p = await req(g, 'PATCH', `/v1/allocations/${a.uuid}`, [
      { op: 'replace', path: '/name', value: 'alloc-renamed' },
      { op: 'add', path: '/extra/k', value: 'v' },
    ]);
    assert.equal(p.statusCode, 200, p.body);
    assert.equal(p.json().name, 'alloc-renamed');
    assert.deepEqual(p.json().extra, { k: 'v' });
    assert.equal((await req(g, 'GET', '/v1/allocations/alloc-renamed')).json().extra.k, 'v');
    const rm = await req(g, 'PATCH', '/v1/allocations/alloc-renamed', [{ op: 'remove', path: '/name' }]);
    assert.equal(rm.json().name, null);

    // deleting it frees the node
    assert.equal((await req(g, 'DELETE', `/v1/allocations/${a.uuid}`)).statusCode, 204);
    expectError(await req(g, 'GET', `/v1/allocations/${a.uuid}`), 404, new RegExp(`Allocation ${a.uuid} could not`));
    const freed = (await req(g, 'GET', `/v1/nodes/${node.uuid}`, undefined, '1.38')).json();
    assert.equal(freed.instance_uuid, null);
    assert.equal(g.sim.store.nodes.byUuid(node.uuid).allocation_id, null);
  });

  test('DELETE /v1/nodes/{node}/allocation, and 404 when the node has none', async () => {
    const node = await availableNode(g, 'rc-sub');
    const a = await settled(g, (await create(g, { resource_class: 'rc-sub' })).uuid);
    assert.equal(a.node_uuid, node.uuid);
    assert.equal((await req(g, 'DELETE', `/v1/nodes/${node.uuid}/allocation`)).statusCode, 204);
    expectError(
      await req(g, 'GET', `/v1/nodes/${node.uuid}/allocation`),
      404,
      new RegExp(`Allocation for node ${node.uuid} was not found`),
    );
    expectError(await req(g, 'DELETE', `/v1/nodes/${node.name}/allocation`), 404, /was not found/);
    // a node that does not exist: 400 for GET (allocation.py sets code 400), 404 for DELETE
    expectError(await req(g, 'GET', '/v1/nodes/no-such-node/allocation'), 400, /Node no-such-node could not be found/);
    expectError(await req(g, 'DELETE', '/v1/nodes/no-such-node/allocation'), 404, /could not be found/);
  });

  test('no node fits: the allocation ends in error with last_error', async () => {
    const a = await settled(g, (await create(g, { resource_class: 'rc-none' })).uuid);
    assert.equal(a.state, 'error');
    assert.equal(a.node_uuid, null);
    assert.equal(
      a.last_error,
      `Failed to process allocation ${a.uuid}: no available nodes match the resource class rc-none.`,
    );
    const withTraits = await availableNode(g, 'rc-traits');
    const t = await settled(g, (await create(g, { resource_class: 'rc-traits', traits: ['CUSTOM_GPU'] })).uuid);
    assert.equal(t.state, 'error');
    assert.match(t.last_error, /no suitable nodes have the requested traits CUSTOM_GPU/);
    // with the trait, the node is found
    const put = await req(g, 'PUT', `/v1/nodes/${withTraits.uuid}/traits/CUSTOM_GPU`, undefined, '1.38');
    assert.equal(put.statusCode, 204, put.body);
    const ok = await settled(g, (await create(g, { resource_class: 'rc-traits', traits: ['CUSTOM_GPU'] })).uuid);
    assert.equal(ok.state, 'active');
    assert.equal(ok.node_uuid, withTraits.uuid);
    assert.deepEqual(g.sim.store.nodes.byUuid(withTraits.uuid).instance_info, { traits: ['CUSTOM_GPU'] });
    const cand = await settled(
      g,
      (await create(g, { resource_class: 'rc-traits', candidate_nodes: [withTraits.name] })).uuid,
    );
    assert.equal(cand.state, 'error');
    assert.match(cand.last_error, /none of the requested nodes are available and match the resource class rc-traits/);
  });

  test('candidate_nodes: names resolved to uuids in order; only those are tried', async () => {
    const n1 = await availableNode(g, 'rc-cand');
    const n2 = await availableNode(g, 'rc-cand');
    const created = await create(g, { resource_class: 'rc-cand', candidate_nodes: [n2.name, n1.uuid] });
    assert.deepEqual(created.candidate_nodes, [n2.uuid, n1.uuid]);
    const only = await settled(g, (await create(g, { resource_class: 'rc-cand', candidate_nodes: [n2.name] })).uuid);
    const first = await settled(g, created.uuid);
    // both allocated, each to a different node, the second to the only candidate left or given
    assert.deepEqual([first.state, only.state], ['active', first.node_uuid === n2.uuid ? 'error' : 'active']);
    if (only.state === 'active') assert.equal(only.node_uuid, n2.uuid);
  });

  test('1.79: a node named as the allocation is tried first', async () => {
    const nodes = [
      await availableNode(g, 'rc-name'),
      await availableNode(g, 'rc-name'),
      await availableNode(g, 'rc-name'),
    ];
    const target = nodes[2];
    for (let i = 0; i < 3; i++) {
      const a = await settled(g, (await create(g, { resource_class: 'rc-name', name: target.name })).uuid);
      assert.equal(a.node_uuid, target.uuid);
      assert.equal((await req(g, 'DELETE', `/v1/allocations/${a.uuid}`)).statusCode, 204);
    }
  });

  test('1.58 backfill: an active node gets its allocation at once, sent to its conductor', async () => {
    const node = await availableNode(g, 'rc-back');
    const instance = '0b1b9d4e-5c6a-4d3e-9a0f-2b7c8d9e0f11';
    const patched = await req(
      g,
      'PATCH',
      `/v1/nodes/${node.uuid}`,
      [{ op: 'add', path: '/instance_uuid', value: instance }],
      '1.38',
    );
    assert.equal(patched.statusCode, 200, patched.body);
    await provision(g.app, node.uuid, 'active');
    const a = await create(g, { node: node.name }, '1.58');
    assert.equal(a.state, 'active');
    assert.equal(a.node_uuid, node.uuid);
    assert.equal(a.uuid, instance); // uuid = the node's instance_uuid
    assert.equal(a.resource_class, 'rc-back'); // resource_class = the node's
    assert.equal(a.owner, undefined); // hidden below 1.60
    // an active node's allocation cannot go: 409, until maintenance
    expectError(await req(g, 'DELETE', `/v1/allocations/${a.uuid}`), 409, /because the node is active/);
    const m = await req(g, 'PUT', `/v1/nodes/${node.uuid}/maintenance`, { reason: 'x' }, '1.38');
    assert.equal(m.statusCode, 202, m.body);
    assert.equal((await req(g, 'DELETE', `/v1/nodes/${node.uuid}/allocation`)).statusCode, 204);
    assert.equal(g.sim.store.nodes.byUuid(node.uuid).instance_uuid, null);
  });

  test('backfill refusals: a node that is not active, another class, unknown node, below 1.58', async () => {
    const node = await availableNode(g, 'rc-bf');
    const r = await req(g, 'POST', '/v1/allocations', { node: node.uuid, name: 'bf-failed' }, '1.58');
    expectError(r, 400, /Cannot backfill an allocation for node .*Node must be in the "active" state/);
    // the failed allocation stays, in error
    const failed = (await req(g, 'GET', '/v1/allocations/bf-failed')).json();
    assert.equal(failed.state, 'error');
    assert.match(failed.last_error, /Node must be in the "active" state, but the current state is "available"/);
    expectError(
      await req(g, 'POST', '/v1/allocations', { node: 'no-such-node' }, '1.58'),
      400,
      /Node no-such-node could not be found/,
    );
    expectError(
      await req(g, 'POST', '/v1/allocations', { node: node.uuid, resource_class: 'x' }, '1.57'),
      400,
      /^Cannot set node when creating an allocation in this API version$/,
    );
  });

  test('validation errors, each with 21.4 wording', async () => {
    const bad: Array<[unknown, number, RegExp]> = [
      [
        { resource_class: 'x', foo: 1 },
        400,
        /^Schema error for allocation: Additional properties are not allowed \('foo' was unexpected\)$/,
      ],
      [{ resource_class: 'x', b: 1, a: 2 }, 400, /\('a', 'b' were unexpected\)/],
      [[], 400, /^Schema error for allocation: \[\] is not of type 'object'$/],
      [{ resource_class: 1 }, 400, /1 is not of type 'string', 'null'/],
      [{ resource_class: 'x'.repeat(81) }, 400, /is too long$/],
      // the first property in the schema's order is reported, as jsonschema does
      [{ traits: 1, resource_class: 'x'.repeat(81) }, 400, /'x+' is too long$/],
      [{ resource_class: 2, name: 1 }, 400, /^Schema error for allocation: 1 is not of type 'string', 'null'$/],
      [{ resource_class: 'x', traits: 'CUSTOM_A' }, 400, /'CUSTOM_A' is not of type 'array', 'null'/],
      [{ resource_class: 'x', traits: ['lower'] }, 400, /'lower' is not valid under any of the given schemas/],
      [{ resource_class: 'x', traits: [''] }, 400, /'' is too short/],
      [{ resource_class: 'x', candidate_nodes: [1] }, 400, /1 is not of type 'string'$/],
      [{ resource_class: 'x', extra: [] }, 400, /\[\] is not of type 'object', 'null'/],
      [{ resource_class: 'x', name: true }, 400, /True is not of type 'string', 'null'/],
      [{ resource_class: 'x', uuid: 'not-a-uuid' }, 400, /^Expected UUID for uuid: not-a-uuid$/],
      [{}, 400, /^The resource_class field is mandatory when not backfilling$/],
      [{ resource_class: 'x', name: 'bad name' }, 400, /^Cannot create allocation with invalid name 'bad name'$/],
      [{ resource_class: 'x', candidate_nodes: ['nope-1', 'bad name'] }, 400, /^Nodes cannot be found: bad name$/],
      [{ resource_class: 'x', candidate_nodes: ['nope-1'] }, 400, /^Nodes cannot be found: nope-1$/],
    ];
    for (const [body, status, re] of bad) expectError(await req(g, 'POST', '/v1/allocations', body), status, re);
    // owner below 1.60: 406
    expectError(await req(g, 'POST', '/v1/allocations', { resource_class: 'x', owner: 'p' }, '1.59'), 406);
    // duplicates: name and uuid, 409
    const a = await create(g, { resource_class: 'rc-dup', name: 'dup-name' });
    expectError(
      await req(g, 'POST', '/v1/allocations', { resource_class: 'x', name: 'dup-name' }),
      409,
      /An allocation with name dup-name already exists/,
    );
    expectError(
      await req(g, 'POST', '/v1/allocations', { resource_class: 'x', uuid: a.uuid }),
      409,
      new RegExp(`An allocation with UUID ${a.uuid} already exists`),
    );
    // reads
    expectError(await req(g, 'GET', '/v1/allocations/no-such'), 404, /Allocation no-such could not be found/);
    expectError(await req(g, 'GET', '/v1/allocations/bad%20name'), 400, /Expected UUID or name for allocation_ident/);
    expectError(
      await req(g, 'GET', `/v1/allocations/${a.uuid}?fields=uuid,bogus`),
      400,
      /Field\(s\) "bogus" are not valid/,
    );
    expectError(await req(g, 'GET', `/v1/allocations/${a.uuid}?fields=owner`, undefined, '1.59'), 406);
    assert.deepEqual(
      Object.keys((await req(g, 'GET', `/v1/allocations/${a.uuid}?fields=owner`, undefined, '1.60')).json()),
      ['owner', 'links'],
    );
    expectError(await req(g, 'GET', '/v1/allocations?owner=p', undefined, '1.59'), 406);
    expectError(await req(g, 'GET', '/v1/allocations?fields=owner', undefined, '1.59'), 406);
    expectError(
      await req(g, 'GET', '/v1/allocations?sort_key=extra'),
      400,
      /The sort_key value extra is an invalid field for sorting/,
    );
    expectError(await req(g, 'GET', '/v1/allocations?sort_key=nonsense'), 400, /is an invalid field for sorting/);
    expectError(await req(g, 'GET', '/v1/allocations?sort_dir=up'), 400, /Invalid sort direction: up/);
    expectError(await req(g, 'GET', '/v1/allocations?limit=0'), 400, /Limit must be positive/);
    expectError(await req(g, 'GET', '/v1/allocations?limit=abc'), 400, /^Expected an integer for limit: abc$/);
    expectError(await req(g, 'GET', '/v1/allocations?marker=abc'), 400, /^Expected UUID for marker: abc$/);
    expectError(
      await req(g, 'GET', '/v1/allocations?marker=0b1b9d4e-5c6a-4d3e-9a0f-2b7c8d9e0f99'),
      404,
      /Allocation 0b1b9d4e-5c6a-4d3e-9a0f-2b7c8d9e0f99 could not be found/,
    );
    expectError(await req(g, 'GET', '/v1/allocations?node=no-such-node'), 400, /Node no-such-node could not be found/);
    expectError(
      await req(g, 'GET', '/v1/allocations?node=bad%20name'),
      400,
      /^Expected UUID or name for node: bad name$/,
    );
    expectError(await req(g, 'GET', '/v1/allocations?detail=true'), 400);
    // patch
    const patch = (ops: unknown, version = V) => req(g, 'PATCH', `/v1/allocations/${a.uuid}`, ops, version);
    expectError(
      await patch([{ op: 'replace', path: '/resource_class', value: 'y' }]),
      400,
      /^Cannot patch \/resource_class\. Only the following can be updated: name, extra$/,
    );
    expectError(
      await patch([{ op: 'replace', path: '/name', value: 'bad name' }]),
      400,
      /^Cannot update allocation with invalid name 'bad name'$/,
    );
    expectError(
      await patch([{ op: 'replace', path: '/extra', value: 'str' }]),
      400,
      /'str' is not of type 'object', 'null'/,
    );
    expectError(await patch([{ op: 'replace', path: '/name' }]), 400, /need a value/);
    expectError(
      await patch([{ op: 'replace', path: '/name', value: 'dup-name-2' }], '1.56'),
      405,
      /^The API version does not allow updating allocations$/,
    );
    await create(g, { resource_class: 'rc-dup', name: 'dup-name-2' });
    expectError(await patch([{ op: 'replace', path: '/name', value: 'dup-name-2' }]), 409, /already exists/);
    expectError(await req(g, 'PATCH', '/v1/allocations/bad%20name', []), 400, /Expected a logical name or UUID/);
  });

  test('pagination: limit, marker, sort, fields carried into next', async () => {
    for (let i = 0; i < 3; i++) await create(g, { resource_class: 'rc-page', name: `page-${i}` });
    const r = await req(
      g,
      'GET',
      '/v1/allocations?resource_class=rc-page&limit=2&fields=name&sort_key=name&sort_dir=desc',
    );
    const body = r.json();
    assert.deepEqual(
      body.allocations.map((x: Body) => x.name),
      ['page-2', 'page-1'],
    );
    assert.deepEqual(Object.keys(body.allocations[0]), ['name', 'links']);
    const marker = g.sim.store.allocations.byField('name', 'page-1')?.uuid;
    assert.equal(
      body.next,
      `http://localhost:80/v1/allocations?sort_key=name&sort_dir=desc&fields=name&limit=2&marker=${marker}`,
    );
    const page2 = (
      await req(g, 'GET', `/v1/allocations?resource_class=rc-page&limit=2&sort_key=name&sort_dir=desc&marker=${marker}`)
    ).json();
    assert.deepEqual(
      page2.allocations.map((x: Body) => x.name),
      ['page-0'],
    );
    assert.equal(page2.next, undefined);
  });

  test('a deleted node takes its allocation with it; tear down and instance_uuid removal drop it', async () => {
    const node = await availableNode(g, 'rc-del');
    const a = await settled(g, (await create(g, { resource_class: 'rc-del' })).uuid);
    assert.equal(a.node_uuid, node.uuid);
    // instance_uuid removal on an available node destroys the allocation (manager.update_node)
    const r = await req(g, 'PATCH', `/v1/nodes/${node.uuid}`, [{ op: 'remove', path: '/instance_uuid' }], '1.38');
    assert.equal(r.statusCode, 200, r.body);
    expectError(await req(g, 'GET', `/v1/allocations/${a.uuid}`), 404);
    // deploy + tear down
    const b = await settled(g, (await create(g, { resource_class: 'rc-del' })).uuid);
    await provision(g.app, node.uuid, 'active');
    expectError(
      await req(g, 'PATCH', `/v1/nodes/${node.uuid}`, [{ op: 'remove', path: '/instance_uuid' }], '1.38'),
      409,
      /with an allocation can not have instance_uuid removed/,
    );
    await provision(g.app, node.uuid, 'deleted');
    await waitFor(g.app, node.uuid, (n) => n.provision_state === 'available');
    expectError(await req(g, 'GET', `/v1/allocations/${b.uuid}`), 404);
    // node deletion (maintenance) removes the allocation
    const c = await settled(g, (await create(g, { resource_class: 'rc-del' })).uuid);
    assert.equal(c.node_uuid, node.uuid);
    await req(g, 'PUT', `/v1/nodes/${node.uuid}/maintenance`, { reason: 'x' }, '1.38');
    assert.equal((await req(g, 'DELETE', `/v1/nodes/${node.uuid}`, undefined, '1.38')).statusCode, 204);
    expectError(await req(g, 'GET', `/v1/allocations/${c.uuid}`), 404);
  });

  test('version gates: below 1.52 each method answers 404 (unpinned, as 39.0: validation.api_version)', async () => {
    const node = await availableNode(g, 'rc-gate');
    for (const [method, url] of [
      ['GET', '/v1/allocations'],
      ['GET', '/v1/allocations/x'],
      ['POST', '/v1/allocations'],
      ['PATCH', '/v1/allocations/x'],
      ['DELETE', '/v1/allocations/x'],
    ] as const) {
      const r = await req(
        g,
        method,
        url,
        method === 'POST' ? { resource_class: 'x' } : method === 'PATCH' ? [] : undefined,
        '1.51',
      );
      assert.equal(r.statusCode, 404, `${method} ${url}: ${r.body}`);
      assert.deepEqual(inner(r), {
        faultstring: 'The API version does not allow allocations',
        faultcode: 'Client',
        debuginfo: null,
      });
    }
    for (const method of ['GET', 'DELETE'] as const) {
      const r = await req(g, method, `/v1/nodes/${node.uuid}/allocation`, undefined, '1.51');
      assert.equal(r.statusCode, 404);
      assert.equal(inner(r).description, '');
      assert.equal(inner(r).title, 'Not Found');
    }
    const bad = await req(g, 'GET', '/v1/nodes/bad%20name/allocation', undefined, '1.51');
    assert.equal(bad.statusCode, 400);
    assert.equal(inner(bad).description, 'Expected UUID or name for node: bad name');
    // PATCH between 1.52 and 1.56: 405 in faultstring shape
    const p = await req(g, 'PATCH', '/v1/allocations/x', [], '1.56');
    assert.equal(p.statusCode, 405);
    assert.equal(inner(p).title, undefined);
    // the /v1 document links allocations from 1.52
    assert.equal((await req(g, 'GET', '/v1', undefined, '1.51')).json().allocations, undefined);
    assert.deepEqual(
      (await req(g, 'GET', '/v1', undefined, '1.52')).json().allocations.map((l: Body) => l.rel),
      ['self', 'bookmark'],
    );
    // owner hidden below 1.60, shown from it
    const a = await create(g, { resource_class: 'rc-gate' }, '1.52');
    assert.equal(a.owner, undefined);
    assert.equal((await req(g, 'GET', `/v1/allocations/${a.uuid}`, undefined, '1.60')).json().owner, null);
  });
});

describe("allocation owners under the unpinned gateway's policy (Ironic 39.0's defaults, new defaults enforced; jwt)", () => {
  const SECRET = 'a-test-secret-that-is-long-enough-0123456789';
  let g: TestGateway;
  const token = (project: string | null, roles: string[], system = false) =>
    jwt.sign(
      {
        sub: `u-${project}`,
        ...(project ? { project_id: project } : {}),
        roles,
        ...(system ? { system_scope: 'all' } : {}),
        exp: Math.floor(Date.now() / 1000) + 300,
      },
      SECRET,
      { algorithm: 'HS256' },
    );
  const as = (t: string) => ({ authorization: `Bearer ${t}` });
  const admin = as(token('admin-project', ['admin', 'member', 'reader'], true));
  const p1 = as(token('p1', ['member', 'reader']));
  const p2 = as(token('p2', ['member', 'reader']));
  const r = (
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    h: Record<string, string>,
    body?: unknown,
  ) => req(g, method, url, body, V, h);

  before(async () => {
    g = await testGateway({
      routes: resourceRoutes,
      config: {
        pin_release_version: undefined,
        simulator_action_delay_ms: 5,
        auth_strategy: 'jwt',
        jwt_algorithm: 'HS256',
        jwt_secret: SECRET,
      },
    });
  });
  after(() => g.close());

  const node = async (rc: string, owner: string | null): Promise<Body> => {
    const created = await r('POST', '/v1/nodes', admin, {
      driver: 'fake-hardware',
      name: `o-node-${++seq}`,
      resource_class: rc,
    });
    assert.equal(created.statusCode, 201, created.body);
    const n = created.json();
    for (const target of ['manage', 'provide']) {
      const x = await r('PUT', `/v1/nodes/${n.uuid}/states/provision`, admin, { target });
      assert.equal(x.statusCode, 202, x.body);
      const until = Date.now() + 5000;
      for (;;) {
        const row = g.sim.store.nodes.byUuid(n.uuid) as NodeRow;
        if (row.target_provision_state === null && row.reservation === null) break;
        if (Date.now() > until) assert.fail('node never settled');
        await new Promise((res) => setTimeout(res, 10));
      }
    }
    const row = g.sim.store.nodes.byUuid(n.uuid) as NodeRow;
    row.power_state ??= 'power off';
    row.owner = owner;
    return n;
  };

  const settledAs = async (uuid: string): Promise<Body> => {
    const until = Date.now() + 5000;
    for (;;) {
      const a = (await r('GET', `/v1/allocations/${uuid}`, admin)).json();
      if (a.state !== 'allocating') return a;
      if (Date.now() > until) assert.fail('never settled');
      await new Promise((res) => setTimeout(res, 10));
    }
  };

  test('a project member gets its project as owner; only nodes of that project are allocated', async () => {
    const other = await node('rc-own', 'p2');
    const created = await r('POST', '/v1/allocations', p1, { resource_class: 'rc-own' });
    assert.equal(created.statusCode, 201, created.body);
    assert.equal(created.json().owner, 'p1');
    const failed = await settledAs(created.json().uuid);
    assert.equal(failed.state, 'error'); // the p2 node is not p1's
    const mine = await node('rc-own', 'p1');
    const ok = await settledAs((await r('POST', '/v1/allocations', p1, { resource_class: 'rc-own' })).json().uuid);
    assert.equal(ok.node_uuid, mine.uuid);
    assert.notEqual(ok.node_uuid, other.uuid);
  });

  test('an admin may set any owner or none; a member may name only its own project', async () => {
    const none = await r('POST', '/v1/allocations', admin, { resource_class: 'rc-x' });
    assert.equal(none.statusCode, 201, none.body);
    assert.equal(none.json().owner, null);
    const other = await r('POST', '/v1/allocations', admin, { resource_class: 'rc-x', owner: 'p2' });
    assert.equal(other.json().owner, 'p2');
    // create_restricted is SYSTEM_MEMBER only (no legacy fallback with the new defaults)
    expectError(
      await r('POST', '/v1/allocations', p1, { resource_class: 'rc-x', owner: 'p2' }),
      403,
      /Policy baremetal:allocation:create_restricted is required/,
    );
    const own = await r('POST', '/v1/allocations', p1, { resource_class: 'rc-x', owner: 'p1' });
    assert.equal(own.statusCode, 201, own.body);
    assert.equal(own.json().owner, 'p1');
    const reader = as(token('p1', ['reader']));
    expectError(await r('POST', '/v1/allocations', reader, { resource_class: 'rc-x' }), 403);
  });

  test("a member sees and changes its project's allocations only", async () => {
    const mine = (await r('POST', '/v1/allocations', p1, { resource_class: 'rc-vis', name: 'vis-p1' })).json();
    const theirs = (await r('POST', '/v1/allocations', p2, { resource_class: 'rc-vis', name: 'vis-p2' })).json();
    const list = (await r('GET', '/v1/allocations?resource_class=rc-vis', p1)).json();
    assert.deepEqual(
      list.allocations.map((a: Body) => a.name),
      ['vis-p1'],
    );
    assert.equal((await r('GET', '/v1/allocations?resource_class=rc-vis', admin)).json().allocations.length, 2);
    assert.equal(
      (await r('GET', '/v1/allocations?resource_class=rc-vis&owner=p2', admin)).json().allocations[0].name,
      'vis-p2',
    );
    expectError(await r('GET', '/v1/allocations?owner=p2', p1), 403, /baremetal:allocation:list_all/);
    assert.equal((await r('GET', '/v1/allocations?owner=p1&resource_class=rc-vis', p1)).json().allocations.length, 1);
    expectError(await r('GET', `/v1/allocations/${theirs.uuid}`, p1), 404, /could not be found/);
    expectError(
      await r('PATCH', `/v1/allocations/${theirs.uuid}`, p1, [{ op: 'add', path: '/extra/a', value: 1 }]),
      404,
    );
    expectError(await r('DELETE', `/v1/allocations/${theirs.uuid}`, p1), 404);
    assert.equal((await r('GET', `/v1/allocations/${mine.uuid}`, p1)).statusCode, 200);
    assert.equal((await r('DELETE', `/v1/allocations/${mine.uuid}`, p1)).statusCode, 204);
    assert.equal((await r('DELETE', `/v1/allocations/${theirs.uuid}`, admin)).statusCode, 204);
    // without a project, a non-admin cannot list
    expectError(await r('GET', '/v1/allocations', as(token(null, ['reader']))), 403);
  });

  test("a member's candidate_nodes are narrowed to its project's nodes (create_restricted: system members only)", async () => {
    const foreign = await node('rc-cn', 'p2');
    expectError(
      await r('POST', '/v1/allocations', p1, { resource_class: 'rc-cn', candidate_nodes: [foreign.name] }),
      400,
      new RegExp(`Nodes cannot be found: ${foreign.name}`),
    );
    const mine = await node('rc-cn', 'p1');
    const created = await r('POST', '/v1/allocations', p1, { resource_class: 'rc-cn', candidate_nodes: [mine.name] });
    assert.equal(created.statusCode, 201, created.body);
    assert.deepEqual(created.json().candidate_nodes, [mine.uuid]);
    // a system member is not narrowed
    const any = await r('POST', '/v1/allocations', admin, { resource_class: 'rc-cn', candidate_nodes: [foreign.name] });
    assert.equal(any.statusCode, 201, any.body);
    assert.deepEqual(any.json().candidate_nodes, [foreign.uuid]);
    assert.equal(fault(await r('GET', '/v1/allocations/no-such', p1)), 'Allocation no-such could not be found.');
  });
});
