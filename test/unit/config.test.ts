import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ConfigError, SETTINGS, envName, loadConfig, parseFlags, settingsTable } from '../../src/config.ts';

test('defaults are the embedded gateway on loopback', () => {
  const c = loadConfig({ env: {} });
  assert.equal(c.host, '127.0.0.1');
  assert.equal(c.port, 6385);
  assert.equal(c.transport_url, 'memory://');
  assert.equal(c.auth_strategy, 'noauth');
  assert.equal(c.rpc_response_timeout, 60);
});

test('environment, then flags, override defaults, with types coerced', () => {
  const { values } = parseFlags(['--port', '7000', '--rpc-response-timeout=2.5', '--noauth-allow-remote']);
  const c = loadConfig({ env: { IRONIC_GATEWAY_PORT: '6000', IRONIC_GATEWAY_LOG_LEVEL: 'debug' }, flags: values });
  assert.equal(c.port, 7000);
  assert.equal(c.log_level, 'debug');
  assert.equal(c.rpc_response_timeout, 2.5);
  assert.equal(c.noauth_allow_remote, true);
});

test('a bad value is one clear line naming the setting and what it accepts', () => {
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ IRONIC_GATEWAY_PORT: 'abc' }, /IRONIC_GATEWAY_PORT \(--port.*accepts an integer from 0 to 65535/],
    [{ IRONIC_GATEWAY_PORT: '70000' }, /IRONIC_GATEWAY_PORT/],
    [{ IRONIC_GATEWAY_AUTH_STRATEGY: 'kerberos' }, /accepts noauth, jwt, http_basic or keystone/],
    [{ IRONIC_GATEWAY_TRANSPORT_URL: 'http://x' }, /accepts memory:\/\/ or rabbit:\/\//],
    [{ IRONIC_GATEWAY_NOAUTH_ALLOW_REMOTE: 'maybe' }, /accepts true or false/],
  ];
  for (const [env, re] of cases) {
    assert.throws(
      () => loadConfig({ env }),
      (e: unknown) => e instanceof ConfigError && re.test(e.message) && !e.message.includes('\n'),
    );
  }
  assert.throws(() => parseFlags(['--no-such-flag', '1']), ConfigError);
  assert.throws(() => parseFlags(['--port']), /needs a value/);
});

test('the README lists every setting', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  for (const s of SETTINGS) assert.ok(readme.includes(`\`${envName(s.key)}\``), `README lacks ${envName(s.key)}`);
  assert.ok(
    readme.includes(settingsTable()),
    'README settings table is stale: paste `npx tsx src/tools/settings-table.ts`',
  );
});
