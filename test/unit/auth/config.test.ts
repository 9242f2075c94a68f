import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../../src/config.ts';
import { authPlugins, checkAuthConfig } from '../../../src/http/auth/index.ts';
import { config, ec, file, harness, rsa, SECRET } from './helpers.ts';

const refuses = (overrides: Parameters<typeof config>[0], re: RegExp) =>
  assert.throws(
    () => checkAuthConfig(config(overrides)),
    (e: unknown) => e instanceof ConfigError && re.test(e.message) && !e.message.includes('\n'),
    JSON.stringify(overrides),
  );

describe('noauth', () => {
  test('refused on 0.0.0.0 without the force flag, also by authPlugins', () => {
    refuses(
      { auth_strategy: 'noauth', host: '0.0.0.0' },
      /refusing auth_strategy noauth on non-loopback address 0\.0\.0\.0/,
    );
    refuses({ auth_strategy: 'noauth', host: '10.0.0.5' }, /non-loopback/);
    assert.throws(() => authPlugins(config({ auth_strategy: 'noauth', host: '0.0.0.0' })), ConfigError);
  });

  test('allowed on 0.0.0.0 with noauth_allow_remote, and on loopback', () => {
    checkAuthConfig(config({ auth_strategy: 'noauth', host: '0.0.0.0', noauth_allow_remote: true }));
    checkAuthConfig(config({ auth_strategy: 'noauth', host: '127.0.0.1' }));
    checkAuthConfig(config({ auth_strategy: 'noauth', host: '::1' }));
  });

  test('every caller is admin', async () => {
    const h = await harness(config({ auth_strategy: 'noauth' }));
    try {
      const res = await h.app.inject({ method: 'DELETE', url: '/v1/chassis/c1' });
      assert.equal(res.statusCode, 200);
      assert.equal(res.json().ctx.is_admin, true);
      assert.equal(
        (await h.app.inject({ url: '/v1/forgotten' })).statusCode,
        403,
        'a route without policy is still denied',
      );
    } finally {
      await h.app.close();
    }
  });
});

describe('jwt configuration errors', () => {
  test('each bad combination is one clear ConfigError line', () => {
    refuses({ auth_strategy: 'jwt' }, /needs IRONIC_GATEWAY_JWT_ALGORITHM/);
    refuses({ auth_strategy: 'jwt', jwt_algorithm: 'RS256' }, /RS256 needs IRONIC_GATEWAY_JWT_PUBLIC_KEY_FILE/);
    refuses(
      { auth_strategy: 'jwt', jwt_algorithm: 'RS256', jwt_public_key_file: '/nonexistent.pem' },
      /cannot read IRONIC_GATEWAY_JWT_PUBLIC_KEY_FILE/,
    );
    refuses(
      { auth_strategy: 'jwt', jwt_algorithm: 'RS256', jwt_public_key_file: file('junk.pem', 'hello') },
      /is not a PEM public key/,
    );
    refuses(
      { auth_strategy: 'jwt', jwt_algorithm: 'RS256', jwt_public_key_file: ec.publicFile },
      /is a ec key; RS256 needs an RSA key/,
    );
    refuses(
      { auth_strategy: 'jwt', jwt_algorithm: 'ES256', jwt_public_key_file: rsa.publicFile },
      /ES256 needs an EC prime256v1 key/,
    );
    refuses(
      { auth_strategy: 'jwt', jwt_algorithm: 'ES384', jwt_public_key_file: ec.publicFile },
      /ES384 needs an EC secp384r1 key/,
    );
    const priv = file('private.pem', rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    refuses({ auth_strategy: 'jwt', jwt_algorithm: 'RS256', jwt_public_key_file: priv }, /holds a private key/);
    refuses(
      { auth_strategy: 'jwt', jwt_algorithm: 'RS256', jwt_public_key_file: rsa.publicFile, jwt_secret: SECRET },
      /unset IRONIC_GATEWAY_JWT_SECRET/,
    );
    refuses({ auth_strategy: 'jwt', jwt_algorithm: 'HS256' }, /HS256 needs IRONIC_GATEWAY_JWT_SECRET/);
    refuses({ auth_strategy: 'jwt', jwt_algorithm: 'HS256', jwt_secret: 'short' }, /at least 32 bytes/);
    refuses(
      { auth_strategy: 'jwt', jwt_algorithm: 'HS256', jwt_secret: SECRET, jwt_public_key_file: rsa.publicFile },
      /unset IRONIC_GATEWAY_JWT_PUBLIC_KEY_FILE/,
    );
  });

  test('good combinations pass', () => {
    checkAuthConfig(config({ auth_strategy: 'jwt', jwt_algorithm: 'RS256', jwt_public_key_file: rsa.publicFile }));
    checkAuthConfig(config({ auth_strategy: 'jwt', jwt_algorithm: 'PS256', jwt_public_key_file: rsa.publicFile }));
    checkAuthConfig(config({ auth_strategy: 'jwt', jwt_algorithm: 'ES256', jwt_public_key_file: ec.publicFile }));
    checkAuthConfig(config({ auth_strategy: 'jwt', jwt_algorithm: 'HS256', jwt_secret: SECRET }));
  });
});
