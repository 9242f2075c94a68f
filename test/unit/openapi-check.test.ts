/**
 * The document is the contract: every answer of the embedded gateway (the newest surface, no
 * release pin) to a run over its routes — success paths at the newest microversion and at 1.1,
 * collections with their pagination parameters, the main error paths — is checked against
 * openapi/openapi.json by test/support/openapi-check.ts (operation, status, body, headers,
 * min-ver). The checker itself is shown to catch each kind of mismatch.
 */
import assert from 'node:assert/strict';
import jwt from 'jsonwebtoken';
import { after, before, test } from 'node:test';
import { resourceRoutes } from '../../src/http/routes/index.ts';
import { testGateway, type TestGateway } from '../support/app.ts';
import { jsonBody, openApiCheck, type HttpAnswer } from '../support/openapi-check.ts';
import { SECRET } from './auth/helpers.ts';

const NO_SUCH = '1be26c0b-03f2-4d2e-ae87-c02d7f33c123';
type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

const check = openApiCheck();
const problems: string[] = [];
let g: TestGateway;

before(async () => {
  g = await testGateway({
    routes: resourceRoutes,
    nodes: 2,
    config: { pin_release_version: undefined, simulator_action_delay_ms: 5 },
  });
});
after(() => g.close());

/** Sends a request, checks its answer against the document, returns the body. */
async function hit(method: Method, url: string, body?: unknown, version = 'latest'): Promise<Record<string, any>> {
  const r = await g.app.inject({
    method,
    url,
    headers: { 'x-openstack-ironic-api-version': version },
    ...(body !== undefined ? { payload: body as object } : {}),
  });
  const parsed = jsonBody(r.body);
  problems.push(
    ...check.problems({
      method,
      path: url,
      status: r.statusCode,
      body: parsed,
      headers: r.headers as HttpAnswer['headers'],
      version: version === 'latest' ? undefined : version,
    }),
  );
  return parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, any>) : {};
}

let seq = 0;
const mac = () => `52:54:00:0d:00:${(++seq & 255).toString(16).padStart(2, '0')}`;

async function waitIdle(uuid: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const r = await g.app.inject({ url: `/v1/nodes/${uuid}`, headers: { 'x-openstack-ironic-api-version': 'latest' } });
    const n = r.json();
    if (!n.target_provision_state && !n.reservation) return;
    await new Promise((res) => setTimeout(res, 10));
  }
}

/** Reads a collection as a list and `/detail`, then a page of one with its marker, as each version allows. */
async function collection(path: string, version = 'latest', detail = true): Promise<void> {
  const first = await hit('GET', `${path}?limit=1`, undefined, version);
  const items = Object.values(first).find(Array.isArray) as Array<{ uuid?: string }> | undefined;
  await hit('GET', path, undefined, version);
  if (detail) await hit('GET', `${path}/detail?sort_dir=desc&sort_key=created_at`, undefined, version);
  if (items?.[0]?.uuid) await hit('GET', `${path}?limit=1&marker=${items[0].uuid}`, undefined, version);
}

async function run(): Promise<void> {
  // discovery and drivers
  for (const url of ['/', '/v1', '/v1/drivers', '/v1/drivers?detail=true', '/v1/drivers?type=dynamic'])
    await hit('GET', url);
  await hit('GET', '/v1', undefined, '1.1');
  const d = '/v1/drivers/fake-hardware';
  for (const url of [d, `${d}/properties`, `${d}/raid/logical_disk_properties`, `${d}/vendor_passthru/methods`])
    await hit('GET', url);
  await hit('POST', `${d}/vendor_passthru?method=driver_method_sync`, { bar: 'x' });
  await hit('GET', `${d}/vendor_passthru/driver_method_sync`);

  // resources, created at the newest version
  const chassis = await hit('POST', '/v1/chassis', { description: 'c' });
  const node = await hit('POST', '/v1/nodes', { driver: 'fake-hardware', name: 'n-check', chassis_uuid: chassis.uuid });
  const base = `/v1/nodes/${node.uuid}`;
  const pg = await hit('POST', '/v1/portgroups', { node_uuid: node.uuid, name: 'pg-check', address: mac() });
  const port = await hit('POST', '/v1/ports', { node_uuid: node.uuid, address: mac(), portgroup_uuid: pg.uuid });
  const conn = await hit('POST', '/v1/volume/connectors', { node_uuid: node.uuid, type: 'iqn', connector_id: 'iqn.c' });
  const target = await hit('POST', '/v1/volume/targets', {
    node_uuid: node.uuid,
    volume_type: 'iscsi',
    volume_id: 'vol-c',
    boot_index: 0,
  });

  // reads, at the newest version and at 1.1 where the route exists then
  for (const v of ['latest', '1.1']) {
    await collection('/v1/nodes', v);
    await collection('/v1/ports', v);
    await collection('/v1/chassis', v);
    await collection(`/v1/chassis/${chassis.uuid}/nodes`, v);
    await collection(`${base}/ports`, v);
    for (const url of [
      base,
      `${base}/states`,
      `${base}/validate`,
      `/v1/ports/${port.uuid}`,
      `/v1/chassis/${chassis.uuid}`,
    ])
      await hit('GET', url, undefined, v);
  }
  for (const url of [
    `${base}?fields=uuid,name`,
    `/v1/ports/${port.uuid}?fields=uuid`,
    `/v1/nodes?fields=uuid,power_state`,
  ])
    await hit('GET', url);
  await collection('/v1/portgroups');
  await collection(`${base}/portgroups`);
  await collection(`/v1/portgroups/${pg.uuid}/ports`);
  await hit('GET', `/v1/portgroups/${pg.uuid}`);
  // the conductor changes volume objects of a node powered off only
  await hit('PUT', `${base}/states/power`, { target: 'power off' });
  await hit('GET', '/v1/volume');
  await hit('GET', `${base}/volume`);
  for (const [kind, obj] of [
    ['connectors', conn],
    ['targets', target],
  ] as const) {
    await collection(`/v1/volume/${kind}`, 'latest', false);
    await hit('GET', `/v1/volume/${kind}?detail=true`);
    await hit('GET', `/v1/volume/${kind}/${obj.uuid}`);
    await hit('GET', `${base}/volume/${kind}?detail=true&limit=1`);
    await hit('PATCH', `/v1/volume/${kind}/${obj.uuid}`, [{ op: 'add', path: '/extra/a', value: 1 }]);
  }
  for (const url of [`/v1/nodes.json`, `${base}.json`]) await hit('GET', url);

  // node actions
  await hit('PATCH', base, [{ op: 'add', path: '/extra/a', value: 1 }]);
  await hit('PATCH', `/v1/ports/${port.uuid}`, [{ op: 'add', path: '/extra/a', value: 1 }]);
  await hit('PATCH', `/v1/portgroups/${pg.uuid}`, [{ op: 'add', path: '/extra/a', value: 1 }]);
  await hit('PATCH', `/v1/chassis/${chassis.uuid}`, [{ op: 'add', path: '/extra/a', value: 1 }]);
  await hit('PUT', `${base}/maintenance`, { reason: 'r' });
  await hit('DELETE', `${base}/maintenance`);
  await hit('PUT', `${base}/states/power`, { target: 'power on' });
  await hit('PUT', `${base}/states/raid`, { logical_disks: [{ size_gb: 10, raid_level: '1' }] });
  await hit('GET', `${base}/states/console`);
  await hit('PUT', `${base}/states/console`, { enabled: false });
  await hit('GET', `${base}/management/boot_device`);
  await hit('PUT', `${base}/management/boot_device`, { boot_device: 'pxe' });
  await hit('GET', `${base}/management/boot_device/supported`);
  await hit('PUT', `${base}/management/inject_nmi`, {});
  await hit('GET', `${base}/vendor_passthru/methods`);
  await hit('POST', `${base}/vendor_passthru?method=second_method`, { bar: 'kazoo' });
  await hit('POST', `${base}/vendor_passthru/third_method_sync`, { bar: 'meow' });
  await hit('GET', `${base}/traits`);
  await hit('PUT', `${base}/traits`, { traits: ['CUSTOM_A'] });
  await hit('PUT', `${base}/traits/CUSTOM_B`);
  await hit('DELETE', `${base}/traits/CUSTOM_B`);
  await hit('DELETE', `${base}/traits`);
  const vif = '6f0b3a37-4c55-4a43-a5e1-0b0a4b6e4a10';
  await hit('POST', `${base}/vifs`, { id: vif });
  await hit('GET', `${base}/vifs`);
  await hit('DELETE', `${base}/vifs/${vif}`);
  // 1.39–1.82: boot mode and secure boot, indicators, the node's sub-resources, list details
  await hit('PUT', `${base}/states/boot_mode`, { target: 'uefi' });
  await hit('PUT', `${base}/states/secure_boot`, { target: true });
  const indicators = await hit('GET', `${base}/management/indicators`);
  const indicator = Object.values(indicators.indicators ?? {})[0] as Array<{ name?: string }> | undefined;
  if (indicator?.[0]?.name) await hit('GET', `${base}/management/indicators/${indicator[0].name}`);
  await hit('GET', `${base}/bios`);
  await hit('GET', `${base}/bios?detail=true`);
  await hit('GET', `${base}/bios/no_such_setting`);
  const history = await hit('GET', `${base}/history?detail=true`);
  if (history.history?.[0]?.uuid) await hit('GET', `${base}/history/${history.history[0].uuid}`);
  await hit('GET', `${base}/inventory`);
  await hit('GET', `${base}/bios`, undefined, '1.39');
  await hit('GET', '/v1/nodes?detail=true&limit=1');
  await hit('GET', `/v1/lookup?addresses=${port.address}`);
  await hit('POST', `/v1/heartbeat/${node.uuid}`, { callback_url: 'http://127.0.0.1:9999', agent_version: '3.0' });
  await hit('PUT', `${base}/states/provision`, { target: 'manage' });
  await waitIdle(node.uuid);

  // error paths
  await hit('GET', `/v1/nodes/${NO_SUCH}`);
  await hit('GET', '/v1/nodes/no-such-name');
  await hit('GET', `/v1/ports/${NO_SUCH}`);
  await hit('GET', `/v1/portgroups/${NO_SUCH}`);
  await hit('GET', `/v1/chassis/${NO_SUCH}`);
  await hit('GET', `/v1/volume/targets/${NO_SUCH}`);
  await hit('GET', '/v1/drivers/no-such-driver');
  await hit('GET', '/v1/nodes?limit=0');
  await hit('GET', '/v1/ports?sort_dir=sideways');
  await hit('GET', '/v1/chassis?sort_key=extra');
  await hit('GET', '/v1/nodes', undefined, '1.999');
  await hit('GET', '/v1/nodes', undefined, 'one');
  await hit('GET', `${base}?fields=uuid`, undefined, '1.1');
  await hit('GET', '/v1/portgroups', undefined, '1.1');
  await hit('POST', '/v1/nodes', { driver: 'no-such-driver' });
  await hit('POST', '/v1/ports', { node_uuid: NO_SUCH, address: mac() });
  await hit('PUT', `${base}/states/power`, { target: 'sideways' });
  await hit('PUT', `${base}/states/provision`, { target: 'active' });
  await hit('DELETE', `/v1/chassis/${chassis.uuid}`);
  await hit('PATCH', base, [{ op: 'replace', path: '/uuid', value: NO_SUCH }]);

  // deletes, children first
  await hit('DELETE', `/v1/volume/connectors/${conn.uuid}`);
  await hit('DELETE', `/v1/volume/targets/${target.uuid}`);
  await hit('DELETE', `/v1/ports/${port.uuid}`);
  await hit('DELETE', `/v1/portgroups/${pg.uuid}`);
  await hit('DELETE', base);
  await hit('DELETE', `/v1/chassis/${chassis.uuid}`);
}

test('every answer of a run over the routes matches the OpenAPI document', async (t) => {
  await run();
  const operations = new Set([...check.seen].map((s) => s.split(' ').slice(0, 2).join(' ')));
  const documented = Object.entries(check.document.paths as Record<string, Record<string, unknown>>).flatMap(
    ([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`),
  );
  t.diagnostic(
    `${check.count} answers checked: ${operations.size} of ${documented.length} operations, ${check.seen.size} operation × status pairs`,
  );
  assert.deepEqual(problems, [], `${problems.length} answers disagree with the document:\n${problems.join('\n')}`);
  assert.ok(operations.size >= 70, `${operations.size} operations exercised`);
  assert.ok(check.count >= 150, `${check.count} answers`);
});

test('answers to callers without a token or without the role match the document', async () => {
  const secured = await testGateway({
    routes: resourceRoutes,
    config: { pin_release_version: undefined, auth_strategy: 'jwt', jwt_algorithm: 'HS256', jwt_secret: SECRET },
  });
  try {
    // the unpinned gateway enforces 39.0's scopes: an operator's reader token is system-scoped, a
    // tenant's project-scoped (which lists its project's nodes only)
    const reader = jwt.sign({ sub: 'u', roles: ['reader'], system_scope: 'all' }, SECRET, {
      algorithm: 'HS256',
      expiresIn: 60,
    });
    const tenant = jwt.sign({ sub: 't', roles: ['reader'], project_id: 'p1' }, SECRET, {
      algorithm: 'HS256',
      expiresIn: 60,
    });
    const found: string[] = [];
    for (const [method, url, token, status] of [
      ['GET', '/v1/nodes', undefined, 401],
      ['GET', '/v1/ports/detail', 'garbage', 401],
      ['POST', '/v1/chassis', reader, 403],
      ['DELETE', `/v1/nodes/${NO_SUCH}`, reader, 404],
      ['GET', '/v1/nodes', reader, 200],
      ['GET', '/v1/nodes', tenant, 200],
      ['GET', '/v1', undefined, 200],
    ] as const) {
      const r = await secured.app.inject({
        method,
        url,
        headers: {
          'x-openstack-ironic-api-version': 'latest',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        ...(method === 'POST' ? { payload: {} } : {}),
      });
      assert.equal(r.statusCode, status, `${method} ${url}: ${r.body}`);
      found.push(
        ...check.problems({
          method,
          path: url,
          status: r.statusCode,
          body: jsonBody(r.body),
          headers: r.headers as HttpAnswer['headers'],
        }),
      );
    }
    assert.deepEqual(found, [], found.join('\n'));
  } finally {
    await secured.close();
  }
});

test('a gateway shutting down answers as the document says', async () => {
  const draining = await testGateway({ routes: resourceRoutes, config: { pin_release_version: undefined } });
  try {
    draining.app.drain();
    const found: string[] = [];
    for (const url of ['/v1/nodes', '/v1', '/']) {
      const r = await draining.app.inject({ url, headers: { 'x-openstack-ironic-api-version': 'latest' } });
      assert.equal(r.statusCode, 503, url);
      const answer = { method: 'GET', path: url, status: 503, body: jsonBody(r.body) };
      found.push(...check.problems({ ...answer, headers: r.headers as HttpAnswer['headers'] }));
    }
    assert.deepEqual(found, [], found.join('\n'));
  } finally {
    await draining.close();
  }
});

test('the checker finds each kind of disagreement', async () => {
  const r = await g.app.inject({ url: '/v1/chassis', headers: { 'x-openstack-ironic-api-version': 'latest' } });
  const answer: HttpAnswer = {
    method: 'GET',
    path: '/v1/chassis',
    status: 200,
    body: r.json(),
    headers: r.headers as HttpAnswer['headers'],
  };
  assert.deepEqual(check.problems(answer), []);
  const problemsOf = (a: Partial<HttpAnswer>) => check.problems({ ...answer, ...a }).join('\n');

  assert.match(
    problemsOf({ body: { chassis: [{ uuid: 7 }] } }),
    /body does not match.*\/chassis\/0\/uuid must be string/,
  );
  assert.match(problemsOf({ body: {} }), /body does not match.*must have required property 'chassis'/);
  assert.match(problemsOf({ status: 418 }), /status not documented/);
  assert.match(problemsOf({ path: '/v1/no-such-collection' }), /no operation of the document matches/);
  assert.match(problemsOf({ method: 'PUT' }), /no operation of the document matches/);
  assert.match(problemsOf({ headers: {} }), /required header X-OpenStack-Ironic-API-Minimum-Version missing/);
  assert.match(
    problemsOf({ headers: { ...answer.headers, 'x-openstack-request-id': 'nope' } }),
    /header X-Openstack-Request-Id: "nope" must match pattern/,
  );
  assert.match(
    problemsOf({ path: '/v1/portgroups', body: { portgroups: [] }, version: '1.22' }),
    /succeeded at 1.22, below the operation's min-ver 1.23/,
  );
  assert.match(problemsOf({ status: 404, body: { message: 'x' } }), /must have required property 'error_message'/);
  assert.match(problemsOf({ status: 404, body: { error_message: 'not json' } }), /error_message is not JSON/);
  assert.match(
    problemsOf({ status: 404, body: { error_message: JSON.stringify({ faultstring: 'x' }) } }),
    /error_message's JSON does not match its contentSchema: .*faultcode/,
  );
  assert.match(
    problemsOf({ method: 'DELETE', path: `/v1/chassis/${NO_SUCH}`, status: 204, body: { a: 1 } }),
    /documented without a body/,
  );
  // templates: literal segments first, a final .json as ironic-api strips it
  assert.equal(check.operationOf('GET', '/v1/nodes/detail?limit=1'), 'GET /v1/nodes/detail');
  assert.equal(check.operationOf('GET', `/v1/nodes/${NO_SUCH}`), 'GET /v1/nodes/{node_ident}');
  assert.equal(check.operationOf('GET', '/v1/nodes.json'), 'GET /v1/nodes');
});
