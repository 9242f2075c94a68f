/**
 * Mutual TLS with a real client: Debian's `baremetal` CLI against a gateway that requires a
 * client certificate (IRONIC_GATEWAY_TLS_CLIENT_CA_FILE), on each back end. Without
 * `--os-cert/--os-key` the handshake is refused and the CLI says so; with a certificate of the
 * CA it is served. (Node-level checks of the same, and of public routes left open, are in
 * test/unit/auth/client-cert.test.ts.)
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { backends, startGateway, type RunningGateway } from './support/backend.ts';
import { baremetalRaw, json } from './support/baremetal.ts';

for (const backend of backends()) {
  describe(`mutual TLS · baremetal CLI · ${backend.name}`, () => {
    let gw: RunningGateway;
    before(async () => {
      gw = await startGateway(backend, { auth: 'noauth', https: true, mutualTls: true, label: 'noauth · mtls' });
    });
    after(async () => {
      await gw?.close();
    });

    test('without a client certificate the CLI is refused at the handshake', { timeout: 180_000 }, async () => {
      const r = await baremetalRaw({ ...gw, clientCert: undefined }, ['driver', 'list', '-f', 'json']);
      assert.notEqual(r.code, 0, r.stdout);
      assert.match(r.stderr, /CERTIFICATE_REQUIRED|Connection reset by peer/, r.stderr);
      assert.doesNotMatch(r.stderr, /HTTP \d{3}/, 'no HTTP answer: refused before any request');
    });

    test('with --os-cert/--os-key it is served', { timeout: 180_000 }, async () => {
      const drivers = await json<Array<Record<string, unknown>>>(gw, 'driver', 'list');
      assert.ok(
        // bookworm's CLI heads the driver's column `Supported driver(s)`, sid's `name` (read as Name)
        drivers.some((d) => (d['Supported driver(s)'] ?? d.Name) === 'fake-hardware'),
        JSON.stringify(drivers),
      );
    });
  });
}
