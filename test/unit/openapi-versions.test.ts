/**
 * The document's microversion annotations match the route table and the field tables (issue 19):
 * each /v1 operation's `x-openstack` min-ver is its route's minVersion; each microversioned
 * resource is a oneOf of variants whose `x-openstack` ranges cover 1.1 to the newest microversion
 * without gap or overlap, the variant of each microversion holding exactly the fields its table
 * shows then; the gateway's answers at every microversion have exactly their variant's fields;
 * and the checker holds an answer to the variant of its microversion.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  NODE_FIELD_VERSIONS,
  NODE_FIELDS,
  NODE_LINK_VERSIONS,
  NODE_STATE_FIELD_SINCE,
  NODE_STATE_FIELDS,
} from '../../src/http/api-utils/node.ts';
import { PORT_HIBISCUS } from '../../src/http/api-utils/port.ts';
import {
  BIOS_API_FIELDS,
  BIOS_FIELD_SINCE,
  HISTORY_DETAIL_FIELDS,
  HISTORY_FIELD_SINCE,
} from '../../src/http/api-utils/subresources.ts';
import { VERSIONED_RESOURCES } from '../../src/http/openapi-versions.ts';
import { route, type RouteDef } from '../../src/http/route.ts';
import { DRIVER_FIELD_SINCE, DRIVER_FIELDS, DRIVER_LINK_VERSIONS } from '../../src/http/routes/drivers.ts';
import { resourceRoutes } from '../../src/http/routes/index.ts';
import { FIRMWARE_FIELD_SINCE, FIRMWARE_QUERY_FIELDS } from '../../src/http/routes/nodes/vmedia.ts';
import { rootRoutes, V1_FIELDS, V1_RESOURCE_VERSIONS } from '../../src/http/routes/root.ts';
import { RUNBOOK_FIELD_SINCE, RUNBOOK_FIELDS } from '../../src/http/routes/runbooks.ts';
import { VOLUME_CONNECTOR_SPEC, VOLUME_TARGET_SPEC } from '../../src/http/routes/volume.ts';
import { MINOR_MAX_VERSION, MINOR_MIN_VERSION, type Microversion } from '../../src/http/versions.ts';
import { renderOpenApi } from '../../src/tools/openapi.ts';
import { testGateway, type TestGateway } from '../support/app.ts';
import { openApiCheck, type HttpAnswer } from '../support/openapi-check.ts';

type Json = Record<string, any>;
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];
const minorOf = (v: string): number => Number(v.split('.')[1]);
const allMinors = Array.from({ length: MINOR_MAX_VERSION - MINOR_MIN_VERSION + 1 }, (_, i) => MINOR_MIN_VERSION + i);

let doc: Json;
let g: TestGateway;

before(async () => {
  doc = JSON.parse(await renderOpenApi());
  g = await testGateway({ routes: resourceRoutes, nodes: 1, config: { pin_release_version: undefined } });
});
after(() => g.close());

/** The operations of the document by operationId. */
function operations(): Map<string, { path: string; method: string; op: Json }> {
  const out = new Map<string, { path: string; method: string; op: Json }>();
  for (const [path, item] of Object.entries(doc.paths as Json))
    for (const [method, op] of Object.entries(item as Json))
      if (METHODS.includes(method) && op.operationId) out.set(op.operationId, { path, method, op });
  return out;
}

/** The operationIds of a route, as registerRoutes gives them (a method suffix when it has several). */
function operationIdsOf(def: RouteDef): string[] {
  const methods = [def.method].flat();
  if (methods.length === 1) return [def.operationId];
  return methods.map((m) => `${def.operationId}${m.charAt(0)}${m.slice(1).toLowerCase()}`);
}

test("every /v1 operation's x-openstack min-ver (max-ver) is its route's minVersion (maxVersion), and only /v1 operations have one", () => {
  const ops = operations();
  let versioned = 0;
  for (const def of [...rootRoutes, ...resourceRoutes]) {
    // routes kept out of the document (the refused forms ironic-api answers 4xx to)
    if ((def.schema as { hide?: boolean } | undefined)?.hide) continue;
    for (const id of operationIdsOf(def)) {
      const found = ops.get(id);
      assert.ok(found, `${id} (${def.url}) is in the document`);
      const x = found.op['x-openstack'];
      if (def.url === '/v1' || def.url.startsWith('/v1/')) {
        versioned++;
        assert.deepEqual(
          x,
          {
            'min-ver': `1.${def.minVersion ?? MINOR_MIN_VERSION}`,
            ...(def.maxVersion !== undefined ? { 'max-ver': `1.${def.maxVersion}` } : {}),
          },
          `${id}: x-openstack of ${found.method.toUpperCase()} ${found.path}`,
        );
      } else assert.equal(x, undefined, `${id} is not microversioned`);
    }
  }
  assert.ok(versioned > 100, `${versioned} /v1 operations compared`);
  // and no /v1 operation of the document lacks its route
  const ids = new Set([...rootRoutes, ...resourceRoutes].flatMap(operationIdsOf));
  for (const [id, { path }] of ops) if (path.startsWith('/v1')) assert.ok(ids.has(id), `${id} has a route`);
});

test('each microversioned resource: variants cover its first microversion to the newest, each with the fields its table shows', () => {
  const schemas = doc.components.schemas as Json;
  for (const resource of VERSIONED_RESOURCES) {
    const top = schemas[resource.name];
    assert.ok(top, `components.schemas.${resource.name}`);
    const min = resource.min ?? MINOR_MIN_VERSION;
    // a resource the same at every microversion is its one variant
    const variants = top.oneOf
      ? (top.oneOf as Json[]).map((m) => schemas[m.$ref.replace('#/components/schemas/', '')])
      : [top];
    const starts = new Set(
      [min, ...Object.values(resource.since), ...Object.values(resource.links)].filter((v) => v >= min),
    );
    assert.equal(variants.length, starts.size, `${resource.name}: a variant from each microversion of its tables`);
    let next = min as number;
    for (const v of variants) {
      assert.equal(minorOf(v['x-openstack']['min-ver']), next, `${resource.name}: variants contiguous`);
      next = minorOf(v['x-openstack']['max-ver']) + 1;
      assert.equal(v.additionalProperties, false, `${resource.name} ${v['x-openstack']['min-ver']} is closed`);
    }
    assert.equal(next - 1, MINOR_MAX_VERSION, `${resource.name}: the last variant ends at the newest microversion`);
    // at every microversion, from the tables themselves
    for (const n of allMinors.filter((m) => m >= min)) {
      const variant = variants.find(
        (v) => minorOf(v['x-openstack']['min-ver']) <= n && n <= minorOf(v['x-openstack']['max-ver']),
      );
      const expected = [
        ...resource.fields.filter((f) => (resource.since[f] ?? 0) <= n),
        ...(resource.withLinks === false ? [] : ['links']),
        ...Object.keys(resource.links).filter((l) => (resource.links[l] ?? 0) <= n),
      ].sort();
      assert.deepEqual(Object.keys(variant.properties).sort(), expected, `${resource.name} at 1.${n}`);
      for (const [name, schema] of Object.entries(variant.properties as Json))
        assert.notEqual(
          schema.description,
          'not documented by its route schema',
          `${resource.name}.${name}: a field of the table has a schema in the route's response`,
        );
    }
  }
  // the resources come from the gateway's own tables, not from a copy of them
  const node = VERSIONED_RESOURCES.find((r) => r.name === 'Node');
  assert.equal(node?.fields, NODE_FIELDS);
  assert.equal(node?.since, NODE_FIELD_VERSIONS.since);
  assert.equal(node?.links, NODE_LINK_VERSIONS);
  assert.equal(VERSIONED_RESOURCES.find((r) => r.name === 'Port')?.since, PORT_HIBISCUS.versions.since);
  const resource = (name: string) => VERSIONED_RESOURCES.find((r) => r.name === name);
  assert.equal(resource('Driver')?.fields, DRIVER_FIELDS);
  assert.equal(resource('Driver')?.since, DRIVER_FIELD_SINCE);
  assert.equal(resource('Driver')?.links, DRIVER_LINK_VERSIONS);
  assert.equal(resource('NodeStates')?.fields, NODE_STATE_FIELDS);
  assert.equal(resource('NodeStates')?.since, NODE_STATE_FIELD_SINCE);
  assert.equal(resource('Runbook')?.fields, RUNBOOK_FIELDS);
  assert.equal(resource('Runbook')?.since, RUNBOOK_FIELD_SINCE);
  assert.equal(resource('VolumeConnector')?.fields, VOLUME_CONNECTOR_SPEC.fields);
  assert.equal(resource('VolumeTarget')?.since, VOLUME_TARGET_SPEC.versions.since);
  assert.equal(resource('NodeHistoryEvent')?.fields, HISTORY_DETAIL_FIELDS);
  assert.equal(resource('NodeHistoryEvent')?.since, HISTORY_FIELD_SINCE);
  assert.equal(resource('ApiV1')?.fields, V1_FIELDS);
  assert.equal(resource('ApiV1')?.links, V1_RESOURCE_VERSIONS);
  assert.equal(resource('BiosSetting')?.fields, BIOS_API_FIELDS);
  assert.equal(resource('BiosSetting')?.since, BIOS_FIELD_SINCE);
  assert.equal(resource('FirmwareComponent')?.fields, FIRMWARE_QUERY_FIELDS);
  assert.equal(resource('FirmwareComponent')?.since, FIRMWARE_FIELD_SINCE);
});

test("the tables the variants read hold Ironic's microversions: a driver's interfaces, a node's states (the node's own), a runbook's, a BIOS setting's, a firmware component's and a history event's fields, /v1's resources", () => {
  // a detailed driver's interfaces from the dynamic drivers (1.30), the newer ones at theirs
  assert.equal(DRIVER_FIELD_SINCE.type, 30);
  assert.equal(DRIVER_FIELD_SINCE.default_boot_interface, 30);
  assert.equal(DRIVER_FIELD_SINCE.enabled_storage_interfaces, 33);
  assert.equal(DRIVER_FIELD_SINCE.default_rescue_interface, 38);
  assert.equal(DRIVER_FIELD_SINCE.enabled_bios_interfaces, 40);
  assert.equal(DRIVER_FIELD_SINCE.default_firmware_interface, 86);
  assert.deepEqual(DRIVER_LINK_VERSIONS, { properties: 14 });
  // node_states_convert: raid_config and target_raid_config at 1.12, boot_mode and secure_boot at 1.75
  assert.deepEqual(
    { ...NODE_STATE_FIELD_SINCE },
    { raid_config: 12, target_raid_config: 12, boot_mode: 75, secure_boot: 75 },
  );
  for (const [f, since] of Object.entries(NODE_STATE_FIELD_SINCE)) assert.equal(NODE_FIELD_VERSIONS.since[f], since);
  assert.deepEqual({ ...RUNBOOK_FIELD_SINCE }, { description: 112, traits: 112 });
  // the BIOS registry's fields from 1.74, and node_id, which only ?fields= (1.74) shows
  assert.deepEqual(Object.keys(BIOS_FIELD_SINCE).sort(), [
    'allowable_values',
    'attribute_type',
    'lower_bound',
    'max_length',
    'min_length',
    'node_id',
    'read_only',
    'reset_required',
    'unique',
    'upper_bound',
  ]);
  assert.ok(Object.values(BIOS_FIELD_SINCE).every((v) => v === 74));
  assert.deepEqual({ ...FIRMWARE_FIELD_SINCE }, { vendor: 114, model: 114, serial_number: 114 });
  assert.deepEqual(
    { ...HISTORY_FIELD_SINCE },
    { project: 113, state: 115, target_provision_state: 115, duration_seconds: 115 },
  );
  assert.deepEqual(
    { ...V1_RESOURCE_VERSIONS },
    {
      chassis: 1,
      nodes: 1,
      ports: 1,
      drivers: 1,
      portgroups: 23,
      volume: 32,
      lookup: 22,
      heartbeat: 22,
      conductors: 49,
      allocations: 52,
      events: 54,
      deploy_templates: 55,
      shards: 82,
      runbooks: 92,
      inspection_rules: 96,
      continue_inspection: 84,
    },
  );
});

test('the answers of every microversioned resource in the paths refer to its schema', () => {
  const text = JSON.stringify(doc.paths);
  const least: Record<string, number> = {
    Driver: 2,
    NodeStates: 1,
    NodeHistoryEvent: 2,
    ApiV1: 1,
    BiosSetting: 2,
    FirmwareComponent: 1,
  };
  assert.deepEqual(
    VERSIONED_RESOURCES.map((r) => r.name),
    [
      'Node',
      'Port',
      'Portgroup',
      'Chassis',
      'Allocation',
      'Driver',
      'NodeStates',
      'VolumeConnector',
      'VolumeTarget',
      'Runbook',
      'NodeHistoryEvent',
      'ApiV1',
      'BiosSetting',
      'FirmwareComponent',
    ],
  );
  for (const { name } of VERSIONED_RESOURCES) {
    const refs = text.split(`"$ref":"#/components/schemas/${name}"`).length - 1;
    assert.ok(refs >= (least[name] ?? 3), `${name} referred to ${refs} times`);
  }
  const at = (path: string, method = 'get', status = '200') =>
    doc.paths[path][method].responses[status].content['application/json'].schema;
  assert.deepEqual(at('/v1/drivers/{driver_name}'), { $ref: '#/components/schemas/Driver' });
  assert.deepEqual(at('/v1/drivers').properties.drivers.items, { $ref: '#/components/schemas/Driver' });
  assert.deepEqual(at('/v1/nodes/{node_ident}/states'), { $ref: '#/components/schemas/NodeStates' });
  assert.deepEqual(at('/v1/runbooks/{runbook_ident}'), { $ref: '#/components/schemas/Runbook' });
  assert.deepEqual(at('/v1/runbooks', 'post', '201'), { $ref: '#/components/schemas/Runbook' });
  assert.deepEqual(at('/v1/volume/connectors').properties.connectors.items, {
    $ref: '#/components/schemas/VolumeConnector',
  });
  assert.deepEqual(at('/v1/volume/targets/{target_uuid}'), { $ref: '#/components/schemas/VolumeTarget' });
  assert.deepEqual(at('/v1/nodes/{node_ident}/history').properties.history.items, {
    $ref: '#/components/schemas/NodeHistoryEvent',
  });
  assert.deepEqual(at('/v1/nodes/{node_ident}/history/{event_ident}'), {
    $ref: '#/components/schemas/NodeHistoryEvent',
  });
  assert.deepEqual(at('/v1'), { $ref: '#/components/schemas/ApiV1' });
  assert.deepEqual(at('/v1/nodes/{node_ident}/firmware').properties.firmware.items, {
    $ref: '#/components/schemas/FirmwareComponent',
  });
  assert.deepEqual(at('/v1/nodes/{node_ident}/bios/{setting_name}').additionalProperties, {
    $ref: '#/components/schemas/BiosSetting',
  });
  const show = doc.paths['/v1/nodes/{node_ident}'].get.responses['200'].content['application/json'].schema;
  assert.deepEqual(show, { $ref: '#/components/schemas/Node' });
  const list = doc.paths['/v1/ports/detail'].get.responses['200'].content['application/json'].schema;
  assert.deepEqual(list.properties.ports.items, { $ref: '#/components/schemas/Port' });
});

async function get(url: string, version: string) {
  const r = await g.app.inject({ url, headers: { 'x-openstack-ironic-api-version': version } });
  return { status: r.statusCode, body: r.json() as Json, headers: r.headers as HttpAnswer['headers'] };
}

test("at the first and last microversion of every variant, a node's, a port's, an allocation's, a driver's, a node's states', a runbook's, a history event's and /v1's answer has exactly its variant's fields", async () => {
  const schemas = doc.components.schemas as Json;
  const variantAt = (name: string, n: number): Json =>
    (schemas[name].oneOf as Json[])
      .map((m) => schemas[m.$ref.replace('#/components/schemas/', '')])
      .find((v) => minorOf(v['x-openstack']['min-ver']) <= n && n <= minorOf(v['x-openstack']['max-ver']));
  const node = (await get('/v1/nodes/detail', 'latest')).body.nodes[0];
  const created = await g.app.inject({
    method: 'POST',
    url: '/v1/ports',
    headers: { 'x-openstack-ironic-api-version': 'latest' },
    payload: { node_uuid: node.uuid, address: '52:54:00:0e:00:01' },
  });
  assert.equal(created.statusCode, 201, created.body);
  const port = created.json();
  const allocated = await g.app.inject({
    method: 'POST',
    url: '/v1/allocations',
    headers: { 'x-openstack-ironic-api-version': 'latest' },
    payload: { resource_class: 'versions-test', name: 'a-versions' },
  });
  assert.equal(allocated.statusCode, 201, allocated.body);
  const allocation = allocated.json();
  const runbooked = await g.app.inject({
    method: 'POST',
    url: '/v1/runbooks',
    headers: { 'x-openstack-ironic-api-version': 'latest' },
    payload: { name: 'CUSTOM_VERSIONS', steps: [{ interface: 'deploy', step: 'erase_devices', args: {}, order: 1 }] },
  });
  assert.equal(runbooked.statusCode, 201, runbooked.body);
  const runbook = runbooked.json();
  // a history event: a power change that fails (the simulator's simulator_fail) is journaled
  const failing = await g.app.inject({
    method: 'POST',
    url: '/v1/nodes',
    headers: { 'x-openstack-ironic-api-version': 'latest' },
    payload: { driver: 'fake-hardware', name: 'versions-history', driver_info: { simulator_fail: 'power' } },
  });
  assert.equal(failing.statusCode, 201, failing.body);
  const power = await g.app.inject({
    method: 'PUT',
    url: '/v1/nodes/versions-history/states/power',
    headers: { 'x-openstack-ironic-api-version': 'latest' },
    payload: { target: 'power on' },
  });
  assert.equal(power.statusCode, 202, power.body);
  let events: Json[] = [];
  for (let i = 0; i < 500 && events.length === 0; i++) {
    events = (await get('/v1/nodes/versions-history/history', 'latest')).body.history;
    if (events.length === 0) await new Promise((res) => setTimeout(res, 10));
  }
  assert.ok(events.length > 0, 'the failure is in the history');
  const drivers = (await get('/v1/drivers', 'latest')).body.drivers as Json[];
  assert.ok(drivers.length > 0, 'the simulated conductor has drivers');
  const check = openApiCheck(doc);
  for (const [name, url] of [
    ['Node', `/v1/nodes/${node.uuid}`],
    ['Port', `/v1/ports/${port.uuid}`],
    ['Allocation', `/v1/allocations/${allocation.uuid}`],
    ['Driver', `/v1/drivers/${drivers[0]!.name}`],
    ['NodeStates', `/v1/nodes/${node.uuid}/states`],
    ['Runbook', `/v1/runbooks/${runbook.uuid}`],
    ['NodeHistoryEvent', `/v1/nodes/versions-history/history/${events[0]!.uuid}`],
    ['ApiV1', '/v1'],
  ] as const) {
    const bounds = new Set(
      (schemas[name].oneOf as Json[])
        .map((m) => schemas[m.$ref.replace('#/components/schemas/', '')]['x-openstack'])
        .flatMap((x) => [minorOf(x['min-ver']), minorOf(x['max-ver'])]),
    );
    assert.ok(bounds.size >= 4, `${name}: ${bounds.size} microversions`);
    for (const n of bounds) {
      const r = await get(url, `1.${n}`);
      assert.equal(r.status, 200);
      assert.deepEqual(
        Object.keys(r.body).sort(),
        Object.keys(variantAt(name, n).properties).sort(),
        `${url} at 1.${n}`,
      );
      check.assert({ method: 'GET', path: url, status: 200, body: r.body, headers: r.headers, version: `1.${n}` });
    }
  }
});

test('the checker holds an answer to the variant of its microversion', async () => {
  const check = openApiCheck(doc);
  const node = (await get('/v1/nodes/detail', 'latest')).body.nodes[0];
  const at = async (version: string) => {
    const r = await get(`/v1/nodes/${node.uuid}`, version);
    return { method: 'GET', path: `/v1/nodes/${node.uuid}`, ...r, version } as HttpAnswer;
  };
  const a82 = await at('1.82');
  assert.deepEqual(check.problems(a82), []);
  // a field newer than the microversion the answer was served at
  const a81 = await at('1.81');
  assert.match(
    check.problems({ ...a81, body: { ...(a81.body as Json), shard: 'x' } }).join('\n'),
    /body does not match .* at 1\.81: .*must NOT have additional properties.*"additionalProperty":"shard"/,
  );
  // the served version is the header's, also when the request asked for latest
  assert.match(
    check
      .problems({ ...a82, version: undefined, headers: { ...a82.headers, 'x-openstack-ironic-api-version': '1.1' } })
      .join('\n'),
    /at 1\.1: .*must NOT have additional properties/,
  );
  // a field of the variant missing is fine (fields= selects), a wrong type is not
  assert.deepEqual(check.problems({ ...a81, body: { uuid: node.uuid, links: (a81.body as Json).links } }), []);
  assert.match(
    check.problems({ ...a81, body: { ...(a81.body as Json), maintenance: 'no' } }).join('\n'),
    /\/maintenance must be boolean/,
  );
  // without any version, an answer must match one of the variants
  assert.deepEqual(check.problems({ ...a82, headers: undefined, version: undefined }), []);
  assert.match(
    check
      .problems({ ...a82, headers: undefined, version: undefined, body: { ...(a82.body as Json), bogus: 1 } })
      .join('\n'),
    /body does not match \/v1\/nodes\/\{node_ident\}'s 200 schema: .*must NOT have additional properties/,
  );
  // a collection's items are held to the variant too
  const list = await get('/v1/ports/detail', '1.18');
  const answer = { method: 'GET', path: '/v1/ports/detail', ...list, version: '1.18' } as HttpAnswer;
  assert.deepEqual(check.problems(answer), []);
  const ports = (list.body.ports as Json[]).map((p) => ({ ...p, pxe_enabled: true }));
  assert.match(
    check.problems({ ...answer, body: { ports } }).join('\n'),
    /\/ports\/0 must NOT have additional properties.*pxe_enabled/,
  );
});

test("the checker holds a driver's, a node's states' and a runbook's answer to the variant of its microversion", async () => {
  const check = openApiCheck(doc);
  const node = (await get('/v1/nodes/detail', 'latest')).body.nodes[0];
  const answer = async (path: string, version: string): Promise<HttpAnswer> => ({
    method: 'GET',
    path,
    ...(await get(path, version)),
    version,
  });
  const problems = (a: HttpAnswer, body: Json) => check.problems({ ...a, body }).join('\n');
  // drivers: the list with its interfaces (1.30+, detail) and one driver
  const name = (await get('/v1/drivers', 'latest')).body.drivers[0].name as string;
  for (const v of ['1.1', '1.13', '1.14', '1.29']) {
    const a = await answer('/v1/drivers', v);
    assert.equal(a.status, 200);
    assert.deepEqual(check.problems(a), []);
  }
  for (const v of ['1.30', '1.32', '1.33', '1.85', '1.86', 'latest']) {
    const a = await answer('/v1/drivers?detail=true', v);
    assert.equal(a.status, 200);
    assert.deepEqual(check.problems(a), []);
  }
  const list = await answer('/v1/drivers?detail=true', '1.85');
  assert.deepEqual(check.problems(list), []);
  assert.ok(Object.hasOwn((list.body as Json).drivers[0], 'default_bios_interface'), 'a detailed list at 1.85');
  assert.match(
    problems(list, { drivers: [{ ...(list.body as Json).drivers[0], enabled_firmware_interfaces: ['fake'] }] }),
    /\/drivers\/0 must NOT have additional properties.*enabled_firmware_interfaces.*\(Driver_1_40\)/,
  );
  const d29 = await answer(`/v1/drivers/${name}`, '1.29');
  assert.deepEqual(check.problems(d29), []);
  assert.match(problems(d29, { ...(d29.body as Json), type: 'dynamic' }), /"additionalProperty":"type".*Driver_1_14/);
  const d13 = await answer(`/v1/drivers/${name}`, '1.13');
  assert.match(problems(d13, { ...(d13.body as Json), properties: [] }), /"additionalProperty":"properties"/);
  // a node's states: boot_mode and secure_boot from 1.75, RAID from 1.12
  const s74 = await answer(`/v1/nodes/${node.uuid}/states`, '1.74');
  assert.deepEqual(check.problems(s74), []);
  assert.match(
    problems(s74, { ...(s74.body as Json), boot_mode: 'uefi' }),
    /"additionalProperty":"boot_mode".*NodeStates_1_12/,
  );
  const s11 = await answer(`/v1/nodes/${node.uuid}/states`, '1.11');
  assert.match(problems(s11, { ...(s11.body as Json), raid_config: {} }), /"additionalProperty":"raid_config"/);
  assert.match(problems(s11, { ...(s11.body as Json), console_enabled: 'no' }), /\/console_enabled must be boolean/);
  // a runbook: description and traits from 1.112
  const created = await g.app.inject({
    method: 'POST',
    url: '/v1/runbooks',
    headers: { 'x-openstack-ironic-api-version': 'latest' },
    payload: { name: 'CUSTOM_CHECKED', steps: [{ interface: 'deploy', step: 'erase_devices', args: {}, order: 1 }] },
  });
  assert.equal(created.statusCode, 201, created.body);
  const runbook = created.json().uuid as string;
  const r111 = await answer(`/v1/runbooks/${runbook}`, '1.111');
  assert.deepEqual(check.problems(r111), []);
  assert.match(problems(r111, { ...(r111.body as Json), traits: [] }), /"additionalProperty":"traits".*Runbook_1_92/);
  assert.deepEqual(check.problems(await answer(`/v1/runbooks/${runbook}`, '1.112')), []);
  // /v1: shards from 1.82
  const v81 = await answer('/v1', '1.81');
  assert.deepEqual(check.problems(v81), []);
  assert.match(problems(v81, { ...(v81.body as Json), shards: [] }), /"additionalProperty":"shards".*ApiV1_1_55/);
  assert.deepEqual(check.problems(await answer('/v1', '1.82')), []);
});

test("a BIOS setting's answers at its variants' bounds, and the checker holds them (a map of settings) to the variant", async () => {
  const schemas = doc.components.schemas as Json;
  const check = openApiCheck(doc);
  // a node whose fake BIOS holds a setting: bios.apply_configuration in a manual clean
  const created = await g.app.inject({
    method: 'POST',
    url: '/v1/nodes',
    headers: { 'x-openstack-ironic-api-version': 'latest' },
    payload: { driver: 'fake-hardware', name: 'versions-bios' },
  });
  assert.equal(created.statusCode, 201, created.body);
  const provision = async (target: string, extra: Json = {}) => {
    const r = await g.app.inject({
      method: 'PUT',
      url: '/v1/nodes/versions-bios/states/provision',
      headers: { 'x-openstack-ironic-api-version': 'latest' },
      payload: { target, ...extra },
    });
    assert.equal(r.statusCode, 202, r.body);
    for (let i = 0; i < 500; i++) {
      const n = (await get('/v1/nodes/versions-bios', 'latest')).body;
      if (n.target_provision_state === null && n.reservation === null) return n;
      await new Promise((res) => setTimeout(res, 10));
    }
    assert.fail(`${target} never finished`);
  };
  await provision('manage');
  const cleaned = await provision('clean', {
    clean_steps: [
      { interface: 'bios', step: 'apply_configuration', args: { settings: [{ name: 'ProcVirt', value: 'on' }] } },
    ],
  });
  assert.equal(cleaned.last_error, null);
  const variants = (schemas.BiosSetting.oneOf as Json[]).map(
    (m) => schemas[m.$ref.replace('#/components/schemas/', '')],
  );
  const variantAt = (n: number): Json =>
    variants.find((v) => minorOf(v['x-openstack']['min-ver']) <= n && n <= minorOf(v['x-openstack']['max-ver']))!;
  const url = '/v1/nodes/versions-bios/bios/ProcVirt';
  for (const n of [40, 73, 74, MINOR_MAX_VERSION]) {
    const r = await get(url, `1.${n}`);
    assert.equal(r.status, 200);
    // node_id only when ?fields= names it
    const expected = Object.keys(variantAt(n).properties).filter((k) => k !== 'node_id');
    assert.deepEqual(Object.keys(r.body.ProcVirt).sort(), expected.sort(), `${url} at 1.${n}`);
    check.assert({ method: 'GET', path: url, status: 200, body: r.body, headers: r.headers, version: `1.${n}` });
  }
  const selected = await get('/v1/nodes/versions-bios/bios?fields=name,node_id', '1.74');
  assert.equal(selected.status, 200);
  assert.equal(typeof selected.body.bios[0].node_id, 'number');
  check.assert({ method: 'GET', path: '/v1/nodes/versions-bios/bios?fields=name,node_id', ...selected });
  // a registry field below 1.74, in a show (a map) and in a list
  const a73 = await get(url, '1.73');
  assert.match(
    check
      .problems({
        method: 'GET',
        path: url,
        status: 200,
        headers: a73.headers,
        body: { ProcVirt: { ...a73.body.ProcVirt, read_only: true } },
      })
      .join('\n'),
    /\/ProcVirt must NOT have additional properties.*"additionalProperty":"read_only".*BiosSetting_1_40/,
  );
  const list = await get('/v1/nodes/versions-bios/bios', '1.73');
  assert.match(
    check
      .problems({
        method: 'GET',
        path: '/v1/nodes/versions-bios/bios',
        status: 200,
        headers: list.headers,
        body: { bios: [{ ...list.body.bios[0], node_id: 1 }] },
      })
      .join('\n'),
    /\/bios\/0 must NOT have additional properties.*"additionalProperty":"node_id"/,
  );
});

test("a firmware component's answers at its variants' bounds have their variant's fields, and the checker holds them to it", async () => {
  const schemas = doc.components.schemas as Json;
  const check = openApiCheck(doc);
  const node = (await get('/v1/nodes/detail', 'latest')).body.nodes[0];
  g.sim.store.firmwareComponents.insert({
    node_id: g.sim.store.node(node.uuid).id,
    component: 'bios',
    initial_version: 'v1',
    current_version: 'v2',
    vendor: 'HPE',
  });
  const url = `/v1/nodes/${node.uuid}/firmware`;
  for (const n of [86, 113, 114, MINOR_MAX_VERSION]) {
    const r = await get(url, `1.${n}`);
    assert.equal(r.status, 200);
    const variant = (schemas.FirmwareComponent.oneOf as Json[])
      .map((m) => schemas[m.$ref.replace('#/components/schemas/', '')])
      .find((v) => minorOf(v['x-openstack']['min-ver']) <= n && n <= minorOf(v['x-openstack']['max-ver']));
    assert.deepEqual(Object.keys(r.body.firmware[0]).sort(), Object.keys(variant.properties).sort(), `1.${n}`);
    check.assert({ method: 'GET', path: url, ...r, version: `1.${n}` });
  }
  const a113 = await get(url, '1.113');
  assert.match(
    check
      .problems({
        method: 'GET',
        path: url,
        status: 200,
        headers: a113.headers,
        body: { firmware: [{ ...a113.body.firmware[0], vendor: 'HPE' }] },
      })
      .join('\n'),
    /\/firmware\/0 must NOT have additional properties.*"additionalProperty":"vendor".*FirmwareComponent_1_86/,
  );
});

test('a route that stops at a microversion answers 404 above it, and the document says max-ver', async () => {
  const stops = route({
    method: 'GET',
    url: '/v1/stops-at-1-5',
    operationId: 'showStopsAt15',
    minVersion: 2 as Microversion,
    maxVersion: 5 as Microversion,
    policy: null,
    rpc: [],
    status: 200,
    summary: 'a route of 1.2–1.5',
    schema: { response: { 200: { type: 'object', properties: { ok: { type: 'boolean' } } } } },
    handler: async () => ({ ok: true }),
  });
  const small = await testGateway({ routes: [stops], config: { pin_release_version: undefined } });
  try {
    const status = async (version: string) =>
      (await small.app.inject({ url: '/v1/stops-at-1-5', headers: { 'x-openstack-ironic-api-version': version } }))
        .statusCode;
    assert.deepEqual(await Promise.all(['1.1', '1.2', '1.5', '1.6', 'latest'].map(status)), [404, 200, 200, 404, 404]);
    const op = (small.app.swagger() as Json).paths['/v1/stops-at-1-5'].get;
    assert.deepEqual(op['x-openstack'], { 'min-ver': '1.2', 'max-ver': '1.5' });
  } finally {
    await small.close();
  }
});
