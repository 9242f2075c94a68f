/**
 * Mutual TLS (src/http/tls.ts, src/http/auth/client-cert.ts): with a client CA, a client
 * without a certificate, or with one from another CA, is refused at the handshake; with
 * tls_public_routes_open the public routes answer it and every other route answers 403; the
 * certificate's subject is what the policy sees as tls_client_cn / tls_client_subject.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { CertDir, type CertFiles, type TestCa } from '../../support/certs.ts';
import { httpsGet, startTlsGateway, type TlsGateway } from '../../support/tls-gateway.ts';

let certs: CertDir;
let ca: TestCa;
let otherCa: TestCa;
let server: CertFiles;
let opsBot: CertFiles;
let intruder: CertFiles;
let stranger: CertFiles;
let policyFile: string;
let caPem: Buffer;

before(async () => {
  certs = new CertDir('mtls-unit');
  ca = await certs.ca('ca');
  otherCa = await certs.ca('other-ca');
  server = await certs.issue(ca, 'server', 'server', '127.0.0.1');
  opsBot = await certs.issue(ca, 'ops-bot', 'client');
  intruder = await certs.issue(ca, 'intruder', 'client');
  stranger = await certs.issue(otherCa, 'stranger', 'client', 'ops-bot');
  caPem = readFileSync(ca.cert);
  // chassis and ports may be read only by the client certificate of ops-bot (the identity source);
  // the unpinned gateway lists ports under 39.0's port:list_all (port:list for a project's own)
  policyFile = certs.path('policy.json');
  writeFileSync(
    policyFile,
    JSON.stringify({
      'baremetal:chassis:get': 'tls_client_cn:ops-bot',
      'baremetal:port:list_all': "tls_client_subject:'CN=ops-bot, O=ironic-gateway tests'",
    }),
  );
});
after(() => certs.remove());

const client = (files: CertFiles) => ({ cert: readFileSync(files.cert), key: readFileSync(files.key) });
const V = { 'x-openstack-ironic-api-version': '1.38' };

/** The error a refused handshake gives the client, or `HTTP <status>`. */
async function attempt(url: string, files?: CertFiles): Promise<string> {
  try {
    const r = await httpsGet(url, { ca: caPem, headers: V, ...(files ? client(files) : {}) });
    return `HTTP ${r.status}`;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? String(err);
  }
}

describe('mutual TLS required at the handshake', () => {
  let gw: TlsGateway;
  before(async () => {
    gw = await startTlsGateway({
      tls_cert_file: server.cert,
      tls_key_file: server.key,
      tls_client_ca_file: ca.cert,
      policy_file: policyFile,
    });
  });
  after(() => gw.close());

  test('a client without a certificate, or with one of another CA, is refused at the handshake, public routes too', async () => {
    // In TLS 1.3 the client sends its request before it reads the server's verdict: it sees
    // the alert, or the connection reset right after it.
    for (const path of ['/healthz', '/v1', '/v1/nodes']) {
      assert.match(await attempt(`${gw.url}${path}`), /^(ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED|ECONNRESET)$/, path);
      assert.match(await attempt(`${gw.url}${path}`, stranger), /^(ERR_SSL_TLSV1_ALERT_UNKNOWN_CA|ECONNRESET)$/, path);
    }
    assert.equal(gw.logs.filter((l) => l.msg === 'request completed').length, 0, 'no request got through');
    const line = gw.logs.find((l) => l.msg.startsWith('serving HTTPS'));
    assert.equal(line?.client_certificates, 'required');
  });

  test('a client with a certificate of the CA is served; the policy sees its subject', async () => {
    assert.equal(await attempt(`${gw.url}/v1/nodes`, opsBot), 'HTTP 200');
    assert.equal(await attempt(`${gw.url}/v1/chassis`, opsBot), 'HTTP 200');
    assert.equal(await attempt(`${gw.url}/v1/chassis`, intruder), 'HTTP 403');
    assert.equal(await attempt(`${gw.url}/v1/ports`, opsBot), 'HTTP 200');
    assert.equal(await attempt(`${gw.url}/v1/ports`, intruder), 'HTTP 403');
  });
});

describe('mutual TLS with public routes open', () => {
  let gw: TlsGateway;
  before(async () => {
    gw = await startTlsGateway({
      tls_cert_file: server.cert,
      tls_key_file: server.key,
      tls_client_ca_file: ca.cert,
      tls_public_routes_open: true,
    });
  });
  after(() => gw.close());

  test('without a certificate: public routes answer, every other route is 403 in Ironic format', async () => {
    for (const path of ['/', '/v1', '/healthz', '/v1/lookup?addresses=52:54:00:00:00:01'])
      assert.notEqual(await attempt(`${gw.url}${path}`), 'HTTP 403', path);
    assert.equal(await attempt(`${gw.url}/healthz`), 'HTTP 200');
    for (const path of ['/v1/nodes', '/v1/chassis', '/v1/no-such-thing']) {
      assert.equal(await attempt(`${gw.url}${path}`), 'HTTP 403', path);
      assert.equal(await attempt(`${gw.url}${path}`, stranger), 'HTTP 403', `${path} with another CA's certificate`);
    }
    const r = await httpsGet(`${gw.url}/v1/nodes`, { ca: caPem, headers: V });
    assert.match(JSON.parse(JSON.parse(r.body).error_message).faultstring, /valid client certificate is required/);
    const refusal = gw.logs.find((l) => l.msg === 'client certificate required; refused');
    assert.ok(refusal, 'logged');
  });

  test('with a certificate of the CA: every route', async () => {
    assert.equal(await attempt(`${gw.url}/v1/nodes`, opsBot), 'HTTP 200');
    assert.equal(await attempt(`${gw.url}/v1/chassis`, intruder), 'HTTP 200');
  });
});
