/**
 * mapError on the faults of a gateway and a conductor of different releases: each answers 500
 * naming the pin setting, whether the conductor refuses the message version or an object version.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mapError } from '../../../src/http/errors.ts';
import { RemoteError } from '../../../src/rpc/errors.ts';

test('a conductor older than the gateway: 500 naming the pin setting, for message and object versions', () => {
  const objectVersion = mapError(
    new RemoteError(
      'IncompatibleObjectVersion',
      'Version 1.44 of Node is not supported, supported version is 1.37',
      { objname: 'Node', objver: '1.44', supported: '1.37' },
      'oslo_versionedobjects.exception',
    ),
  );
  assert.equal(objectVersion.status, 500);
  assert.match(objectVersion.message, /object version that the conductor does not know/);
  assert.match(objectVersion.message, /Version 1\.44 of Node is not supported/);
  assert.match(objectVersion.message, /IRONIC_GATEWAY_PIN_RELEASE_VERSION/);

  const message = mapError(
    new RemoteError(
      'UnsupportedVersion',
      'Endpoint does not support RPC version 1.62',
      {},
      'oslo_messaging.rpc.dispatcher',
    ),
  );
  assert.equal(message.status, 500);
  assert.match(message.message, /RPC message version that the conductor does not serve/);
  assert.match(message.message, /IRONIC_GATEWAY_PIN_RELEASE_VERSION/);

  // any other unknown conductor exception keeps its internals out of the answer
  const other = mapError(new RemoteError('OperationalError', 'secret db detail', {}, 'sqlalchemy.exc'));
  assert.equal(other.status, 500);
  assert.doesNotMatch(other.message, /secret db detail/);
});
