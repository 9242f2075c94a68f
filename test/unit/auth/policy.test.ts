import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../../src/config.ts';
import { API_RULES, DEFAULT_RULES, Policy, parseRule, checkAuthConfig } from '../../../src/http/auth/index.ts';
import type { Credentials } from '../../../src/http/auth/policy.ts';
import { rootRoutes } from '../../../src/http/routes/root.ts';
import { healthRoutes } from '../../../src/http/routes/health.ts';
import { metricsRoutes } from '../../../src/http/metrics.ts';
import { resourceRoutes } from '../../../src/http/routes/index.ts';
import { config, file } from './helpers.ts';

const who = (roles: string[], extra: Partial<Credentials> = {}): Credentials => ({
  user_id: 'u',
  project_id: 'p',
  system_scope: null,
  roles,
  is_admin: false,
  ...extra,
});

describe('policy rule table', () => {
  test('every route of the gateway is public (null) or names a known rule', () => {
    const routes = [...rootRoutes, ...healthRoutes(), ...metricsRoutes, ...resourceRoutes];
    for (const route of routes) {
      assert.ok(
        route.policy === null || route.policy in DEFAULT_RULES,
        `${String(route.method)} ${route.url}: unknown policy ${route.policy}`,
      );
    }
  });

  test('the Ironic 10.1.0 rule names are all there', () => {
    for (const name of [
      'baremetal:node:create',
      'baremetal:node:get',
      'baremetal:node:update',
      'baremetal:node:delete',
      'baremetal:node:validate',
      'baremetal:node:set_maintenance',
      'baremetal:node:clear_maintenance',
      'baremetal:node:get_boot_device',
      'baremetal:node:set_boot_device',
      'baremetal:node:inject_nmi',
      'baremetal:node:get_states',
      'baremetal:node:set_power_state',
      'baremetal:node:set_provision_state',
      'baremetal:node:set_raid_state',
      'baremetal:node:get_console',
      'baremetal:node:set_console_state',
      'baremetal:node:vif:list',
      'baremetal:node:vif:attach',
      'baremetal:node:vif:detach',
      'baremetal:node:traits:list',
      'baremetal:node:traits:set',
      'baremetal:node:traits:delete',
      'baremetal:port:get',
      'baremetal:port:create',
      'baremetal:port:delete',
      'baremetal:port:update',
      'baremetal:portgroup:get',
      'baremetal:portgroup:create',
      'baremetal:portgroup:delete',
      'baremetal:portgroup:update',
      'baremetal:chassis:get',
      'baremetal:chassis:create',
      'baremetal:chassis:delete',
      'baremetal:chassis:update',
      'baremetal:driver:get',
      'baremetal:driver:get_properties',
      'baremetal:driver:get_raid_logical_disk_properties',
      'baremetal:node:vendor_passthru',
      'baremetal:driver:vendor_passthru',
      'baremetal:node:ipa_heartbeat',
      'baremetal:driver:ipa_lookup',
      'baremetal:volume:get',
      'baremetal:volume:create',
      'baremetal:volume:delete',
      'baremetal:volume:update',
      'admin_api',
      'is_admin',
      'is_observer',
      'show_password',
    ])
      assert.ok(name in DEFAULT_RULES, name);
  });

  test('only the IPA rules are public by default', () => {
    const policy = new Policy();
    const pub = Object.keys(API_RULES)
      .filter((n) => policy.isPublic(n))
      .sort();
    assert.deepEqual(pub, [
      // issue 15, slice vmedia: the in-band inspection callback (39.0's default "")
      'baremetal:driver:ipa_continue_inspection',
      'baremetal:driver:ipa_lookup',
      'baremetal:node:ipa_heartbeat',
    ]);
  });

  test('is_admin in the context passes every non-public API rule; no role passes none but the public ones', () => {
    const policy = new Policy();
    for (const name of Object.keys(API_RULES)) {
      if (policy.isPublic(name)) continue;
      assert.equal(policy.enforce(name, who([], { is_admin: true })), true, name);
      assert.equal(policy.enforce(name, who([])), false, name);
    }
  });

  test('legacy roles: baremetal_admin acts as admin, baremetal_observer reads', () => {
    const policy = new Policy();
    assert.equal(policy.enforce('baremetal:node:create', who(['baremetal_admin'])), true);
    assert.equal(policy.enforce('baremetal:node:get', who(['baremetal_observer'])), true);
    assert.equal(policy.enforce('baremetal:node:set_power_state', who(['baremetal_observer'])), false);
  });

  test('secrets stay hidden by default', () => {
    assert.equal(new Policy().enforce('show_password', who(['admin'], { is_admin: true })), false);
  });
});

describe('rule expressions', () => {
  const policy = (rules: Record<string, string>) => new Policy(rules, 'test');
  const check = (expr: string, creds: Credentials) => policy({ t: expr }).enforce('t', creds);

  test('role, rule, and/or/not, parentheses, @, !, empty', () => {
    assert.equal(check('role:a or role:b', who(['b'])), true);
    assert.equal(check('role:a and role:b', who(['b'])), false);
    assert.equal(check('not role:a', who(['b'])), true);
    assert.equal(check('role:a or role:b and role:c', who(['a'])), true, 'and binds tighter than or');
    assert.equal(check('(role:a or role:b) and role:c', who(['a'])), false);
    assert.equal(check('not role:a and role:b', who(['b'])), true, 'not binds tightest');
    assert.equal(check('@', who([])), true);
    assert.equal(check('!', who(['admin'])), false);
    assert.equal(check('', who([])), true);
    assert.equal(check('rule:is_admin', who(['admin'])), true);
    assert.equal(check('ROLE:x', who(['x'])), false, 'check kinds are case-sensitive: ROLE is a generic key');
  });

  test("passesForAnyTarget: true only when the rule holds whatever the object's owner fields are", () => {
    const any = (expr: string, creds: Credentials) =>
      policy({ t: expr, sub: 'project_id:%(node.owner)s' }).passesForAnyTarget('t', creds);
    assert.equal(any('role:admin or project_id:%(node.owner)s', who(['admin'])), true, 'the role decides');
    assert.equal(any('role:admin or project_id:%(node.owner)s', who(['member'])), false, 'the owner decides');
    assert.equal(any('role:admin and project_id:%(node.owner)s', who(['admin'])), false, 'and with an unknown');
    assert.equal(any('role:reader and project_id:%(node.owner)s', who(['member'])), false);
    assert.equal(any('not project_id:%(node.lessee)s', who(['admin'])), false, 'not of an unknown is unknown');
    assert.equal(any('not (role:x and project_id:%(node.owner)s)', who(['admin'])), true, 'not of a known false');
    assert.equal(any('role:admin or rule:sub', who(['member'])), false, 'through a referenced rule');
    assert.equal(any('role:member and (rule:sub or role:member)', who(['member'])), true);
    assert.equal(any('user_id:%(user_id)s', who([])), true, "the caller's own values are known");
    assert.equal(any('project_id:%(allocation.owner)s or project_id:%(runbook.owner)s', who(['admin'])), false);
    assert.equal(any('!', who(['admin'])), false);
    assert.equal(new Policy({}, 'test').passesForAnyTarget('no-such-rule', who(['admin'])), false, 'unknown: denied');
  });

  test('generic checks against the credentials', () => {
    assert.equal(check('is_admin:True', who([], { is_admin: true })), true);
    assert.equal(check('is_admin:True', who([], { is_admin: false })), false);
    assert.equal(check('system_scope:all', who([], { system_scope: 'all' })), true);
    assert.equal(check('system_scope:all', who([])), false);
    assert.equal(check("user_id:'u'", who([])), true);
    assert.equal(check('project_id:p and role:member', who(['member'])), true);
    assert.equal(check('role:Admin', who(['admin'])), true, 'roles compare case-insensitively');
  });

  test('bad expressions are refused with a ConfigError naming the rule', () => {
    for (const bad of [
      'role:a or',
      '(role:a',
      'role:a)',
      'and role:a',
      'nonsense',
      'project_id:x%(node.owner)s',
      'rule:nope',
    ]) {
      assert.throws(
        () => policy({ t: bad }),
        (err: unknown) => err instanceof ConfigError && err.message.includes('"t"'),
        bad,
      );
    }
    assert.throws(() => policy({ a: 'rule:b', b: 'rule:a' }), /loop/);
  });

  test('parseRule keeps quoted values with spaces in one token', () => {
    assert.deepEqual(parseRule("user_id:'a b' or @"), {
      kind: 'or',
      checks: [{ kind: 'generic', key: 'user_id', value: 'a b' }, { kind: 'true' }],
    });
  });
});

describe('operator policy file', () => {
  test('overrides a rule and may add helper rules', () => {
    const path = file(
      'policy.json',
      JSON.stringify({
        ops: 'role:ops',
        'baremetal:node:create': 'rule:ops or rule:is_admin',
        'baremetal:node:get': '!',
      }),
    );
    checkAuthConfig(config({ policy_file: path }));
  });

  test('bad files stop start-up with one line', () => {
    const cases: Array<[string, RegExp]> = [
      [file('p-bad.json', '{nope'), /not valid JSON/],
      [file('p-array.json', '["role:admin"]'), /JSON object/],
      [file('p-num.json', '{"baremetal:node:get": 1}'), /must be a string/],
      [file('p-ref.json', '{"baremetal:node:get": "rule:missing"}'), /unknown rule "missing"/],
      ['/nonexistent/policy.json', /cannot read policy_file/],
    ];
    for (const [path, re] of cases) {
      assert.throws(
        () => checkAuthConfig(config({ policy_file: path })),
        (err: unknown) => err instanceof ConfigError && re.test(err.message) && !err.message.includes('\n'),
        path,
      );
    }
  });
});
