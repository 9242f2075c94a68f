/**
 * Issue 15, slice vmedia: a node's virtual media (1.89 attach/detach, 1.93 GET) and firmware
 * components (1.86; identity fields 1.114) on the simulator, unpinned (39.0) and pinned to 21.4,
 * at the microversions around each gate; Metal3's requests exactly as the baremetal-operator
 * sends them (reference §9).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { resourceRoutes } from '../../../src/http/routes/index.ts';
import { testGateway, type TestGateway } from '../../support/app.ts';
import { call, createNode, expectError, waitFor } from './nodes-helpers.ts';

/** webob's 404 of a router that has no such sub-resource, as the gateway wraps it. */
function assertWebob404(r: { statusCode: number; body: string; json: () => any }): void {
  assert.equal(r.statusCode, 404, r.body);
  const inner = JSON.parse(r.json().error_message);
  assert.deepEqual([inner.code, inner.title, inner.description], [404, 'Not Found', '']);
}

const attach = (g: TestGateway, ident: string, version: string, body: unknown) =>
  call(g.app, `/v1/nodes/${ident}/vmedia`, { method: 'POST', version, body });
const detach = (g: TestGateway, ident: string, version: string, query = '') =>
  call(g.app, `/v1/nodes/${ident}/vmedia${query}`, { method: 'DELETE', version });
const getVmedia = (g: TestGateway, ident: string, version: string) =>
  call(g.app, `/v1/nodes/${ident}/vmedia`, { version });
const firmware = (g: TestGateway, ident: string, version: string, query = '') =>
  call(g.app, `/v1/nodes/${ident}/firmware${query}`, { version });

/** The node's history events, newest last (detail). */
async function history(g: TestGateway, uuid: string): Promise<Record<string, any>[]> {
  const r = await call(g.app, `/v1/nodes/${uuid}/history?detail=true`, { version: '1.115' });
  assert.equal(r.statusCode, 200, r.body);
  return r.json().history;
}

describe('virtual media, unpinned (39.0)', () => {
  let g: TestGateway;
  before(async () => {
    g = await testGateway({ routes: resourceRoutes, config: { pin_release_version: undefined } });
  });
  after(() => g.close());

  test('below 1.89 the vmedia router does not exist: webob 404 for every method', async () => {
    const n = await createNode(g.app);
    for (const r of [
      await getVmedia(g, n.uuid, '1.88'),
      await attach(g, n.uuid, '1.88', { device_type: 'cdrom', image_url: 'http://x/y.iso' }),
      await detach(g, n.uuid, '1.88'),
    ])
      assertWebob404(r);
  });

  test('GET at 1.89–1.92 is 404 (pecan.abort in the method); at 1.93 fake-hardware refuses it (400)', async () => {
    const n = await createNode(g.app);
    for (const v of ['1.89', '1.92'])
      expectError(await getVmedia(g, n.uuid, v), 404, /^The resource could not be found\.$/);
    expectError(
      await getVmedia(g, n.uuid, '1.93'),
      400,
      /^Driver fake-hardware does not support get_virtual_media \(disabled or not implemented\)\.$/,
    );
    expectError(await getVmedia(g, 'no-such-node', '1.93'), 404, /^Node no-such-node could not be found\.$/);
  });

  test("Metal3's attach at 1.89 (exactly bmo's body) is 204; fake-hardware's failure shows in last_error and history", async () => {
    const n = await createNode(g.app, { name: `vm-${Date.now()}` });
    const r = await attach(g, n.uuid, '1.89', { device_type: 'cdrom', image_url: 'https://images.example/data.iso' });
    assert.equal(r.statusCode, 204, r.body);
    assert.equal(r.body, '');
    const node = await waitFor(g.app, n.uuid, (x) => x.last_error !== null && x.reservation === null);
    const message = `Could not attach device cdrom to node ${n.uuid}: Publishing images is not supported for driver fake-hardware`;
    assert.equal(node.last_error, message);
    const events = await history(g, n.uuid);
    assert.equal(events.at(-1)?.event, message);
    assert.equal(events.at(-1)?.event_type, 'UNKNOWN');
    assert.equal(events.at(-1)?.severity, 'ERROR');
    // by name too, and at 1.110 (what bmo sends to a 39.0)
    const byName = await attach(g, n.name, '1.110', { device_type: 'disk', image_url: 'http://x/y.img' });
    assert.equal(byName.statusCode, 204, byName.body);
    await waitFor(g.app, n.uuid, (x) => x.reservation === null && /device disk/.test(x.last_error ?? ''));
  });

  test('the attach body is checked as args.schema does, then the URL scheme, before the node', async () => {
    const cases: [unknown, RegExp][] = [
      [{ image_url: 'http://x' }, /^Schema error for vmedia: 'device_type' is a required property$/],
      [{ device_type: 'cdrom' }, /^Schema error for vmedia: 'image_url' is a required property$/],
      [
        { device_type: 'cdrom', image_url: 'http://x', foo: 1 },
        /^Schema error for vmedia: Additional properties are not allowed \('foo' was unexpected\)$/,
      ],
      [
        { device_type: 'usb', image_url: 'http://x' },
        /^Schema error for vmedia: 'usb' is not one of \['disk', 'cdrom', 'floppy'\]$/,
      ],
      [{ device_type: 'cdrom', image_url: 5 }, /^Schema error for vmedia: 5 is not of type 'string'$/],
      [
        { device_type: 'cdrom', image_url: 'http://x', image_download_source: 'ftp' },
        /^Schema error for vmedia: 'ftp' is not one of \['http', 'local', 'swift'\]$/,
      ],
      [{ device_type: 'cdrom', image_url: 'ftp://x/y.iso' }, /^Unsupported or missing URL scheme: ftp$/],
      [{ device_type: 'cdrom', image_url: 'y.iso' }, /^Unsupported or missing URL scheme: $/],
    ];
    for (const [body, message] of cases) expectError(await attach(g, 'no-such-node', '1.89', body), 400, message);
    // a valid body reaches the node lookup
    expectError(await attach(g, 'no-such-node', '1.89', { device_type: 'cdrom', image_url: 'nfs://h/x' }), 404);
  });

  test('image_download_source is accepted and, as by ironic-api 39.0, not sent to the conductor', async () => {
    const n = await createNode(g.app);
    const sent: Record<string, unknown>[] = [];
    const original = g.conductor.attach_virtual_media.bind(g.conductor);
    g.conductor.attach_virtual_media = (ctx, nodeId, deviceType, imageUrl, topic) => {
      sent.push({ nodeId, deviceType, imageUrl, extra: topic });
      return original(ctx, nodeId, deviceType, imageUrl, topic);
    };
    try {
      const r = await attach(g, n.uuid, '1.89', {
        device_type: 'cdrom',
        image_url: 'https://x/y.iso',
        image_download_source: 'http',
      });
      assert.equal(r.statusCode, 204, r.body);
    } finally {
      g.conductor.attach_virtual_media = original;
    }
    assert.equal(sent.length, 1);
    assert.equal(sent[0].imageUrl, 'https://x/y.iso');
    await waitFor(g.app, n.uuid, (x) => x.reservation === null);
  });

  test('detach: device types checked, the conductor told which (None: all); fake-hardware journals its refusal', async () => {
    const n = await createNode(g.app);
    expectError(
      await detach(g, n.uuid, '1.89', '?device_types=cdrom,bogus'),
      400,
      /^Invalid device type\(s\) bogus \(valid are disk, cdrom, floppy\)$/,
    );
    expectError(await detach(g, n.uuid, '1.89', '?foo=1'), 400, /^Unexpected arguments: foo$/);
    // Metal3's detach
    const r = await detach(g, n.uuid, '1.89', '?device_types=cdrom');
    assert.equal(r.statusCode, 204, r.body);
    let node = await waitFor(g.app, n.uuid, (x) => x.reservation === null && x.last_error !== null);
    assert.equal(
      node.last_error,
      `Could not detach device(s) ['cdrom'] from node ${n.uuid}: Driver fake-hardware does not support detach_virtual_media (disabled or not implemented).`,
    );
    const all = await detach(g, n.uuid, '1.93');
    assert.equal(all.statusCode, 204, all.body);
    node = await waitFor(g.app, n.uuid, (x) => x.reservation === null && /device\(s\) None/.test(x.last_error ?? ''));
    assert.match(node.last_error, /^Could not detach device\(s\) None from node /);
  });

  test('a node in maintenance for a power failure refuses attach and detach (503)', async () => {
    const n = await createNode(g.app);
    g.sim.store.updateNode(g.sim.store.node(n.uuid), { maintenance: true, fault: 'power failure' });
    expectError(
      await attach(g, n.uuid, '1.89', { device_type: 'cdrom', image_url: 'http://x/y.iso' }),
      503,
      new RegExp(`^Unable to attach virtual media for node ${n.uuid} due to power failure state$`),
    );
    expectError(
      await detach(g, n.uuid, '1.89'),
      503,
      new RegExp(`^Unable to detach virtual media for node ${n.uuid} due to power failure state$`),
    );
    // a locked node: 409
    g.sim.store.updateNode(g.sim.store.node(n.uuid), { maintenance: false, fault: null, reservation: 'other-host' });
    expectError(await detach(g, n.uuid, '1.89'), 409, /is locked by host other-host/);
    g.sim.store.updateNode(g.sim.store.node(n.uuid), { reservation: null });
  });

  test("a BMC with virtual media: GET at 1.93 answers the driver's list as it is (what bmo decodes), attach and detach change it", async () => {
    const media = [
      { media_types: ['CD', 'DVD'], inserted: false, image: '' },
      { media_types: ['Floppy', 'USBStick'], inserted: false, image: '' },
    ];
    const n = await createNode(g.app, { driver_info: { simulator_virtual_media: media } });
    const r = await getVmedia(g, n.uuid, '1.93');
    assert.equal(r.statusCode, 200, r.body);
    assert.deepEqual(r.json(), media);
    const a = await attach(g, n.uuid, '1.89', { device_type: 'cdrom', image_url: 'https://x/data.iso' });
    assert.equal(a.statusCode, 204, a.body);
    await waitFor(g.app, n.uuid, (x) => x.reservation === null);
    for (let i = 0; ; i++) {
      const got = (await getVmedia(g, n.uuid, '1.110')).json();
      if (got[0].inserted) {
        assert.deepEqual(got[0], { media_types: ['CD', 'DVD'], inserted: true, image: 'https://x/data.iso' });
        break;
      }
      if (i > 100) assert.fail('never attached');
      await new Promise((res) => setTimeout(res, 10));
    }
    assert.equal((await detach(g, n.uuid, '1.89', '?device_types=cdrom')).statusCode, 204);
    await waitFor(g.app, n.uuid, (x) => x.reservation === null);
    for (let i = 0; ; i++) {
      const got = (await getVmedia(g, n.uuid, '1.93')).json();
      if (!got[0].inserted) break;
      if (i > 100) assert.fail('never detached');
      await new Promise((res) => setTimeout(res, 10));
    }
  });
});

describe('virtual media and firmware, pinned to 21.4', () => {
  let g: TestGateway;
  before(async () => {
    g = await testGateway({ routes: resourceRoutes, config: { pin_release_version: '21.4' } });
  });
  after(() => g.close());

  test('1.89, 1.93 and 1.86 are not served (406); at 1.82 the sub-resources do not exist (webob 404)', async () => {
    const n = await createNode(g.app);
    expectError(await getVmedia(g, n.uuid, '1.93'), 406);
    expectError(await attach(g, n.uuid, '1.89', { device_type: 'cdrom', image_url: 'http://x' }), 406);
    expectError(await firmware(g, n.uuid, '1.86'), 406);
    for (const r of [await getVmedia(g, n.uuid, '1.82'), await firmware(g, n.uuid, '1.82')]) assertWebob404(r);
  });
});

describe('firmware components, unpinned (39.0)', () => {
  let g: TestGateway;
  let uuid = '';
  before(async () => {
    g = await testGateway({ routes: resourceRoutes, config: { pin_release_version: undefined } });
    const n = await createNode(g.app);
    uuid = n.uuid;
  });
  after(() => g.close());

  const store = (fields: Record<string, unknown>) =>
    g.sim.store.firmwareComponents.insert({ node_id: g.sim.store.node(uuid).id, ...fields });

  test('below 1.86 webob 404; fake-hardware caches no components: an empty list', async () => {
    assertWebob404(await firmware(g, uuid, '1.85'));
    const r = await firmware(g, uuid, '1.86');
    assert.equal(r.statusCode, 200, r.body);
    assert.deepEqual(r.json(), { firmware: [] });
    expectError(await firmware(g, 'no-such-node', '1.86'), 404, /^Node no-such-node could not be found\.$/);
  });

  test('the default fields at 1.86 and from 1.114 (vendor, model, serial_number); ?fields chooses', async () => {
    store({ component: 'bios', initial_version: 'U30 v2.36', current_version: 'U30 v2.54', vendor: 'HPE' });
    store({ component: 'bmc', initial_version: 'iLO 5 v2.78', current_version: null, serial_number: 'SN1' });
    const at86 = (await firmware(g, uuid, '1.86')).json().firmware;
    assert.equal(at86.length, 2);
    assert.deepEqual(Object.keys(at86[0]), [
      'created_at',
      'updated_at',
      'component',
      'initial_version',
      'current_version',
      'last_version_flashed',
    ]);
    assert.equal(at86[0].component, 'bios');
    assert.equal(at86[0].current_version, 'U30 v2.54');
    assert.equal(at86[0].last_version_flashed, null);
    assert.match(at86[0].created_at, /\+00:00$/);
    assert.equal(at86[0].updated_at, null);
    const at114 = (await firmware(g, uuid, '1.114')).json().firmware;
    assert.deepEqual(
      { vendor: at114[0].vendor, model: at114[0].model, serial_number: at114[0].serial_number },
      { vendor: 'HPE', model: null, serial_number: null },
    );
    assert.equal(at114[1].serial_number, 'SN1');
    const only = (await firmware(g, uuid, '1.86', '?fields=component,current_version')).json().firmware;
    assert.deepEqual(Object.keys(only[1]), ['created_at', 'updated_at', 'component', 'current_version']);
    const identity = await firmware(g, uuid, '1.114', '?fields=serial_number');
    assert.equal(identity.json().firmware[1].serial_number, 'SN1');
  });

  test('identity fields below 1.114, an unknown field, any ?detail and unknown parameters are 400', async () => {
    expectError(
      await firmware(g, uuid, '1.113', '?fields=vendor,model,component'),
      400,
      /^Fields model, vendor are not allowed in this API version\. They require at least API version 1\.114\.$/,
    );
    expectError(
      await firmware(g, uuid, '1.114', '?fields=bogus'),
      400,
      /^Schema error: 'bogus' is not one of \['created_at', /,
    );
    // reference §7 R10, copied: detail is never usable
    expectError(
      await firmware(g, uuid, '1.114', '?detail=true'),
      400,
      /^Schema error: 'true' is not of type 'boolean'$/,
    );
    expectError(await firmware(g, uuid, '1.86', '?foo=1'), 400, /^Unexpected arguments: foo$/);
  });

  test("a deleted node's components go with it", async () => {
    const n = await createNode(g.app);
    const id = g.sim.store.node(n.uuid).id;
    g.sim.store.firmwareComponents.insert({ node_id: id, component: 'bmc', initial_version: '1' });
    const del = await call(g.app, `/v1/nodes/${n.uuid}`, { method: 'DELETE', version: '1.86' });
    assert.equal(del.statusCode, 204, del.body);
    assert.equal([...g.sim.store.firmwareComponents.rows.values()].filter((r) => r.node_id === id).length, 0);
  });
});
