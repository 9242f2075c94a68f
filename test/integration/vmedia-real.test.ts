/**
 * Issue 15, slice vmedia, on the REAL 39.0 conductor beside its own ironic-api: virtual media
 * (Metal3's attach at 1.89 with exactly the body the baremetal-operator sends, detach, GET at
 * 1.93), firmware components (1.86, 1.114) and the inspection callback's refusals (1.84), each
 * asked of the unpinned gateway and of ironic-api 39.0 on the same node, and compared.
 * Skipped on other releases (21.4 has none of these routes).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { createGateway, type Gateway } from '../../src/gateway.ts';
import { startIronicApi, type IronicApi } from '../support/ironic-api.ts';
import { stack } from '../support/stack-env.ts';

interface Answer {
  status: number;
  body: any;
}

async function send(base: string, method: string, path: string, version: string, body?: unknown): Promise<Answer> {
  const r = await fetch(base + path, {
    method,
    headers: { 'x-openstack-ironic-api-version': version, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  let parsed: any = text === '' ? null : JSON.parse(text);
  if (parsed && typeof parsed.error_message === 'string') parsed = { error_message: JSON.parse(parsed.error_message) };
  return { status: r.status, body: parsed };
}

/**
 * Status and, for an error, its faultstring (the error bodies' framing may differ: reference
 * §3.1); for webob's router errors, their code, title and description (the gateway's body also
 * carries faultstring, faultcode and debuginfo, which ironic-api's has not: left as it is).
 */
function gist(a: Answer): Record<string, unknown> {
  const e = a.body?.error_message;
  if (e && 'title' in e) return { status: a.status, webob: [e.code, e.title, e.description] };
  return { status: a.status, fault: e?.faultstring ?? a.body };
}

const SKIP = stack.release() === '39.0' ? false : 'virtual media, firmware and continue_inspection are 39.0 routes';

describe('virtual media, firmware and continue_inspection: the gateway and ironic-api 39.0 on the same conductor', {
  skip: SKIP,
}, () => {
  let api: IronicApi;
  let gateway: Gateway;
  let gw = '';
  let uuid = '';

  before(async () => {
    api = await startIronicApi({
      conductorConfig: stack.conductorConfig(),
      dir: join(import.meta.dirname, '..', '..', '.tmp', 'vmedia-real-ironic-api'),
      workers: 1,
      timeoutS: 60,
    });
    gateway = await createGateway(
      loadConfig({
        env: {},
        overrides: {
          ...stack.gatewaySettings(),
          log_level: 'silent',
          rpc_response_timeout: 30,
          host: '127.0.0.1',
          port: 0,
        },
      }),
    );
    await gateway.app.listen({ host: '127.0.0.1', port: 0 });
    gw = `http://127.0.0.1:${(gateway.app.server.address() as { port: number }).port}`;
    const n = await send(gw, 'POST', '/v1/nodes', '1.89', {
      driver: 'fake-hardware',
      name: `vm-${randomUUID().slice(0, 8)}`,
    });
    assert.equal(n.status, 201, JSON.stringify(n.body));
    uuid = n.body.uuid;
  });

  after(async () => {
    if (uuid) await send(gw, 'DELETE', `/v1/nodes/${uuid}`, '1.89').catch(() => undefined);
    await gateway?.close();
    await api?.stop();
  });

  /** Waits until the node is unlocked and last_error matches `re`. */
  async function settled(re: RegExp): Promise<Record<string, any>> {
    for (let i = 0; ; i++) {
      const n = (await send(gw, 'GET', `/v1/nodes/${uuid}`, '1.89')).body;
      if (!n.reservation && re.test(n.last_error ?? '')) return n;
      if (i > 200) assert.fail(`node never settled: ${JSON.stringify(n)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('GET vmedia: 404 at 1.92 and 1.88, fake-hardware 400 at 1.93 — the same from both', async () => {
    for (const v of ['1.88', '1.92', '1.93']) {
      const viaGw = await send(gw, 'GET', `/v1/nodes/${uuid}/vmedia`, v);
      const viaApi = await send(api.base, 'GET', `/v1/nodes/${uuid}/vmedia`, v);
      assert.deepEqual(gist(viaGw), gist(viaApi), `@${v}: ${JSON.stringify(viaApi.body)}`);
    }
  });

  it("Metal3's attach (1.89, exactly bmo's body) is 204 from both; the conductor journals fake-hardware's failure", async () => {
    for (const base of [gw, api.base]) {
      const r = await send(base, 'POST', `/v1/nodes/${uuid}/vmedia`, '1.89', {
        device_type: 'cdrom',
        image_url: 'https://images.example/data.iso',
      });
      assert.equal(r.status, 204, JSON.stringify(r.body));
      const n = await settled(/^Could not attach device cdrom/);
      assert.equal(
        n.last_error,
        `Could not attach device cdrom to node ${uuid}: Publishing images is not supported for driver fake-hardware`,
      );
    }
  });

  it('attach and detach refusals are the same from both', async () => {
    const bodies: unknown[] = [
      { device_type: 'cdrom' },
      { device_type: 'usb', image_url: 'http://x' },
      { device_type: 'cdrom', image_url: 'ftp://x/y.iso' },
      { device_type: 'cdrom', image_url: 'http://x', foo: 1 },
    ];
    for (const body of bodies) {
      const viaGw = await send(gw, 'POST', `/v1/nodes/${uuid}/vmedia`, '1.89', body);
      const viaApi = await send(api.base, 'POST', `/v1/nodes/${uuid}/vmedia`, '1.89', body);
      assert.deepEqual(gist(viaGw), gist(viaApi), JSON.stringify(body));
    }
    const viaGw = await send(gw, 'DELETE', `/v1/nodes/${uuid}/vmedia?device_types=bogus`, '1.89');
    const viaApi = await send(api.base, 'DELETE', `/v1/nodes/${uuid}/vmedia?device_types=bogus`, '1.89');
    assert.deepEqual(gist(viaGw), gist(viaApi));
  });

  it("Metal3's detach (?device_types=cdrom) is 204 from both; the conductor journals the driver's refusal", async () => {
    for (const base of [gw, api.base]) {
      const r = await send(base, 'DELETE', `/v1/nodes/${uuid}/vmedia?device_types=cdrom`, '1.89');
      assert.equal(r.status, 204, JSON.stringify(r.body));
      const n = await settled(/^Could not detach device/);
      assert.match(n.last_error, /^Could not detach device\(s\) \['cdrom'\] from node /);
    }
  });

  it('firmware: the same answers at 1.85, 1.86, 1.113 and 1.114, with and without fields', async () => {
    for (const [v, q] of [
      ['1.85', ''],
      ['1.86', ''],
      ['1.114', ''],
      ['1.113', '?fields=vendor'],
      ['1.114', '?fields=bogus'],
      ['1.114', '?detail=true'],
      ['1.114', '?fields=component,vendor'],
    ]) {
      const viaGw = await send(gw, 'GET', `/v1/nodes/${uuid}/firmware${q}`, v);
      const viaApi = await send(api.base, 'GET', `/v1/nodes/${uuid}/firmware${q}`, v);
      assert.deepEqual(gist(viaGw), gist(viaApi), `@${v}${q}`);
    }
  });

  it('continue_inspection: the same refusals (version, data, lookup) from both', async () => {
    const inventory = { interfaces: [{ mac_address: '52:54:00:aa:bb:cc' }] };
    for (const [v, q, body] of [
      ['1.83', '', { inventory }],
      ['1.1', `?node_uuid=${uuid}`, { inventory }],
      ['1.84', '', { inventory: { interfaces: [] } }],
      ['1.84', '', { inventory: { interfaces: [{ mac_address: 'nope' }] } }],
      ['1.84', '', { inventory }],
      ['1.84', `?node_uuid=${uuid}`, { inventory }],
    ] as const) {
      const viaGw = await send(gw, 'POST', `/v1/continue_inspection${q}`, v, body);
      const viaApi = await send(api.base, 'POST', `/v1/continue_inspection${q}`, v, body);
      assert.deepEqual(gist(viaGw), gist(viaApi), `@${v}${q} ${JSON.stringify(body)}`);
    }
  });
});
