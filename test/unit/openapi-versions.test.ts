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
import { NODE_FIELD_VERSIONS, NODE_FIELDS, NODE_LINK_VERSIONS } from '../../src/http/api-utils/node.ts';
import { PORT_HIBISCUS } from '../../src/http/api-utils/port.ts';
import { VERSIONED_RESOURCES } from '../../src/http/openapi-versions.ts';
import { route, type RouteDef } from '../../src/http/route.ts';
import { resourceRoutes } from '../../src/http/routes/index.ts';
import { rootRoutes } from '../../src/http/routes/root.ts';
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
        'links',
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
});

test('node, port, portgroup, chassis and allocation answers in the paths refer to their microversioned schema', () => {
  const text = JSON.stringify(doc.paths);
  for (const name of ['Node', 'Port', 'Portgroup', 'Chassis', 'Allocation']) {
    const refs = text.split(`"$ref":"#/components/schemas/${name}"`).length - 1;
    assert.ok(refs >= 3, `${name} referred to ${refs} times`);
  }
  const show = doc.paths['/v1/nodes/{node_ident}'].get.responses['200'].content['application/json'].schema;
  assert.deepEqual(show, { $ref: '#/components/schemas/Node' });
  const list = doc.paths['/v1/ports/detail'].get.responses['200'].content['application/json'].schema;
  assert.deepEqual(list.properties.ports.items, { $ref: '#/components/schemas/Port' });
});

async function get(url: string, version: string) {
  const r = await g.app.inject({ url, headers: { 'x-openstack-ironic-api-version': version } });
  return { status: r.statusCode, body: r.json() as Json, headers: r.headers as HttpAnswer['headers'] };
}

test("at the first and last microversion of every variant, a node's, a port's and an allocation's answer has exactly its variant's fields", async () => {
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
  const check = openApiCheck(doc);
  for (const [name, url] of [
    ['Node', `/v1/nodes/${node.uuid}`],
    ['Port', `/v1/ports/${port.uuid}`],
    ['Allocation', `/v1/allocations/${allocation.uuid}`],
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
