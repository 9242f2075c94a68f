/**
 * Runbooks (1.92/1.112) and inspection rules (1.96) through the gateway against the REAL
 * ironic-conductor of test/support/stack.sh: on 39.0, the objects' wire shapes (Runbook 1.2 with
 * its traits as a list of strings, RunbookTrait(List), InspectionRule 1.1), one runbook read with
 * Runbook.list(uuid_in|name_in) (Runbook.get_by_* fail on 39.0, R16), and DELETE refused with
 * 501 because the conductor's destroy() takes no context (R17). Against an older stack the gateway
 * is pinned below 1.92 and the routes are refused as ironic-api refuses them there.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/config.ts';
import { createGateway, type Gateway } from '../../src/gateway.ts';
import { resourceRoutes } from '../../src/http/routes/index.ts';
import { stack } from '../support/stack-env.ts';
import { call, fault } from '../unit/http/nodes-helpers.ts';

const tag = randomUUID().slice(0, 8);
const V = '1.112';

describe('runbooks and inspection rules against the real ironic-conductor', () => {
  let gateway: Gateway;
  let app: FastifyInstance;

  before(async () => {
    const config = loadConfig({
      env: {},
      overrides: { log_level: 'silent', rpc_response_timeout: 30, ...stack.gatewaySettings() },
    });
    gateway = await createGateway(config, { routes: resourceRoutes });
    app = gateway.app;
    await app.ready();
  });
  after(async () => {
    await gateway?.close();
  });

  it('runbooks: create, read by name and uuid, list, patch, traits; delete refused with 501', async (t) => {
    if (stack.pin() !== undefined) {
      const r = await call(app, '/v1/runbooks', { version: '1.82' });
      assert.equal(r.statusCode, 404, r.body);
      t.skip(`pinned to ${stack.pin()}: no runbooks below 1.92`);
      return;
    }
    const name = `e2e-rb-${tag}`;
    const steps = [{ interface: 'deploy', step: 'erase_devices', args: { password: 'x' }, order: 1 }];
    let r = await call(app, '/v1/runbooks', { method: 'POST', version: V, body: { name, steps, description: 'd' } });
    assert.equal(r.statusCode, 201, r.body);
    const rb = r.json();
    assert.deepEqual(rb.traits, []);
    assert.equal(rb.description, 'd');
    assert.deepEqual(rb.steps, [
      { interface: 'deploy', step: 'erase_devices', args: { password: '******' }, order: 1 },
    ]);
    for (const ident of [name, rb.uuid]) {
      r = await call(app, `/v1/runbooks/${ident}`, { version: V });
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(r.json().uuid, rb.uuid);
    }
    r = await call(app, `/v1/runbooks?limit=1000`, { version: V });
    assert.ok(
      r.json().runbooks.some((x: { uuid: string }) => x.uuid === rb.uuid),
      r.body,
    );
    r = await call(app, `/v1/runbooks/${name}`, {
      method: 'PATCH',
      version: V,
      body: [{ op: 'add', path: '/extra/k', value: 'v' }],
    });
    assert.equal(r.statusCode, 200, r.body);
    assert.deepEqual(r.json().extra, { k: 'v' });
    const traits = `/v1/runbooks/${name}/traits`;
    r = await call(app, traits, { method: 'PUT', version: V, body: { traits: ['CUSTOM_A', 'CUSTOM_B'] } });
    assert.equal(r.statusCode, 204, r.body);
    r = await call(app, `${traits}/CUSTOM_C`, { method: 'PUT', version: V });
    assert.equal(r.statusCode, 204, r.body);
    r = await call(app, `${traits}/CUSTOM_A`, { method: 'DELETE', version: V });
    assert.equal(r.statusCode, 204, r.body);
    r = await call(app, `${traits}/CUSTOM_NONE`, { method: 'DELETE', version: V });
    assert.equal(r.statusCode, 204, r.body);
    r = await call(app, traits, { version: V });
    assert.deepEqual(r.json().traits.sort(), ['CUSTOM_B', 'CUSTOM_C'], r.body);
    r = await call(app, traits, { method: 'DELETE', version: V });
    assert.equal(r.statusCode, 204, r.body);
    assert.deepEqual((await call(app, traits, { version: V })).json(), { traits: [] });
    r = await call(app, `/v1/runbooks/${name}`, { method: 'DELETE', version: V });
    assert.equal(r.statusCode, 501, r.body);
    assert.match(fault(r), /Runbook\.destroy\(\)/);
  });

  it('inspection rules: create, get, list, patch; delete refused with 501', async (t) => {
    if (stack.pin() !== undefined) {
      t.skip(`pinned to ${stack.pin()}: no inspection rules below 1.96`);
      return;
    }
    const body = {
      description: `e2e-${tag}`,
      conditions: [{ op: 'eq', args: { values: [1, 1] } }],
      actions: [{ op: 'log', args: { msg: 'hi' } }],
    };
    let r = await call(app, '/v1/inspection_rules', { method: 'POST', version: V, body });
    assert.equal(r.statusCode, 201, r.body);
    const rule = r.json();
    assert.equal(rule.phase, 'main');
    r = await call(app, `/v1/inspection_rules/${rule.uuid}`, { version: V });
    assert.equal(r.statusCode, 200, r.body);
    assert.deepEqual(r.json().actions, body.actions);
    r = await call(app, `/v1/inspection_rules?limit=1000`, { version: V });
    assert.ok(
      r.json().inspection_rules.some((x: { uuid: string }) => x.uuid === rule.uuid),
      r.body,
    );
    r = await call(app, `/v1/inspection_rules/${rule.uuid}`, {
      method: 'PATCH',
      version: V,
      body: [{ op: 'replace', path: '/priority', value: 5 }],
    });
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.json().priority, 5);
    r = await call(app, `/v1/inspection_rules/${rule.uuid}`, { method: 'DELETE', version: V });
    assert.equal(r.statusCode, 501, r.body);
  });
});
