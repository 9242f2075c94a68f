/**
 * The node list asks Node.list for no more than the page shows: `fields` (the default view's or
 * `?fields=`'s object columns and what ironic-api 21.4 adds) when the pinned release's Node.list
 * is known to take it (Node 1.37, 21.4, and later), whole nodes otherwise and for the detail view; the answer is
 * the same either way.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ConductorAPI } from '../../../src/conductor/api.ts';
import { resourceRoutes } from '../../../src/http/routes/index.ts';
import { testGateway, type TestGateway } from '../../support/app.ts';
import { call, createNode } from './nodes-helpers.ts';

const REQUIRED = ['allocation_id', 'chassis_id', 'uuid', 'owner', 'lessee', 'created_at', 'updated_at'];

/** Records the kwargs of every Node.list the gateway sends. */
function spyNodeList(conductor: ConductorAPI): Array<Record<string, unknown>> {
  const seen: Array<Record<string, unknown>> = [];
  const original = conductor.object_class_action_versions.bind(conductor);
  conductor.object_class_action_versions = ((ctx, objname, objmethod, versions, args, kwargs) => {
    if (objname === 'Node' && objmethod === 'list') seen.push({ ...(kwargs ?? {}) });
    return original(ctx, objname, objmethod, versions, args, kwargs);
  }) as ConductorAPI['object_class_action_versions'];
  return seen;
}

async function gatewayPinned(
  pin: string | undefined,
): Promise<{ g: TestGateway; seen: Array<Record<string, unknown>> }> {
  const g = await testGateway({ routes: resourceRoutes, config: { pin_release_version: pin } });
  return { g, seen: spyNodeList(g.conductor) };
}

describe('pinned to 21.4 (Node 1.37)', () => {
  let g: TestGateway;
  let seen: Array<Record<string, unknown>>;
  let node: Record<string, any>;
  let chassis: Record<string, any>;
  before(async () => {
    ({ g, seen } = await gatewayPinned('21.4'));
    chassis = (await call(g.app, '/v1/chassis', { method: 'POST', version: '1.38', body: {} })).json();
    node = await createNode(g.app, { chassis_uuid: chassis.uuid });
    await createNode(g.app);
  });
  after(() => g.close());

  test('the default view asks for its six fields and the required columns; the page is unchanged', async () => {
    seen.length = 0;
    const r = await call(g.app, '/v1/nodes', { version: '1.78' });
    assert.equal(r.statusCode, 200, r.body);
    assert.deepEqual(seen.length, 1);
    assert.deepEqual(
      [...((seen[0]?.fields ?? []) as string[])].sort(),
      [
        ...new Set(['instance_uuid', 'maintenance', 'power_state', 'provision_state', 'uuid', 'name', ...REQUIRED]),
      ].sort(),
    );
    const first = r.json().nodes[0];
    assert.deepEqual(Object.keys(first).sort(), [
      'instance_uuid',
      'links',
      'maintenance',
      'name',
      'power_state',
      'provision_state',
      'uuid',
    ]);
    assert.equal(first.uuid, node.uuid);
    assert.equal(first.name, node.name);
    assert.equal(first.maintenance, false);
    assert.equal(first.provision_state, 'enroll');
  });

  test('?fields= sends the object columns among them; chassis_uuid, allocation_uuid and conductor are answered all the same', async () => {
    seen.length = 0;
    const r = await call(
      g.app,
      '/v1/nodes?fields=uuid,chassis_uuid,conductor,allocation_uuid,driver_info,traits&limit=1',
      { version: '1.78' },
    );
    assert.equal(r.statusCode, 200, r.body);
    const fields = seen[0]?.fields as string[];
    assert.ok(fields.includes('driver_info') && fields.includes('traits'));
    for (const api of ['chassis_uuid', 'conductor', 'allocation_uuid']) assert.ok(!fields.includes(api), api);
    const [n] = r.json().nodes;
    assert.equal(n.chassis_uuid, chassis.uuid);
    assert.equal(n.conductor, g.sim.host);
    assert.equal(n.allocation_uuid, null);
    assert.deepEqual(n.traits, []);
    assert.ok(typeof n.driver_info === 'object');
  });

  test('the detail view and ?detail=true read whole nodes', async () => {
    seen.length = 0;
    assert.equal((await call(g.app, '/v1/nodes/detail', { version: '1.78' })).statusCode, 200);
    assert.equal((await call(g.app, '/v1/nodes?detail=true', { version: '1.78' })).statusCode, 200);
    assert.equal(seen.length, 2);
    for (const kw of seen) assert.equal('fields' in kw, false);
  });
});

test('a gateway pinned before Node 1.37 never sends fields; 21.4 (1.37) and the unpinned one do', async () => {
  for (const [pin, sends] of [
    ['10.1', false],
    ['18.0', false],
    ['21.3', false],
    ['21.4', true],
    [undefined, true],
  ] as const) {
    const { g, seen } = await gatewayPinned(pin);
    try {
      await createNode(g.app);
      const r = await call(g.app, '/v1/nodes?fields=uuid,name', { version: '1.38' });
      assert.equal(r.statusCode, 200, r.body);
      assert.deepEqual(
        r.json().nodes.map((n: any) => Object.keys(n).sort()),
        [['links', 'name', 'uuid']],
      );
      assert.equal(seen.length, 1);
      assert.equal('fields' in (seen[0] ?? {}), sends, `pinned to ${pin}`);
    } finally {
      await g.close();
    }
  }
});
