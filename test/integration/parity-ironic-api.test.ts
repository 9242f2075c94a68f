/**
 * The gateway answers as ironic-api does: the same requests, at pinned microversions, to the
 * ironic-api of the stack's release (Debian's 21.4, or sid's 39.0: TEST_RELEASE) and to the
 * gateway, both in front of the one real conductor and database that test/support/stack.sh
 * started; statuses, version headers and bodies compared.
 *
 * ironic-api 21.4 serves microversions up to 1.82, 39.0 up to 1.115; at a pinned version ≤ 1.38
 * each answers with that version's representation, so any difference is ours, except for the
 * ones listed in KNOWN (and, for 39.0, KNOWN_39), each with its reason.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.ts';
import { createGateway, type Gateway } from '../../src/gateway.ts';
import { stack } from '../support/stack-env.ts';
import { IRONIC_API, startIronicApi, type IronicApi } from '../support/ironic-api.ts';
import { openApiCheck } from '../support/openapi-check.ts';

/**
 * Differences that are not ours to remove, each with its reason. A difference reads
 * "METHOD path @version status|header <name>|body <json path>", uuids shown as {uuid}.
 */
const KNOWN: Array<[RegExp, string]> = [
  [/^GET \/ @\S+ body \/description$/, 'our own description'],
  [
    /^GET \/v1\/conductors\S* @\S+ body (\/conductors\/\d+)?\/updated_at$/,
    "a conductor's updated_at is its heartbeat, rewritten every 10 s: the two reads, a moment apart, may straddle one",
  ],
  [
    /^GET \/v1 @\S+ body \/links\/1\/href$/,
    'ironic-api writes the describedby URL with doubled slashes; the gateway does not',
  ],
  [/^GET \/v1 @\S+ body \/media_types$/, 'Queens (10.1.0) sends a list, as the gateway does; 21.4 sends one object'],
  [
    / body (\/drivers\/\d+)?\/(default|enabled)_[a-z]+_interfaces?$/,
    'ironic-api reads hardware interfaces from its database; RPC does not carry them',
  ],
  [
    /^GET \/v1\/nodes\/\{uuid\}\/traits @1\.([1-9]|[12]\d|3[0-6]) /,
    'below 1.37 Queens answers 404, as the gateway does; 21.4 answers 406',
  ],
  [
    /^GET \/v1\/chassis(\/detail|\/\{uuid\}) @\S+ body (\/chassis\/\d+)?\/nodes\/\d+$/,
    "ironic-api 21.4 nests a chassis's node links in one more list (a stray comma in its code); Queens's list is flat, as the gateway's",
  ],
  [
    /^GET \/v1\/(ports\/no-such|nodes\?maintenance=maybe) @\S+ body \/error_message\/faultstring$/,
    'the wording of these 400s changed after Queens (21.4: "Expected UUID for port_uuid: …", "Invalid maintenance: …"); the status is the same',
  ],
];

/** What ironic-api 39.0 does that the gateway, answering as 39.0, does not copy. */
const KNOWN_39: Array<[RegExp, string]> = [
  [
    /^GET \/v1\/nodes\/\{uuid\}\/children @1\.([1-9]|[1-7]\d|8[0-2]) /,
    '39.0 answers …/children below 1.83 with a 500 and an empty body (reference §7 R4): fixed, the 404 it meant',
  ],
  [
    /^GET \/ @\S+ header x-openstack-ironic-api-(minimum-version|version)$/,
    'ironic-api 39.0 sends the minimum and negotiated version headers on / too; 21.4 sends neither there, nor does the gateway',
  ],
  [
    /^GET \/v1\/(portgroups(\/detail|\/\{uuid\})?|(nodes\/\{uuid\}\/)?volume) @\S+ body \/error_message\/faultstring$/,
    'below a route\'s microversion (portgroups 1.23, volume 1.32) 39.0 words its 404 "The API is not supported for this version"; Queens says "Resource could not be found.", as the gateway does',
  ],
  [
    /^GET \/v1\/ports\/no-such @\S+ (status|body \/error_message\/faultstring)$/,
    'ironic-api 39.0 looks ports up by name too (port names came with 1.88), at any version: 404 "Port no-such could not be found."; Queens and 21.4 answer 400 for a port ident that is not a UUID, as the gateway does',
  ],
  [
    /^GET \S*\/portgroups\/detail( @\S+)? body \/portgroups\/\d+\/(physical_network|category|dynamic_portgroup)$/,
    "ironic-api 39.0's portgroup lists show fields of later microversions (physical_network 1.102, category 1.103, dynamic_portgroup 1.111) at any version: its list sanitizer is not portgroup_sanitize, which hides them in a single GET, as the gateway does everywhere",
  ],
];
/**
 * The microversions after Queens the parity test compares: spread over 1.39–1.82 against
 * ironic-api 21.4 (the gateway pinned to 21.4), over 1.39–1.115 against ironic-api 39.0 (the
 * gateway unpinned), each new microversion's neighbourhood included.
 */
const NEWER: readonly string[] =
  stack.release() === '21.4'
    ? [
        '1.39',
        '1.43',
        '1.46',
        '1.49',
        '1.52',
        '1.55',
        '1.58',
        '1.61',
        '1.65',
        '1.69',
        '1.73',
        '1.75',
        '1.78',
        '1.81',
        '1.82',
      ]
    : [
        '1.39',
        '1.52',
        '1.65',
        '1.78',
        '1.82',
        '1.83',
        '1.86',
        '1.88',
        '1.91',
        '1.92',
        '1.93',
        '1.95',
        '1.96',
        '1.97',
        '1.101',
        '1.104',
        '1.106',
        '1.109',
        '1.111',
        '1.112',
        '1.113',
        '1.115',
      ];
/** The newest microversion of the stack's release: resources of the newer surface are made at it. */
const NEWEST = NEWER.at(-1)!;
/** Against 39.0: the surface of 1.83–1.115 (issue 15) is compared too. */
const HIBISCUS = stack.release() === '39.0';

const known = (): Array<[RegExp, string]> => (stack.release() === '39.0' ? [...KNOWN, ...KNOWN_39] : KNOWN);

/** Every answer of the gateway is checked against the committed OpenAPI document (issue 19). */
const contract = openApiCheck();
const contractProblems = new Map<string, string[]>();

let api: IronicApi | undefined;
let apiBase = '';
let gateway: Gateway;
let gwBase = '';
const ids: Record<string, string> = {};

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

async function send(base: string, method: string, path: string, version: string, body?: unknown): Promise<Answer> {
  let r: Response;
  let text: string;
  const once = async (): Promise<[Response, string]> => {
    const res = await fetch(base + path, {
      method,
      headers: { 'x-openstack-ironic-api-version': version, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return [res, await res.text()];
  };
  try {
    try {
      [r, text] = await once();
    } catch (err) {
      // a kept-alive connection the server closed as it was reused (ironic-api's one worker
      // closes idle ones): a GET is sent again once, on a new connection
      if (method !== 'GET') throw err;
      [r, text] = await once();
    }
  } catch (err) {
    // a connection that failed is an answer to compare too (status 0), named with its request
    const cause = (err as { cause?: unknown }).cause;
    const who = base === gwBase ? 'gateway' : 'ironic-api';
    return { status: 0, headers: {}, body: { fetch_failed: `${who}: ${String(cause ?? err)}` } };
  }
  let parsed: unknown = text === '' ? null : JSON.parse(text);
  if (
    parsed &&
    typeof parsed === 'object' &&
    typeof (parsed as { error_message?: unknown }).error_message === 'string'
  ) {
    const em = (parsed as { error_message: string }).error_message;
    try {
      parsed = { error_message: JSON.parse(em) };
    } catch {
      /* a plain-text message */
    }
  }
  const headers = Object.fromEntries([...r.headers].filter(([k]) => k.startsWith('x-openstack-ironic-api')));
  if (base === gwBase) {
    const problems = contract.problems({
      method,
      path,
      status: r.status,
      body: text === '' ? undefined : JSON.parse(text),
      headers: Object.fromEntries(r.headers),
      version,
    });
    if (problems.length > 0) contractProblems.set(`${method} ${path} @${version} → ${r.status}`, problems);
  }
  return { status: r.status, headers, body: parsed };
}

/** Both bodies with hosts made alike and timestamps cut to the second (RPC carries no more). */
function normalize(v: unknown): unknown {
  return JSON.parse(
    JSON.stringify(v)
      .replaceAll(apiBase, 'http://HOST')
      .replaceAll(gwBase, 'http://HOST')
      .replace(/(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.\d+(\+00:00)/g, '$1$2'),
    // a driver's enabled interfaces: ironic-api lists a Python set, whose order is its
    // process's string hashing (random per process): compared as sets
    (k, val) => (/^enabled_[a-z]+_interfaces$/.test(k) && Array.isArray(val) ? [...val].sort() : val),
  );
}

function diff(a: unknown, b: unknown, path: string, out: string[]): void {
  const kind = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
  if (kind(a) !== kind(b)) {
    out.push(path);
    return;
  }
  if (a && typeof a === 'object') {
    const ao = a as Record<string, unknown>;
    const bo = b as Record<string, unknown>;
    for (const k of new Set([...Object.keys(ao), ...Object.keys(bo)])) diff(ao[k], bo[k], `${path}/${k}`, out);
  } else if (a !== b) out.push(path);
}

/** The differences between ironic-api's answer and the gateway's, as "label where" strings. */
async function differences(
  method: string,
  path: string,
  version: string,
  body?: unknown,
): Promise<{ found: string[]; shown: string }> {
  const a = await send(apiBase, method, path, version, body);
  const g = await send(gwBase, method, path, version, body);
  const label = `${method} ${path.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '{uuid}')} @${version}`;
  const found: string[] = [];
  if (a.status !== g.status) found.push(`${label} status`);
  // A route below its microversion is refused by pecan itself in ironic-api, with its own error
  // body ({code, title, description}) and no version headers; the gateway answers those with
  // Ironic's usual error body and headers. The status is what must agree.
  const em = (a.body as { error_message?: Record<string, unknown> } | null)?.error_message;
  const pecanRefusal =
    a.status === g.status && em !== undefined && typeof em === 'object' && 'title' in em && 'code' in em;
  for (const h of new Set([...Object.keys(a.headers), ...Object.keys(g.headers)])) {
    // (a router's refusal carries no version headers at all in ironic-api; the gateway sends
    // them on every /v1 answer)
    if (pecanRefusal) continue;
    if (a.headers[h] !== g.headers[h]) found.push(`${label} header ${h}`);
  }
  const paths: string[] = [];
  if (!pecanRefusal) diff(normalize(a.body), normalize(g.body), '', paths);
  for (const p of paths) found.push(`${label} body ${p}`);
  return {
    found,
    shown: `${label}: ironic-api ${a.status} ${JSON.stringify(a.body).slice(0, 300)}\n  gateway ${g.status} ${JSON.stringify(g.body).slice(0, 300)}`,
  };
}

const unexplained = (found: string[]): string[] => found.filter((d) => !known().some(([re]) => re.test(d)));

before(async () => {
  if (stack.release() === '21.4')
    assert.ok(
      existsSync(IRONIC_API),
      `${IRONIC_API} (Debian's ironic-common) is missing: test/support/install-system-packages.sh installs it`,
    );
  api = await startIronicApi({
    conductorConfig: stack.conductorConfig(),
    dir: join(import.meta.dirname, '..', '..', '.tmp', 'parity-ironic-api'),
    workers: 1,
    timeoutS: 60,
  });
  apiBase = api.base;
  gateway = await createGateway(
    loadConfig({
      env: {},
      overrides: { ...stack.gatewaySettings(), log_level: 'silent', host: '127.0.0.1', port: 0 },
    }),
  );
  await gateway.app.listen({ host: '127.0.0.1', port: 0 });
  gwBase = `http://127.0.0.1:${(gateway.app.server.address() as { port: number }).port}`;

  // resources to read, made through the gateway
  const tag = Date.now().toString(36);
  ids.tag = tag;
  const post = async (path: string, body: unknown) => {
    const r = await send(gwBase, 'POST', path, '1.38', body);
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return (r.body as { uuid: string }).uuid;
  };
  ids.chassis = await post('/v1/chassis', { description: `parity ${tag}`, extra: { k: 'v' } });
  ids.node = await post('/v1/nodes', {
    driver: 'fake-hardware',
    name: `parity-${tag}`,
    chassis_uuid: ids.chassis,
    properties: { cpus: 2 },
    extra: { a: [1, 'x'] },
    resource_class: `parity-${tag}`,
  });
  ids.portgroup = await post('/v1/portgroups', {
    node_uuid: ids.node,
    name: `parity-pg-${tag}`,
    address: '52:54:00:7a:00:01',
  });
  ids.port = await post('/v1/ports', {
    node_uuid: ids.node,
    address: '52:54:00:7a:00:02',
    portgroup_uuid: ids.portgroup,
  });
  assert.equal((await send(gwBase, 'PUT', `/v1/nodes/${ids.node}/traits/CUSTOM_PARITY`, '1.38')).status, 204);
  // the resources of the newer surface, made through the gateway at the release's newest
  const newer = async (path: string, body: unknown) => {
    const r = await send(gwBase, 'POST', path, NEWEST, body);
    assert.equal(r.status, 201, `${path}: ${JSON.stringify(r.body)}`);
    return (r.body as { uuid: string }).uuid;
  };
  if (NEWER.length > 0) {
    const patched = await send(gwBase, 'PATCH', `/v1/nodes/${ids.node}`, NEWEST, [
      { op: 'add', path: '/owner', value: `owner-${tag}` },
      { op: 'add', path: '/lessee', value: `lessee-${tag}` },
      { op: 'add', path: '/description', value: `parity ${tag}` },
      { op: 'add', path: '/shard', value: `shard-${tag}` },
    ]);
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    ids.template = await newer('/v1/deploy_templates', {
      name: `CUSTOM_PARITY_${tag.toUpperCase()}`,
      steps: [{ interface: 'bios', step: 'apply_configuration', args: { settings: [] }, priority: 150 }],
      extra: { k: 'v' },
    });
    ids.allocation = await newer('/v1/allocations', {
      name: `parity-alloc-${tag}`,
      resource_class: `parity-none-${tag}`,
      extra: { k: 'v' },
    });
  }
  if (HIBISCUS) {
    // the resources of 1.83–1.115
    ids.child = await post('/v1/nodes', { driver: 'fake-hardware', name: `parity-child-${tag}` });
    // a parent must have the child's owner, as it is before the PATCH: the owner first
    for (const op of [
      { op: 'add', path: '/owner', value: `owner-${tag}` },
      { op: 'add', path: '/parent_node', value: ids.node },
    ]) {
      const child = await send(gwBase, 'PATCH', `/v1/nodes/${ids.child}`, NEWEST, [op]);
      assert.equal(child.status, 200, JSON.stringify(child.body));
    }
    const node = await send(gwBase, 'PATCH', `/v1/nodes/${ids.node}`, NEWEST, [
      { op: 'add', path: '/instance_name', value: `parity-instance-${tag}` },
      { op: 'add', path: '/disable_power_off', value: true },
    ]);
    assert.equal(node.status, 200, JSON.stringify(node.body));
    const port = await send(gwBase, 'PATCH', `/v1/ports/${ids.port}`, NEWEST, [
      { op: 'add', path: '/name', value: `parity-port-${tag}` },
      { op: 'add', path: '/description', value: `parity ${tag}` },
      { op: 'add', path: '/vendor', value: 'parity' },
      { op: 'add', path: '/category', value: 'parity' },
    ]);
    assert.equal(port.status, 200, JSON.stringify(port.body));
    const pg = await send(gwBase, 'PATCH', `/v1/portgroups/${ids.portgroup}`, NEWEST, [
      { op: 'add', path: '/category', value: 'parity' },
    ]);
    assert.equal(pg.status, 200, JSON.stringify(pg.body));
    ids.runbook = await newer('/v1/runbooks', {
      name: `CUSTOM_PARITY_RB_${tag.toUpperCase()}`,
      steps: [{ interface: 'bios', step: 'apply_configuration', args: { settings: [] }, order: 1 }],
      extra: { k: 'v' },
      description: `parity ${tag}`,
    });
    ids.rule = await newer('/v1/inspection_rules', {
      description: `parity ${tag}`,
      conditions: [{ op: 'eq', args: { values: [1, 1] } }],
      actions: [{ op: 'set-attribute', args: { path: '/extra/parity', value: tag } }],
    });
  }
});

after(async () => {
  if (gwBase && ids.allocation) await send(gwBase, 'DELETE', `/v1/allocations/${ids.allocation}`, NEWEST);
  if (gwBase && ids.template) await send(gwBase, 'DELETE', `/v1/deploy_templates/${ids.template}`, NEWEST);
  // (runbooks and inspection rules cannot be deleted through a 39.0 conductor's indirection API:
  // ironic-api 39.0 deletes them from its database)
  if (apiBase && ids.runbook) await send(apiBase, 'DELETE', `/v1/runbooks/${ids.runbook}`, NEWEST);
  if (apiBase && ids.rule) await send(apiBase, 'DELETE', `/v1/inspection_rules/${ids.rule}`, NEWEST);
  if (gwBase && ids.child) await send(gwBase, 'DELETE', `/v1/nodes/${ids.child}`, '1.38');
  if (gwBase && ids.port) await send(gwBase, 'DELETE', `/v1/ports/${ids.port}`, '1.38');
  if (gwBase && ids.portgroup) await send(gwBase, 'DELETE', `/v1/portgroups/${ids.portgroup}`, '1.38');
  if (gwBase && ids.node) await send(gwBase, 'DELETE', `/v1/nodes/${ids.node}`, '1.38');
  if (gwBase && ids.chassis) await send(gwBase, 'DELETE', `/v1/chassis/${ids.chassis}`, '1.38');
  await gateway?.close();
  await api?.stop();
});

test(`reads at ${7 + NEWER.length} microversions from 1.1 to ${NEWER.at(-1) ?? '1.38'}: same statuses, version headers and bodies`, {
  timeout: 900_000,
}, async () => {
  const n = () => ids.node!;
  const paths = [
    '/',
    '/v1',
    '/v1/nodes',
    '/v1/nodes/detail',
    `/v1/nodes?resource_class=parity-${ids.tag}`,
    `/v1/nodes/${n()}`,
    `/v1/nodes/${n()}?fields=uuid,name,extra`,
    `/v1/nodes/${n()}/states`,
    `/v1/nodes/${n()}/management/boot_device`,
    `/v1/nodes/${n()}/management/boot_device/supported`,
    `/v1/nodes/${n()}/validate`,
    `/v1/nodes/${n()}/states/console`,
    `/v1/nodes/${n()}/vendor_passthru/methods`,
    `/v1/nodes/${n()}/ports`,
    `/v1/nodes/${n()}/ports/detail`,
    `/v1/nodes/${n()}/portgroups`,
    `/v1/nodes/${n()}/vifs`,
    `/v1/nodes/${n()}/traits`,
    `/v1/nodes/${n()}/volume`,
    `/v1/nodes/${n()}/volume/connectors`,
    '/v1/ports',
    '/v1/ports/detail',
    `/v1/ports/${ids.port}`,
    '/v1/portgroups',
    '/v1/portgroups/detail',
    `/v1/portgroups/${ids.portgroup}`,
    '/v1/chassis',
    '/v1/chassis/detail',
    `/v1/chassis/${ids.chassis}`,
    `/v1/chassis/${ids.chassis}/nodes`,
    '/v1/drivers',
    '/v1/drivers?detail=True',
    '/v1/drivers/fake-hardware',
    '/v1/drivers/fake-hardware/properties',
    '/v1/drivers/fake-hardware/raid/logical_disk_properties',
    '/v1/volume',
    '/v1/volume/connectors',
    '/v1/volume/targets',
    `/v1/lookup?node_uuid=${n()}`,
    '/v1/nodes/parity-no-such-node',
    '/v1/nodes?limit=-1',
    '/v1/nodes?sort_key=foo',
    '/v1/nodes?maintenance=maybe',
    '/v1/ports/no-such',
  ];
  // the resources and parameters of 1.39–1.82, compared at every version (below theirs too)
  const newerPaths =
    NEWER.length === 0
      ? []
      : [
          '/v1/nodes?detail=true',
          `/v1/nodes?owner=owner-${ids.tag}`,
          `/v1/nodes?lessee=lessee-${ids.tag}`,
          `/v1/nodes?shard=shard-${ids.tag}`,
          '/v1/nodes?sharded=true',
          '/v1/nodes?conductor_group=',
          `/v1/nodes?description_contains=${ids.tag}`,
          '/v1/nodes?retired=false',
          '/v1/nodes?fault=power%20failure',
          `/v1/nodes/${n()}?fields=uuid,owner,lessee,shard,description,protected,retired,conductor_group`,
          `/v1/nodes/${n()}/bios`,
          `/v1/nodes/${n()}/bios/no-such-setting`,
          `/v1/nodes/${n()}/history`,
          `/v1/nodes/${n()}/inventory`,
          `/v1/nodes/${n()}/allocation`,
          `/v1/nodes/${n()}/management/indicators`,
          `/v1/ports?shard=shard-${ids.tag}`,
          '/v1/allocations',
          `/v1/allocations/${ids.allocation}`,
          `/v1/allocations/parity-alloc-${ids.tag}`,
          '/v1/allocations?state=error',
          '/v1/deploy_templates',
          '/v1/deploy_templates?detail=True',
          `/v1/deploy_templates/${ids.template}`,
          '/v1/conductors',
          '/v1/conductors?detail=True',
          `/v1/conductors/${stack.conductorHost()}`,
          '/v1/shards',
          '/v1/drivers?fields=name',
          '/v1/drivers/fake-hardware?fields=name,hosts',
          ...(HIBISCUS
            ? [
                '/v1/nodes?include_children=true',
                `/v1/nodes?parent_node=${n()}`,
                `/v1/nodes/${n()}/children`,
                `/v1/nodes/${ids.child}`,
                `/v1/nodes?instance_name=parity-instance-${ids.tag}`,
                `/v1/nodes/${n()}?fields=uuid,parent_node,firmware_interface,disable_power_off,instance_name,health,service_step`,
                `/v1/nodes/${n()}/firmware`,
                `/v1/nodes/${n()}/vmedia`,
                `/v1/nodes/${n()}/history?detail=true`,
                `/v1/nodes/${n()}.json`,
                `/v1/ports/parity-port-${ids.tag}`,
                `/v1/ports?description_contains=${ids.tag}`,
                '/v1/ports?conductor_groups=',
                `/v1/ports?fields=uuid,name,description,vendor,category,available_for_dynamic_portgroup`,
                '/v1/portgroups?conductor_groups=',
                `/v1/portgroups?shard=shard-${ids.tag}`,
                `/v1/portgroups/${ids.portgroup}?fields=uuid,physical_network,category,dynamic_portgroup`,
                '/v1/runbooks',
                '/v1/runbooks?detail=True',
                `/v1/runbooks/${ids.runbook}`,
                `/v1/runbooks/CUSTOM_PARITY_RB_${ids.tag!.toUpperCase()}`,
                `/v1/runbooks/${ids.runbook}/traits`,
                '/v1/inspection_rules',
                '/v1/inspection_rules?detail=True',
                `/v1/inspection_rules/${ids.rule}`,
              ]
            : []),
        ];
  const problems: string[] = [];
  let compared = 0;
  for (const version of ['1.1', '1.6', '1.10', '1.22', '1.31', '1.37', '1.38', ...NEWER]) {
    for (const path of [...paths, ...newerPaths]) {
      const { found, shown } = await differences('GET', path, version);
      compared++;
      const left = unexplained(found);
      if (left.length > 0) problems.push(`${left.join('\n')}\n  ${shown}`);
    }
  }
  assert.ok(compared >= 300, `${compared} requests compared`);
  assert.deepEqual(problems, [], `differences from ironic-api:\n${problems.join('\n\n')}`);
});

/** The faultstring of an error answer, if it has one. */
const faultOf = (answer: Answer): string | undefined =>
  (answer.body as { error_message?: { faultstring?: string } } | null)?.error_message?.faultstring;

test('refused writes: the same status for each bad request, and the same message unless Ironic reworded it', {
  timeout: 60_000,
}, async () => {
  // R: Ironic reworded this message after Queens (mostly WSME's validation replaced by JSON
  // schema in 21.x); the gateway keeps Queens's wording, so only the status is compared.
  const R = true;
  // R39: reworded in 39.0 only (21.4 still says what Queens and the gateway say)
  const R39 = stack.release() === '39.0';
  const cases: Array<[string, string, unknown, boolean?]> = [
    // 39.0 appends "Ensure the driver is valid and enabled."
    ['POST', '/v1/nodes', { driver: 'no-such-driver' }, R39],
    ['POST', '/v1/nodes', { driver: 'fake-hardware', name: 'bad name!' }],
    ['POST', '/v1/nodes', { driver: 'fake-hardware', uuid: 'not-a-uuid' }, R],
    ['POST', '/v1/nodes', { driver: 'fake-hardware', bogus: 1 }, R],
    ['POST', '/v1/nodes', {}, R],
    ['POST', '/v1/ports', { address: 'zz' }, R],
    ['POST', '/v1/ports', { address: '52:54:00:7a:00:09', node_uuid: '1be26c0b-03f2-4d2e-ae87-c02d7f33c123' }],
    ['POST', '/v1/chassis', { description: 'x'.repeat(300) }, R],
    ['PATCH', '/v1/nodes/parity-no-such-node', [{ op: 'replace', path: '/extra/a', value: 1 }]],
    [
      'PATCH',
      `/v1/nodes/${ids.node}`,
      [{ op: 'replace', path: '/uuid', value: '1be26c0b-03f2-4d2e-ae87-c02d7f33c123' }],
      R,
    ],
    ['PUT', '/v1/nodes/parity-no-such-node/states/power', { target: 'power on' }],
    ['PUT', `/v1/nodes/${ids.node}/states/provision`, { target: 'bogus' }],
    ['PUT', `/v1/nodes/${ids.node}/states/provision`, { target: 'active' }],
    ['DELETE', '/v1/nodes/parity-no-such-node', undefined],
    ['DELETE', `/v1/chassis/${ids.chassis}`, undefined],
    ['PUT', `/v1/nodes/${ids.node}/states/provision`, { target: 'provide' }],
    ['PUT', `/v1/nodes/${ids.node}/states/power`, { target: 'bogus' }],
    ['PUT', `/v1/nodes/${ids.node}/states/raid`, { logical_disks: [{ size_gb: 'x' }] }],
    ['PATCH', `/v1/nodes/${ids.node}`, [{ op: 'move', path: '/extra/a', from: '/extra/b' }], R],
    ['PATCH', `/v1/nodes/${ids.node}`, [{ op: 'replace', path: '/driver', value: 'no-such-driver' }], R39],
    ['PATCH', `/v1/nodes/${ids.node}`, [{ op: 'add', path: '/traits', value: ['CUSTOM_X'] }], R],
    ['PUT', `/v1/nodes/${ids.node}/management/boot_device`, { boot_device: 'bogus' }],
    ['POST', `/v1/nodes/${ids.node}/vifs`, {}, R],
    ['DELETE', `/v1/nodes/${ids.node}/vifs/parity-no-such-vif`, undefined],
    ['PUT', `/v1/nodes/${ids.node}/traits`, { traits: ['not a trait'] }, R],
    ['PUT', `/v1/nodes/${ids.node}/traits/CUSTOM_${'X'.repeat(300)}`, undefined, R],
    ['POST', `/v1/nodes/${ids.node}/vendor_passthru?method=parity_no_such_method`, {}],
    ['POST', `/v1/ports`, { address: '52:54:00:7a:00:02', node_uuid: ids.node }],
    ['POST', `/v1/portgroups`, { node_uuid: ids.node, address: '52:54:00:7a:00:01' }],
  ];
  const problems: string[] = [];
  for (const [method, path, body, reworded] of cases) {
    const a = await send(apiBase, method, path, '1.38', body);
    const g = await send(gwBase, method, path, '1.38', body);
    if (a.status !== g.status)
      problems.push(
        `${method} ${path} ${JSON.stringify(body)?.slice(0, 80)}: ironic-api ${a.status}, gateway ${g.status}: ${JSON.stringify(g.body).slice(0, 200)}`,
      );
    else if (!reworded && faultOf(a) !== faultOf(g)) {
      problems.push(
        `${method} ${path} ${JSON.stringify(body)?.slice(0, 80)}: messages differ\n  ironic-api ${faultOf(a)}\n  gateway    ${faultOf(g)}`,
      );
    }
  }
  assert.deepEqual(problems, []);
});

test('refused writes of 1.39–1.82: the same status and message for each bad request, at 1.82', {
  timeout: 60_000,
}, async () => {
  const n = ids.node!;
  // W: only the status is compared. The gateway validates a node's body with ajv and words its
  // errors in its own way ("Invalid input: body must NOT have additional properties"), and for
  // network_data it reports the first error of the schema's first alternative where
  // python-jsonschema's best_match picks another; the 400 is the same.
  const W = true;
  // W39: 39.0 words these its own way (a newer python-jsonschema: "should be non-empty" for
  // "is too short"; "Schema error:" without the schema's name for allocations and events;
  // NoValidHost adds "Ensure the driver is valid and enabled."); the gateway, unpinned, keeps
  // 21.4's words here: only the status is compared
  const W39 = stack.release() === '39.0';
  const cases: Array<[string, string, unknown, boolean?]> = [
    ['POST', '/v1/allocations', { name: 'bad name!', resource_class: 'x' }],
    ['POST', '/v1/allocations', { resource_class: 'x', bogus: 1 }, W39],
    ['POST', '/v1/allocations', { resource_class: 'x', candidate_nodes: ['parity-no-such-node'] }],
    ['POST', '/v1/allocations', {}],
    ['PATCH', `/v1/allocations/${ids.allocation}`, [{ op: 'replace', path: '/resource_class', value: 'y' }]],
    ['DELETE', '/v1/allocations/parity-no-such-allocation', undefined],
    ['POST', '/v1/deploy_templates', { name: 'not-a-trait', steps: [] }, W39],
    ['POST', '/v1/deploy_templates', { name: 'CUSTOM_PARITY_BAD', steps: [{ interface: 'deploy' }] }],
    ['POST', '/v1/deploy_templates', { name: `CUSTOM_PARITY_${ids.tag!.toUpperCase()}`, steps: [] }, W39],
    ['PATCH', `/v1/nodes/${n}`, [{ op: 'replace', path: '/protected', value: true }]],
    ['PATCH', `/v1/nodes/${n}`, [{ op: 'replace', path: '/protected_reason', value: 'why' }]],
    ['PATCH', `/v1/nodes/${n}`, [{ op: 'replace', path: '/retired_reason', value: 'why' }]],
    ['PATCH', `/v1/nodes/${n}`, [{ op: 'replace', path: '/conductor_group', value: 'bad group!' }], W39],
    ['PATCH', `/v1/nodes/${n}?reset_interfaces=true`, [{ op: 'add', path: '/extra/a', value: 1 }]],
    ['PUT', `/v1/nodes/${n}/states/boot_mode`, { target: 'bogus' }],
    ['PUT', `/v1/nodes/${n}/states/secure_boot`, { target: 'maybe' }],
    ['PUT', `/v1/nodes/${n}/states/provision`, { target: 'deploy', configdrive: 'abc' }],
    ['PUT', `/v1/nodes/${n}/states/provision`, { target: 'clean', clean_steps: [], disable_ramdisk: 'x' }],
    // 39.0 answers a malformed step list with 500 at every microversion (reference §7 R3): fixed
    // (400), so this one is compared against 21.4 only
    ...(stack.release() === '39.0'
      ? []
      : ([
          ['PUT', `/v1/nodes/${n}/states/provision`, { target: 'active', deploy_steps: [{ interface: 'x' }] }],
        ] as Array<[string, string, unknown]>)),
    ['POST', '/v1/events', { events: [{ event: 'bogus' }] }, W39],
    ['POST', '/v1/events', {}, W39],
    ['GET', '/v1/ports?shard=a&node=b', undefined],
    ['GET', '/v1/nodes?fault=bogus', undefined],
    ['GET', '/v1/nodes?detail=true&fields=uuid', undefined],
    ['GET', `/v1/nodes/${n}/bios?detail=true&fields=name`, undefined],
    ['POST', '/v1/nodes', { driver: 'fake-hardware', protected: true }, W],
    ['POST', '/v1/nodes', { driver: 'fake-hardware', network_data: { bogus: 1 } }, W],
  ];
  const problems: string[] = [];
  for (const [method, path, body, wordedApart] of cases) {
    const a = await send(apiBase, method, path, '1.82', body);
    const g = await send(gwBase, method, path, '1.82', body);
    const what = `${method} ${path} ${JSON.stringify(body)?.slice(0, 100)}`;
    if (a.status !== g.status)
      problems.push(`${what}: ironic-api ${a.status}, gateway ${g.status}: ${JSON.stringify(g.body).slice(0, 300)}`);
    else if (!wordedApart && faultOf(a) !== faultOf(g))
      problems.push(`${what}: messages differ\n  ironic-api ${faultOf(a)}\n  gateway    ${faultOf(g)}`);
    // every case is a refusal on both sides: one accepted would change what the next case meets
    if (a.status < 300 || g.status < 300)
      problems.push(`${what}: not refused (ironic-api ${a.status}, gateway ${g.status})`);
  }
  assert.deepEqual(problems, []);
});

/** Waits until both nodes have no transition pending and are in `state`. */
async function settled(nodePath: (w: 'a' | 'g') => string, state: string): Promise<void> {
  for (const w of ['a', 'g'] as const) {
    for (let i = 0; ; i++) {
      const n = (await send(gwBase, 'GET', nodePath(w), '1.38')).body as {
        provision_state: string;
        target_provision_state: string | null;
        reservation: string | null;
      };
      if (n.target_provision_state === null && n.reservation === null && n.provision_state === state) break;
      assert.ok(i < 600, `node ${nodePath(w)} never settled in ${state}: ${JSON.stringify(n)}`);
      await new Promise((res) => setTimeout(res, 100));
    }
  }
}

for (const wv of ['1.38', ...(NEWER.length > 0 ? [NEWEST] : [])])
  test(`writes at ${wv}: the same change through each answers the same`, { timeout: 180_000 }, async () => {
    const tag = `${ids.tag}w${wv.replace('.', '')}`;
    const problems: string[] = [];
    /** Compares two answers whose own resources differ only by uuid, name and address. */
    const same = (what: string, a: Answer, g: Answer, own: Array<[string, string]>): void => {
      if (a.status !== g.status) {
        problems.push(
          `${what}: status ironic-api ${a.status}, gateway ${g.status}: ${JSON.stringify(g.body).slice(0, 300)}`,
        );
        return;
      }
      // a conductor's unexpected failure (e.g. sqlite's DBReferenceError): ironic-api passes its
      // text on, SQL included; the gateway answers with the class name only, by design
      if (a.status >= 500) return;
      // 39.0 names a portgroup in this conflict by its database id, which differs between the two
      const ids = (t: string) => t.replace(/(portgroup) \d+ (contains ports)/g, '$1 N $2');
      let gb = ids(JSON.stringify(normalize(g.body)));
      for (const [theirs, ours] of own) gb = gb.replaceAll(ours, theirs);
      const paths: string[] = [];
      diff(JSON.parse(ids(JSON.stringify(normalize(a.body)))), JSON.parse(gb), '', paths);
      // two resources made moments apart: their own times and transient conductor fields may differ
      const left = paths.filter(
        (p) =>
          !/\/(created_at|updated_at|provision_updated_at|reservation)$|\/driver_internal_info(\/|$)/.test(p) &&
          unexplained([`${what} body ${p}`]).length > 0,
      );
      if (left.length)
        problems.push(
          `${what}: ${left.join(', ')}\n  ironic-api ${JSON.stringify(a.body).slice(0, 400)}\n  gateway ${gb.slice(0, 400)}`,
        );
    };
    const both = async (
      method: string,
      path: (who: 'a' | 'g') => string,
      body: (who: 'a' | 'g') => unknown,
    ): Promise<[Answer, Answer]> => [
      await send(apiBase, method, path('a'), wv, body('a')),
      await send(gwBase, method, path('g'), wv, body('g')),
    ];

    const nodeBody = (who: 'a' | 'g') => ({
      driver: 'fake-hardware',
      name: `parity-${tag}-${who}`,
      chassis_uuid: ids.chassis,
      properties: { cpus: 4, memory_mb: 1024 },
      extra: { who: 'x' },
      resource_class: `parity-${tag}`,
    });
    const [ca, cg] = await both('POST', () => '/v1/nodes', nodeBody);
    assert.equal(ca.status, 201, JSON.stringify(ca.body));
    const ua = (ca.body as { uuid: string }).uuid;
    const ug = (cg.body as { uuid: string }).uuid;
    const own: Array<[string, string]> = [
      [ua, ug],
      [`parity-${tag}-a`, `parity-${tag}-g`],
    ];
    const nodePath = (who: 'a' | 'g') => `/v1/nodes/${who === 'a' ? ua : ug}`;
    try {
      same('POST /v1/nodes', ca, cg, own);
      const patch = () => [
        { op: 'add', path: '/extra/k', value: [1, { n: null }] },
        { op: 'replace', path: '/properties/cpus', value: 8 },
        { op: 'remove', path: '/extra/who' },
        { op: 'add', path: '/instance_info/image_source', value: 'http://img' },
      ];
      same('PATCH /v1/nodes/{uuid}', ...(await both('PATCH', nodePath, patch)), own);
      same(
        'PUT …/maintenance',
        ...(await both(
          'PUT',
          (w) => `${nodePath(w)}/maintenance`,
          () => ({ reason: 'parity' }),
        )),
        own,
      );
      same('GET after maintenance', ...(await both('GET', nodePath, () => undefined)), own);
      same(
        'DELETE …/maintenance',
        ...(await both(
          'DELETE',
          (w) => `${nodePath(w)}/maintenance`,
          () => undefined,
        )),
        own,
      );
      same(
        'PUT …/traits',
        ...(await both(
          'PUT',
          (w) => `${nodePath(w)}/traits`,
          () => ({ traits: ['CUSTOM_A', 'HW_CPU_X86_VMX'] }),
        )),
        own,
      );
      same(
        'GET …/traits',
        ...(await both(
          'GET',
          (w) => `${nodePath(w)}/traits`,
          () => undefined,
        )),
        own,
      );
      same(
        'PUT …/states/provision manage',
        ...(await both(
          'PUT',
          (w) => `${nodePath(w)}/states/provision`,
          () => ({ target: 'manage' }),
        )),
        own,
      );
      await settled(nodePath, 'manageable');
      same('GET after manage', ...(await both('GET', nodePath, () => undefined)), own);
      same(
        'PUT …/states/power off (already off)',
        ...(await both(
          'PUT',
          (w) => `${nodePath(w)}/states/power`,
          () => ({ target: 'power off' }),
        )),
        own,
      );
      same(
        'PUT …/management/boot_device',
        ...(await both(
          'PUT',
          (w) => `${nodePath(w)}/management/boot_device`,
          () => ({ boot_device: 'pxe', persistent: true }),
        )),
        own,
      );
      same(
        'POST …/vifs',
        ...(await both(
          'POST',
          (w) => `${nodePath(w)}/vifs`,
          () => ({ id: 'parity-vif' }),
        )),
        own,
      );
      for (const [target, state] of [
        ['provide', 'available'],
        ['active', 'active'],
        ['deleted', 'available'],
      ] as const) {
        same(
          `PUT …/states/provision ${target}`,
          ...(await both(
            'PUT',
            (w) => `${nodePath(w)}/states/provision`,
            () => ({ target }),
          )),
          own,
        );
        await settled(nodePath, state);
        same(
          `GET …/states after ${target}`,
          ...(await both(
            'GET',
            (w) => `${nodePath(w)}/states`,
            () => undefined,
          )),
          own,
        );
        same(`GET node after ${target}`, ...(await both('GET', nodePath, () => undefined)), own);
      }

      // the node's other resources, made alike on each side
      const node = (w: 'a' | 'g') => (w === 'a' ? ua : ug);
      const hex = (w: 'a' | 'g', n: number) => `52:54:00:7b:0${w === 'a' ? 1 : 2}:0${n}`;
      const made: Record<string, [string, string]> = {};
      const create = async (
        what: string,
        path: string,
        body: (w: 'a' | 'g') => Record<string, unknown>,
        extraOwn: (w: 'a' | 'g') => string[] = () => [],
      ): Promise<void> => {
        const [a, g] = await both('POST', () => path, body);
        const ids2: [string, string] = [
          (a.body as { uuid?: string })?.uuid ?? '',
          (g.body as { uuid?: string })?.uuid ?? '',
        ];
        made[what] = ids2;
        const pairs = extraOwn('a').map((x, i) => [x, extraOwn('g')[i]!] as [string, string]);
        own.push([ids2[0], ids2[1]], ...pairs);
        same(`POST ${path}`, a, g, own);
      };
      await create(
        'portgroup',
        '/v1/portgroups',
        (w) => ({
          node_uuid: node(w),
          name: `parity-${tag}-pg-${w}`,
          address: hex(w, 1),
          mode: 'active-backup',
          properties: { miimon: 100 },
          extra: { e: 1 },
        }),
        (w) => [`parity-${tag}-pg-${w}`, hex(w, 1)],
      );
      await create(
        'port',
        '/v1/ports',
        (w) => ({
          node_uuid: node(w),
          address: hex(w, 2),
          portgroup_uuid: made.portgroup![w === 'a' ? 0 : 1],
          pxe_enabled: false,
          local_link_connection: { switch_id: '0a:1b:2c:3d:4e:5f', port_id: 'Ethernet3/1' },
          physical_network: 'physnet1',
          extra: { e: 2 },
        }),
        (w) => [hex(w, 2)],
      );
      await create(
        'connector',
        '/v1/volume/connectors',
        (w) => ({ node_uuid: node(w), type: 'iqn', connector_id: `iqn.2017-08.org.parity:${tag}-${w}` }),
        (w) => [`iqn.2017-08.org.parity:${tag}-${w}`],
      );
      await create(
        'target',
        '/v1/volume/targets',
        (w) => ({
          node_uuid: node(w),
          volume_type: 'iscsi',
          boot_index: 0,
          volume_id: `parity-${tag}-vol-${w}`,
          properties: { p: 1 },
        }),
        (w) => [`parity-${tag}-vol-${w}`],
      );
      const pick = (what: string) => (w: 'a' | 'g') => made[what]![w === 'a' ? 0 : 1];
      same(
        'PATCH /v1/ports/{uuid}',
        ...(await both(
          'PATCH',
          (w) => `/v1/ports/${pick('port')(w)}`,
          () => [
            { op: 'add', path: '/extra/k', value: 'v' },
            { op: 'replace', path: '/pxe_enabled', value: true },
          ],
        )),
        own,
      );
      same(
        'PATCH /v1/portgroups/{uuid}',
        ...(await both(
          'PATCH',
          (w) => `/v1/portgroups/${pick('portgroup')(w)}`,
          () => [{ op: 'replace', path: '/properties', value: { miimon: 200 } }],
        )),
        own,
      );
      same(
        'PATCH /v1/volume/targets/{uuid}',
        ...(await both(
          'PATCH',
          (w) => `/v1/volume/targets/${pick('target')(w)}`,
          () => [{ op: 'add', path: '/extra/k', value: 1 }],
        )),
        own,
      );
      same(
        'GET /v1/nodes/{uuid}/ports/detail',
        ...(await both(
          'GET',
          (w) => `${nodePath(w)}/ports/detail`,
          () => undefined,
        )),
        own,
      );
      same(
        'GET /v1/nodes/{uuid}/portgroups/detail',
        ...(await both(
          'GET',
          (w) => `${nodePath(w)}/portgroups/detail`,
          () => undefined,
        )),
        own,
      );
      same(
        'GET /v1/nodes/{uuid}/volume/targets?detail=True',
        ...(await both(
          'GET',
          (w) => `${nodePath(w)}/volume/targets?detail=True`,
          () => undefined,
        )),
        own,
      );
      same(
        'GET /v1/nodes/{uuid}/volume/connectors?detail=True',
        ...(await both(
          'GET',
          (w) => `${nodePath(w)}/volume/connectors?detail=True`,
          () => undefined,
        )),
        own,
      );
      // Ironic 21.4's conductor deletes a portgroup with dbapi.destroy_portgroup(portgroup.uuid),
      // whose emptiness check compares that uuid with the ports' integer portgroup_id column:
      // MariaDB casts the uuid's leading digits to a number, so the answer hangs on the uuid. A
      // group holding a port is refused (400, "contains ports") only when those digits are its
      // id, and is otherwise deleted into the foreign key (DBReferenceError, 500); an empty group
      // is refused when the digits name another group that holds ports. Each side has its own
      // group, so on 21.4 those answers count as the same (39.0 passes the id: compared exactly).
      const castBug = (a: Answer) =>
        (a.status === 400 && JSON.stringify(a.body).includes('contains ports')) ||
        (a.status === 500 && JSON.stringify(a.body).includes('DBReferenceError'));
      const uuidCast = stack.release() === '21.4';
      const deletePortgroup = async (what: string, path: (w: 'a' | 'g') => string, done: (a: Answer) => boolean) => {
        const [a, g] = await both('DELETE', path, () => undefined);
        if (uuidCast && (done(a) || castBug(a)) && (done(g) || castBug(g)) && (castBug(a) || castBug(g))) return;
        same(what, a, g, own);
      };
      await deletePortgroup(
        'DELETE /v1/portgroups/{uuid} with a port',
        (w) => `/v1/portgroups/${pick('portgroup')(w)}`,
        () => false,
      );
      for (const what of ['target', 'connector', 'port']) {
        const kind = what === 'target' ? 'volume/targets' : what === 'connector' ? 'volume/connectors' : `${what}s`;
        same(
          `DELETE /v1/${kind}/{uuid}`,
          ...(await both(
            'DELETE',
            (w) => `/v1/${kind}/${pick(what)(w)}`,
            () => undefined,
          )),
          own,
        );
      }
      await deletePortgroup(
        'DELETE /v1/portgroups/{uuid}',
        (w) => `/v1/portgroups/${pick('portgroup')(w)}`,
        (a) => a.status === 204,
      );
    } finally {
      for (const [base, u] of [
        [apiBase, ua],
        [gwBase, ug],
      ] as const)
        if (u) await send(base, 'DELETE', `/v1/nodes/${u}`, wv);
    }
    assert.deepEqual(problems, [], `differences from ironic-api:\n${problems.join('\n\n')}`);
  });

test('every answer the gateway gave in this suite matches the OpenAPI document at its microversion', () => {
  assert.ok(contract.count > 300, `${contract.count} answers checked`);
  assert.deepEqual(
    [...contractProblems].map(([what, problems]) => `${what}: ${problems.join('; ')}`),
    [],
  );
});
