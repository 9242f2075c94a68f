/**
 * HTTPS on the gateway (src/http/tls.ts): the files are checked at start-up, the server speaks
 * TLS 1.2 or newer with forward-secret ciphers only, and the certificate is rotated without a
 * restart: under a steady request loop no request fails, a connection already open keeps its
 * certificate, and a bad replacement is refused while the old certificate keeps serving.
 * Certificates are made by openssl (test/support/certs.ts).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { connect } from 'node:tls';
import { ConfigError, loadConfig } from '../../../src/config.ts';
import { checkAuthConfig } from '../../../src/http/auth/index.ts';
import { readTlsMaterial } from '../../../src/http/tls.ts';
import { CertDir, type CertFiles, type TestCa } from '../../support/certs.ts';
import { httpsGet, startTlsGateway, type TlsGateway } from '../../support/tls-gateway.ts';
import { until } from '../../e2e/support/wait.ts';

const fingerprint = (files: CertFiles): string => new X509Certificate(readFileSync(files.cert)).fingerprint256;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let certs: CertDir;
let ca: TestCa;
let s1: CertFiles;
let s2: CertFiles;
let s3: CertFiles;

before(async () => {
  certs = new CertDir('tls-unit');
  ca = await certs.ca('ca');
  s1 = await certs.issue(ca, 's1', 'server', '127.0.0.1');
  s2 = await certs.issue(ca, 's2', 'server', '127.0.0.1');
  s3 = await certs.issue(ca, 's3', 'server', '127.0.0.1');
});
after(() => certs.remove());

/** Copies a pair to `dir` as tls.crt / tls.key (what the gateway is pointed at). */
function install(dir: string, pair: CertFiles): { tls_cert_file: string; tls_key_file: string } {
  mkdirSync(dir, { recursive: true });
  copyFileSync(pair.cert, `${dir}/tls.crt`);
  copyFileSync(pair.key, `${dir}/tls.key`);
  return { tls_cert_file: `${dir}/tls.crt`, tls_key_file: `${dir}/tls.key` };
}

describe('settings and files', () => {
  test('a cert without a key, a client CA without a cert, public routes open without a client CA: refused', () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ IRONIC_GATEWAY_TLS_CERT_FILE: '/x.pem' }, /TLS_CERT_FILE and IRONIC_GATEWAY_TLS_KEY_FILE go together/],
      [{ IRONIC_GATEWAY_TLS_KEY_FILE: '/x.key' }, /go together/],
      [{ IRONIC_GATEWAY_TLS_CLIENT_CA_FILE: '/ca.pem' }, /mutual TLS\) needs HTTPS/],
      [
        {
          IRONIC_GATEWAY_TLS_CERT_FILE: '/x.pem',
          IRONIC_GATEWAY_TLS_KEY_FILE: '/x.key',
          IRONIC_GATEWAY_TLS_PUBLIC_ROUTES_OPEN: 'true',
        },
        /applies to mutual TLS only/,
      ],
      [{ IRONIC_GATEWAY_TLS_PUBLIC_ROUTES_OPEN: 'maybe' }, /accepts true or false/],
    ];
    for (const [env, message] of cases) assert.throws(() => loadConfig({ env }), message, JSON.stringify(env));
  });

  test('a good pair is read and described; bad files are refused naming the setting', () => {
    const good = readTlsMaterial({ tls_cert_file: s1.cert, tls_key_file: s1.key, tls_public_routes_open: false });
    assert.equal(good.summary.subject, 'CN=127.0.0.1, O=ironic-gateway tests');
    assert.equal(good.summary.issuer, 'CN=ca, O=ironic-gateway tests');
    assert.equal(good.summary.fingerprint256, fingerprint(s1));
    const garbage = certs.path('garbage.pem');
    writeFileSync(garbage, 'not a certificate\n');
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ tls_cert_file: s1.cert, tls_key_file: s2.key }, /TLS_KEY_FILE .*s2\.key does not match the certificate/],
      [{ tls_cert_file: garbage, tls_key_file: s1.key }, /TLS_CERT_FILE .*garbage\.pem holds no PEM certificate/],
      [{ tls_cert_file: s1.cert, tls_key_file: garbage }, /TLS_KEY_FILE .*garbage\.pem is not an unencrypted PEM/],
      [{ tls_cert_file: certs.path('missing.pem'), tls_key_file: s1.key }, /cannot read .*TLS_CERT_FILE .*ENOENT/],
      [{ tls_cert_file: s1.cert, tls_key_file: s1.key, tls_client_ca_file: garbage }, /TLS_CLIENT_CA_FILE .*no PEM/],
    ];
    for (const [files, message] of cases)
      assert.throws(
        () => readTlsMaterial({ tls_public_routes_open: false, ...files }),
        (err: unknown) => err instanceof ConfigError && message.test(err.message),
        JSON.stringify(files),
      );
  });

  test('an expired certificate is refused', () => {
    const later = new Date(Date.now() + 5 * 86_400_000);
    assert.throws(
      () => readTlsMaterial({ tls_cert_file: s1.cert, tls_key_file: s1.key, tls_public_routes_open: false }, later),
      /the certificate expired on/,
    );
  });

  test('noauth off loopback is refused with TLS as without it, unless forced', () => {
    const tls = { tls_cert_file: s1.cert, tls_key_file: s1.key };
    for (const extra of [{}, tls, { ...tls, tls_client_ca_file: ca.cert }]) {
      const config = loadConfig({ env: {}, overrides: { host: '0.0.0.0', ...extra } });
      assert.throws(() => checkAuthConfig(config), /refusing auth_strategy noauth on non-loopback address/);
      checkAuthConfig({ ...config, noauth_allow_remote: true });
    }
  });
});

describe('serving HTTPS', () => {
  let gw: TlsGateway;
  before(async () => {
    gw = await startTlsGateway(install(certs.path('serve'), s1));
  });
  after(() => gw.close());

  test('answers over TLS with the configured certificate, links in https, and says so at start-up', async () => {
    const r = await httpsGet(`${gw.url}/v1`, { ca: readFileSync(ca.cert) });
    assert.equal(r.status, 200);
    assert.equal(r.fingerprint, fingerprint(s1));
    assert.match(JSON.parse(r.body).links[0].href, /^https:\/\/127\.0\.0\.1:\d+\/v1\/$/);
    const line = gw.logs.find((l) => l.msg.startsWith('serving HTTPS'));
    assert.ok(line, JSON.stringify(gw.logs));
    assert.equal(line.min_version, 'TLSv1.2');
    assert.equal(line.client_certificates, 'off');
    assert.equal((line.certificate as { fingerprint256: string }).fingerprint256, fingerprint(s1));
  });

  test('TLS 1.1 and a cipher without forward secrecy are refused by the server', async () => {
    const handshake = (options: Record<string, unknown>) =>
      new Promise<string>((resolve) => {
        const socket = connect({ host: '127.0.0.1', port: gw.port, ca: readFileSync(ca.cert), ...options }, () => {
          const version = socket.getProtocol() ?? '';
          socket.end();
          resolve(`ok ${version}`);
        });
        socket.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
      });
    assert.equal(await handshake({ maxVersion: 'TLSv1.2' }), 'ok TLSv1.2');
    assert.equal(await handshake({}), 'ok TLSv1.3');
    // the client allows the old protocol (security level 0), so only the server can refuse it
    assert.equal(
      await handshake({ minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' }),
      'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION',
    );
    assert.equal(
      await handshake({ maxVersion: 'TLSv1.2', ciphers: 'AES128-SHA:AES256-GCM-SHA384' }),
      'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE',
    );
  });

  test('plain HTTP on the HTTPS port gets no API answer', async () => {
    const r = await fetch(`http://127.0.0.1:${gw.port}/v1`).then(
      (res) => res.status,
      () => 'refused',
    );
    assert.notEqual(r, 200);
  });
});

describe('rotation without restart', () => {
  test('under a steady request loop: no request fails, new connections get the new certificate, an open one keeps the old', async (t) => {
    const dir = certs.path('rotate');
    const gw = await startTlsGateway(install(dir, s1));
    const caPem = readFileSync(ca.cert);
    const keepAlive = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const before = await httpsGet(`${gw.url}/v1`, { ca: caPem, agent: keepAlive });
      assert.equal(before.fingerprint, fingerprint(s1));

      let stop = false;
      const failures: string[] = [];
      const seen = new Map<string, number>();
      const loop = async () => {
        while (!stop) {
          try {
            const r = await httpsGet(`${gw.url}/v1/nodes`, { ca: caPem });
            if (r.status !== 200) failures.push(`HTTP ${r.status}: ${r.body}`);
            seen.set(r.fingerprint, (seen.get(r.fingerprint) ?? 0) + 1);
          } catch (err) {
            failures.push(String(err));
          }
        }
      };
      const loops = [loop(), loop()];
      await until(
        'a few requests with the first certificate',
        async () => ((seen.get(fingerprint(s1)) ?? 0) >= 10 ? true : undefined),
        60_000,
        50,
      );

      // As a renewal script does it: the certificate first, the key a moment later (the pair
      // on disk does not match in between), each file rewritten in place.
      writeFileSync(`${dir}/tls.crt`, readFileSync(s2.cert));
      await sleep(100);
      writeFileSync(`${dir}/tls.key`, readFileSync(s2.key));

      await until(
        'new connections to present the new certificate',
        async () => ((seen.get(fingerprint(s2)) ?? 0) >= 5 ? true : undefined),
        60_000,
        100,
      );
      stop = true;
      await Promise.all(loops);

      t.diagnostic(
        `requests: ${seen.get(fingerprint(s1)) ?? 0} with the old certificate, ${seen.get(fingerprint(s2))} with the new, ${failures.length} failed`,
      );
      assert.deepEqual(failures, []);
      assert.ok((seen.get(fingerprint(s1)) ?? 0) > 0, 'requests before the rotation');
      const reloaded = gw.logs.filter((l) => l.msg.startsWith('TLS certificate reloaded'));
      assert.ok(reloaded.length >= 1, JSON.stringify(gw.logs.filter((l) => l.component === 'tls')));

      // the connection opened before the rotation is still up, with the certificate it negotiated
      const still = await httpsGet(`${gw.url}/v1`, { ca: caPem, agent: keepAlive });
      assert.equal(still.status, 200);
      assert.equal(still.localPort, before.localPort);
      assert.equal(still.fingerprint, fingerprint(s1));
    } finally {
      keepAlive.destroy();
      await gw.close();
    }
  });

  test('a Kubernetes secret volume swap (..data symbolic link replaced) is picked up', async () => {
    // the layout the kubelet writes: tls.crt -> ..data/tls.crt, ..data -> ..v1
    const dir = certs.path('k8s');
    install(`${dir}/..v1`, s1);
    symlinkSync('..v1', `${dir}/..data`);
    symlinkSync('..data/tls.crt', `${dir}/tls.crt`);
    symlinkSync('..data/tls.key', `${dir}/tls.key`);
    const gw = await startTlsGateway({ tls_cert_file: `${dir}/tls.crt`, tls_key_file: `${dir}/tls.key` });
    const caPem = readFileSync(ca.cert);
    try {
      assert.equal((await httpsGet(`${gw.url}/v1`, { ca: caPem })).fingerprint, fingerprint(s1));
      install(`${dir}/..v2`, s3);
      symlinkSync('..v2', `${dir}/..data_tmp`);
      renameSync(`${dir}/..data_tmp`, `${dir}/..data`);
      await until(
        'the swapped certificate',
        async () =>
          (await httpsGet(`${gw.url}/v1`, { ca: caPem })).fingerprint === fingerprint(s3) ? true : undefined,
        60_000,
        200,
      );
    } finally {
      await gw.close();
    }
  });

  test('a bad new certificate is refused with an error log while the old one keeps serving', async () => {
    const dir = certs.path('bad');
    const gw = await startTlsGateway(install(dir, s1));
    const caPem = readFileSync(ca.cert);
    const errors = () => gw.logs.filter((l) => l.level >= 50 && l.component === 'tls');
    try {
      // a certificate whose key never comes
      writeFileSync(`${dir}/tls.crt`, readFileSync(s2.cert));
      await until('an error line', async () => (errors().length >= 1 ? true : undefined), 60_000, 100);
      assert.match(errors()[0]!.msg, /new TLS files refused; the previous certificate keeps serving: .*does not match/);
      let r = await httpsGet(`${gw.url}/v1`, { ca: caPem });
      assert.equal(r.status, 200);
      assert.equal(r.fingerprint, fingerprint(s1));

      // then a truncated file
      writeFileSync(`${dir}/tls.crt`, readFileSync(s2.cert).subarray(0, 100));
      await until('a second error line', async () => (errors().length >= 2 ? true : undefined), 60_000, 100);
      assert.match(errors()[1]!.msg, /holds no PEM certificate/);
      r = await httpsGet(`${gw.url}/v1`, { ca: caPem });
      assert.equal(r.fingerprint, fingerprint(s1));

      // a good pair again: served
      writeFileSync(`${dir}/tls.crt`, readFileSync(s2.cert));
      writeFileSync(`${dir}/tls.key`, readFileSync(s2.key));
      await until(
        'the good pair',
        async () =>
          (await httpsGet(`${gw.url}/v1`, { ca: caPem })).fingerprint === fingerprint(s2) ? true : undefined,
        60_000,
        200,
      );
    } finally {
      await gw.close();
    }
  });

  test('bad files at start-up stop it with one line naming the setting', async () => {
    await assert.rejects(
      startTlsGateway({ tls_cert_file: s1.cert, tls_key_file: s2.key }),
      (err: unknown) => err instanceof ConfigError && /IRONIC_GATEWAY_TLS_KEY_FILE .* does not match/.test(err.message),
    );
  });
});
