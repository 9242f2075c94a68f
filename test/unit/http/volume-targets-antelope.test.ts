/**
 * Volume targets as Debian's 21.4.4 shows them: properties to callers passing
 * baremetal:volume:view_target_properties (admins), passwords masked; a redaction notice for
 * others (a JWT caller with the member role here). Pinned to Queens, shown as before.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import jwt from 'jsonwebtoken';
import { resourceRoutes } from '../../../src/http/routes/index.ts';
import { testGateway, type TestGateway } from '../../support/app.ts';
import { call } from './nodes-helpers.ts';

const SECRET = 'a-test-secret-that-is-long-enough-0123456789';
const token = (roles: string[]) =>
  jwt.sign({ sub: 'u', project_id: 'p', roles, exp: Math.floor(Date.now() / 1000) + 300 }, SECRET, {
    algorithm: 'HS256',
  });

let g: TestGateway;
before(async () => {
  g = await testGateway({
    routes: resourceRoutes,
    config: { pin_release_version: '21.4', auth_strategy: 'jwt', jwt_algorithm: 'HS256', jwt_secret: SECRET },
  });
});
after(() => g.close());

test('target properties: masked for an admin, redacted for a member', async () => {
  const admin = { authorization: `Bearer ${token(['admin'])}` };
  // Keystone's implied roles: a member is a reader too (21.4's project rules ask for reader)
  const member = { authorization: `Bearer ${token(['member', 'reader'])}` };
  const r = await call(g.app, '/v1/nodes', {
    method: 'POST',
    version: '1.38',
    headers: admin,
    body: { driver: 'fake-hardware' },
  });
  assert.equal(r.statusCode, 201, r.body);
  const n = r.json();
  const t = await call(g.app, '/v1/volume/targets', {
    method: 'POST',
    version: '1.82',
    headers: admin,
    body: {
      node_uuid: n.uuid,
      volume_type: 'iscsi',
      volume_id: 'v1',
      boot_index: 0,
      properties: { auth_password: 's', target_iqn: 'iqn.x' },
    },
  });
  assert.equal(t.statusCode, 201, t.body);
  assert.deepEqual(t.json().properties, { auth_password: '******', target_iqn: 'iqn.x' });
  const asMember = await call(g.app, `/v1/volume/targets/${t.json().uuid}`, { version: '1.82', headers: member });
  assert.equal(asMember.statusCode, 200, asMember.body);
  assert.deepEqual(asMember.json().properties, {
    redacted_contents:
      '** Value redacted: Requires permission baremetal:volume:view_target_properties access. Permission denied. **',
  });
  const list = await call(g.app, '/v1/volume/targets?detail=true', { version: '1.82', headers: member });
  assert.ok(
    list.json().targets.every((x: { properties: Record<string, unknown> }) => 'redacted_contents' in x.properties),
  );
});

test('?project on volume lists is accepted and ignored, as 21.4 does', async () => {
  const admin = { authorization: `Bearer ${token(['admin'])}` };
  for (const kind of ['targets', 'connectors']) {
    const r = await call(g.app, `/v1/volume/${kind}?project=someone-else`, { version: '1.82', headers: admin });
    assert.equal(r.statusCode, 200, r.body);
  }
});
