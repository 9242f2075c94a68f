/**
 * Ironic's policy rules and a small oslo.policy-like engine.
 *
 * Rule names are those of Ironic 10.1.0 (`ironic/common/policy.py`), plus the `:list` rules of
 * newer Ironic. The defaults follow the secure-RBAC split of newer Ironic, without its
 * owner/lessee checks (the gateway decides before it has loaded any node): readers read,
 * members act on nodes, admins also create, update and delete. Ironic 10.1.0's legacy
 * `admin_api` / `is_admin` / `is_observer` rules are kept, so a Queens-era policy file that
 * refers to them still loads.
 *
 * Rule syntax (a subset of oslo.policy's): `@` (always), `!` (never), `""` (always),
 * `rule:NAME`, `role:NAME` (case-insensitive), `KEY:VALUE` against the credentials
 * (`is_admin:True`, `system_scope:all`, `user_id:alice`, `project_id:p1` …; `True`/`False`
 * compare as booleans, `'quoted'` as strings), combined with `not`, `and`, `or` and
 * parentheses (`not` binds tighter than `and`, `and` tighter than `or`). A value may be a target
 * substitution, `project_id:%(node.owner)s`, as oslo.policy's: the target is the caller's
 * credentials plus the object's `node.owner`, `node.lessee` or `allocation.owner`; a key the
 * target lacks fails the check, and values compare as Python's `str()` (None is `None`).
 *
 * These role-only defaults are what a gateway pinned below 21.4 applies; index.ts's loadPolicy
 * gives pins from 21.4 Ironic 21.4's rules (policy-21.ts) and the unpinned gateway (and a 39.0
 * pin) Ironic 39.0's (policy-39.ts), both owner/lessee aware (`targetAware`, enforce.ts).
 *
 * Ironic 21.4's and 39.0's rules carry scope types and deprecated (legacy) check strings:
 * without `enforce_new_defaults` each rule is its new check OR its legacy one, and with
 * `enforce_scope` a token whose scope the rule does not list raises InvalidScope (500 in
 * ironic-api), as oslo.policy does.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../../config.ts';

/** What a rule is evaluated against: the caller, as the request context knows it. */
export interface Credentials {
  user_id: string | null;
  project_id: string | null;
  system_scope: string | null;
  roles: readonly string[];
  is_admin: boolean;
  /** true while deciding whether a route can be served without authentication */
  is_public_api?: boolean;
  /** the verified client certificate's common name and subject, with mutual TLS (client-cert.ts) */
  tls_client_cn?: string | null;
  tls_client_subject?: string | null;
  [key: string]: unknown;
}

export interface RuleDefault {
  check: string;
  description: string;
  /** oslo.policy's scope_types (checked with enforce_scope); absent: any scope */
  scope?: readonly ('system' | 'project' | 'domain')[];
  /** the deprecated (legacy) check string, OR'd in unless enforce_new_defaults */
  deprecated?: string;
}

const READER = 'rule:api_reader';
const MEMBER = 'rule:api_member';
const ADMIN = 'rule:is_admin';
const PUBLIC = 'rule:public_api';

const r = (check: string, description: string): RuleDefault => ({ check, description });

/** Base rules the API rules are written in; operators usually override these. */
export const BASE_RULES = {
  admin_api: r('role:admin or role:administrator', 'Legacy rule for cloud admin access (Ironic 10.1.0)'),
  is_admin: r('is_admin:True or rule:admin_api or role:baremetal_admin', 'Full read/write API access'),
  is_observer: r('role:observer or role:baremetal_observer', 'Legacy read-only roles (Ironic 10.1.0)'),
  api_member: r(
    'rule:is_admin or role:member or role:manager or role:service',
    'May act on nodes (power, provision, boot device, VIFs, traits …)',
  ),
  api_reader: r('rule:api_member or role:reader or rule:is_observer', 'Read-only API access'),
  public_api: r('is_public_api:True', 'Routes served without authentication (IPA lookup and heartbeat)'),
  show_password: r('!', 'Show secrets within node driver_info in API responses'),
  show_instance_secrets: r('!', 'Show secrets within node instance_info in API responses'),
} as const satisfies Record<string, RuleDefault>;

/** The name of a base rule (admin_api, show_password …). */
export type BaseRule = keyof typeof BASE_RULES;

/** The rule every route names in `config.policy`, with its default. */
export const API_RULES = {
  'baremetal:node:create': r(ADMIN, 'Create Node records'),
  'baremetal:node:get': r(READER, 'Retrieve Node records'),
  'baremetal:node:list': r('rule:baremetal:node:get', 'List Node records'),
  'baremetal:node:update': r(ADMIN, 'Update Node records'),
  'baremetal:node:delete': r(ADMIN, 'Delete Node records'),
  'baremetal:node:validate': r(MEMBER, 'Request active validation of Nodes'),
  'baremetal:node:set_maintenance': r(MEMBER, 'Set maintenance flag, taking a Node out of service'),
  'baremetal:node:clear_maintenance': r(MEMBER, 'Clear maintenance flag, placing the Node into service again'),
  'baremetal:node:get_boot_device': r(READER, 'Retrieve Node boot device metadata'),
  'baremetal:node:set_boot_device': r(MEMBER, 'Change Node boot device'),
  'baremetal:node:inject_nmi': r(MEMBER, 'Inject NMI for a node'),
  'baremetal:node:get_states': r(READER, 'View Node power and provision state'),
  'baremetal:node:set_power_state': r(MEMBER, 'Change Node power status'),
  'baremetal:node:set_provision_state': r(MEMBER, 'Change Node provision status'),
  'baremetal:node:set_raid_state': r(MEMBER, 'Change Node RAID status'),
  'baremetal:node:get_console': r(MEMBER, 'Get Node console connection information'),
  'baremetal:node:set_console_state': r(MEMBER, 'Change Node console status'),
  'baremetal:node:vif:list': r(READER, 'List VIFs attached to node'),
  'baremetal:node:vif:attach': r(MEMBER, 'Attach a VIF to a node'),
  'baremetal:node:vif:detach': r(MEMBER, 'Detach a VIF from a node'),
  'baremetal:node:traits:list': r(READER, 'List node traits'),
  'baremetal:node:traits:set': r(MEMBER, 'Add a trait to, or replace all traits of, a node'),
  'baremetal:node:traits:delete': r(MEMBER, 'Remove one or all traits from a node'),
  'baremetal:node:vendor_passthru': r(MEMBER, 'Access vendor-specific Node functions'),
  // node sub-resources (issue 14; 21.4's defaults are reader rules, owner-scoped for history and inventory)
  'baremetal:node:bios:get': r(READER, 'Retrieve Node BIOS information'),
  'baremetal:node:history:get': r(READER, 'Retrieve history records for a node'),
  'baremetal:node:inventory:get': r(READER, 'Retrieve introspection data for a node'),
  'baremetal:port:get': r(READER, 'Retrieve Port records'),
  'baremetal:port:list': r('rule:baremetal:port:get', 'List Port records'),
  'baremetal:port:create': r(ADMIN, 'Create Port records'),
  'baremetal:port:update': r(ADMIN, 'Update Port records'),
  'baremetal:port:delete': r(ADMIN, 'Delete Port records'),
  'baremetal:portgroup:get': r(READER, 'Retrieve Portgroup records'),
  'baremetal:portgroup:list': r('rule:baremetal:portgroup:get', 'List Portgroup records'),
  'baremetal:portgroup:create': r(ADMIN, 'Create Portgroup records'),
  'baremetal:portgroup:update': r(ADMIN, 'Update Portgroup records'),
  'baremetal:portgroup:delete': r(ADMIN, 'Delete Portgroup records'),
  'baremetal:chassis:get': r(READER, 'Retrieve Chassis records'),
  'baremetal:chassis:create': r(ADMIN, 'Create Chassis records'),
  'baremetal:chassis:update': r(ADMIN, 'Update Chassis records'),
  'baremetal:chassis:delete': r(ADMIN, 'Delete Chassis records'),
  'baremetal:driver:get': r(READER, 'View list of available drivers'),
  'baremetal:driver:get_properties': r(READER, 'View driver-specific properties'),
  'baremetal:driver:get_raid_logical_disk_properties': r(READER, 'View driver-specific RAID metadata'),
  'baremetal:driver:vendor_passthru': r(ADMIN, 'Access vendor-specific Driver functions'),
  'baremetal:volume:get': r(READER, 'Retrieve Volume connector and target records'),
  'baremetal:volume:list': r('rule:baremetal:volume:get', 'List Volume connector and target records'),
  'baremetal:volume:create': r(ADMIN, 'Create Volume connector and target records'),
  'baremetal:volume:update': r(ADMIN, 'Update Volume connector and target records'),
  'baremetal:volume:delete': r(ADMIN, 'Delete Volume connector and target records'),
  // allocations (1.52): the gateway's split of Ironic 21.4's rules. Who may see or change an
  // allocation of another project is decided with list_all (a project-scoped caller without it
  // sees its own project's allocations only, as ALLOCATION_OWNER_READER/MEMBER do in 21.4).
  'baremetal:allocation:get': r(READER, 'Retrieve Allocation records'),
  'baremetal:allocation:list': r('rule:baremetal:allocation:get', 'List Allocation records'),
  'baremetal:allocation:list_all': r(
    'rule:is_admin or (rule:baremetal:allocation:get and system_scope:all)',
    'List Allocation records of every project',
  ),
  'baremetal:allocation:create': r(MEMBER, 'Create Allocation records'),
  'baremetal:allocation:create_restricted': r(
    'rule:baremetal:allocation:create',
    'Create Allocation records for any project, on any candidate node',
  ),
  'baremetal:allocation:create_pre_rbac': r(
    'rule:is_admin',
    'Create Allocation records without an owner (else the caller project owns the allocation)',
  ),
  'baremetal:allocation:update': r(MEMBER, 'Change name and extra fields of an allocation'),
  'baremetal:allocation:delete': r(MEMBER, 'Delete Allocation records'),
  'baremetal:node:ipa_heartbeat': r(PUBLIC, 'Send heartbeats from IPA ramdisk'),
  // issue 14, provisioning (21.4's rules; owner/lessee targets are issue 16's)
  'baremetal:node:set_boot_mode': r(MEMBER, 'Change Node boot mode'),
  'baremetal:node:set_secure_boot': r(MEMBER, 'Change Node secure boot state'),
  'baremetal:node:get_indicator_state': r(READER, 'Retrieve Node indicators and their states'),
  'baremetal:node:set_indicator_state': r(MEMBER, 'Change Node indicator state'),
  'baremetal:driver:ipa_lookup': r(PUBLIC, 'Access IPA ramdisk functions'),
  // issue 14, the resources slice (21.4's policy.py; legacy defaults: readers read, admins write)
  'baremetal:conductor:get': r(READER, 'Retrieve Conductor records'),
  'baremetal:events:post': r(ADMIN, 'Post events'),
  'baremetal:deploy_template:get': r(READER, 'Retrieve Deploy Template records'),
  'baremetal:deploy_template:create': r(ADMIN, 'Create Deploy Template records'),
  'baremetal:deploy_template:update': r(ADMIN, 'Update Deploy Template records'),
  'baremetal:deploy_template:delete': r(ADMIN, 'Delete Deploy Template records'),
  'baremetal:shards:get': r(READER, 'Get Shard records'),
  'baremetal:volume:view_target_properties': r(ADMIN, 'Ability to view volume target properties'),
  // issue 15, slice nodes (39.0's policy.py: SYSTEM_MEMBER and SYSTEM_ADMIN, as the legacy
  // defaults above spell them); PATCH /parent_node and /disable_power_off check these instead of
  // baremetal:node:update in 39.0 — enforced per path once issue 16's evaluation lands
  'baremetal:node:update:parent_node': r(MEMBER, 'Update Node parent_node field'),
  'baremetal:node:update:disable_power_off': r(ADMIN, 'Update Node disable_power_off field'),
  // issue 15, slice provision (39.0's policy.py: member of the owner, admin or manager of the
  // lessee, service; owner/lessee targets are issue 16's)
  'baremetal:node:set_provision_state:clean_steps': r(MEMBER, 'Allow execution of arbitrary steps on a node'),
  'baremetal:node:set_provision_state:service_steps': r(MEMBER, 'Allow execution of arbitrary steps on a node'),
  // issue 15, slice vmedia (39.0's policy.py: firmware and vmedia reads are reader rules, vmedia
  // attach/detach member rules, the inspection callback open to anybody like lookup and heartbeat)
  'baremetal:node:firmware:get': r(READER, 'Retrieve Node Firmware components information'),
  'baremetal:node:vmedia:attach': r(MEMBER, 'Attach a virtual media device to a node'),
  'baremetal:node:vmedia:detach': r(MEMBER, 'Detach a virtual media device from a node'),
  'baremetal:node:vmedia:get': r(READER, 'Get virtual media device details from a node'),
  'baremetal:driver:ipa_continue_inspection': r(PUBLIC, 'Receive inspection data from the ramdisk'),
  // issue 15, slice runbooks: 39.0's runbook and inspection rule rules (policy.py L1931–2046), in this
  // engine's terms: SYSTEM_READER / SYSTEM_MEMBER / SYSTEM_ADMIN as readers / members / admins, and
  // the `project_id:%(runbook.owner)s` half of 39.0's check strings decided by the routes
  // (api-utils/runbook.ts: a caller without runbook:list_all acts on its own project's runbooks only)
  'baremetal:runbook:get': r(READER, 'Retrieve a single runbook record'),
  'baremetal:runbook:list': r(READER, 'Retrieve multiple runbook records, filtered by an allowed project'),
  'baremetal:runbook:list_all': r(
    'rule:is_admin or (rule:baremetal:runbook:get and system_scope:all)',
    'Retrieve all runbook records',
  ),
  'baremetal:runbook:create': r(MEMBER, 'Create a runbook record'),
  'baremetal:runbook:delete': r(MEMBER, 'Delete a runbook record'),
  'baremetal:runbook:update': r(MEMBER, 'Update a runbook record'),
  'baremetal:runbook:update:public': r(ADMIN, 'Set and unset a runbook as public'),
  'baremetal:runbook:update:owner': r(ADMIN, 'Set and unset the owner of a runbook'),
  'baremetal:runbook:use': r(MEMBER, 'Allowed to use a runbook for node operations'),
  'baremetal:inspection_rule:get': r(READER, 'Get inspection rule(s)'),
  'baremetal:inspection_rule:list_all': r(READER, 'Retrieve all inspection_rule records'),
  'baremetal:inspection_rule:create': r(ADMIN, 'Create inspection rule'),
  'baremetal:inspection_rule:update': r(ADMIN, 'Update an inspection rule'),
  'baremetal:inspection_rule:delete': r(ADMIN, 'Delete an inspection rule'),
} as const satisfies Record<string, RuleDefault>;

/** The name of an API policy rule (a type: a route naming a rule that does not exist does not compile). */
export type PolicyRule = keyof typeof API_RULES;

/** True when the rule's default lets anybody in (the ramdisk's lookup and heartbeat). */
export function publicByDefault(rule: PolicyRule): boolean {
  // a name from outside the table (a route that forgot its rule) is not public
  return Object.hasOwn(API_RULES, rule) && API_RULES[rule].check === PUBLIC;
}

/** Every default rule, base and API, by name. */
export const DEFAULT_RULES: Readonly<Record<string, RuleDefault>> = { ...BASE_RULES, ...API_RULES };

// ---------------------------------------------------------------------------------------------
// Parsing

export type Check =
  | { kind: 'true' }
  | { kind: 'false' }
  | { kind: 'rule'; name: string }
  | { kind: 'role'; role: string }
  | { kind: 'generic'; key: string; value: string | boolean }
  /** `key:%(target_key)s`: compared with the target's value (the target is creds + object fields) */
  | { kind: 'target'; key: string; target: string }
  | { kind: 'not'; check: Check }
  | { kind: 'and'; checks: Check[] }
  | { kind: 'or'; checks: Check[] };

export class PolicyParseError extends Error {
  override name = 'PolicyParseError';
}

function tokenize(text: string): string[] {
  // Parentheses are tokens of their own; everything else splits on white space, keeping a
  // quoted value ('a b') in one token.
  const tokens: string[] = [];
  const re = /\s*(\(|\)|[^\s()]*%\([^)\s]*\)s|[^\s()']*'[^']*'[^\s()]*|[^\s()]+)/gy;
  let last = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    tokens.push(m[1] ?? '');
    last = re.lastIndex;
  }
  if (text.slice(last).trim() !== '')
    throw new PolicyParseError(`cannot read ${JSON.stringify(text.slice(last).trim())}`);
  return tokens;
}

function parseAtom(token: string): Check {
  if (token === '@') return { kind: 'true' };
  if (token === '!') return { kind: 'false' };
  const colon = token.indexOf(':');
  if (colon <= 0) throw new PolicyParseError(`expected KIND:VALUE, @ or !, got ${JSON.stringify(token)}`);
  const kind = token.slice(0, colon);
  const value = token.slice(colon + 1);
  const sub = /^%\(([^)]+)\)s$/.exec(value);
  if (sub) return { kind: 'target', key: kind, target: sub[1] };
  if (value.includes('%('))
    throw new PolicyParseError(`only a whole value may be a target substitution, not ${JSON.stringify(value)}`);
  if (kind === 'rule') return { kind: 'rule', name: value };
  if (kind === 'role') return { kind: 'role', role: value.toLowerCase() };
  if (/^'.*'$/.test(value)) return { kind: 'generic', key: kind, value: value.slice(1, -1) };
  if (value === 'True' || value === 'False') return { kind: 'generic', key: kind, value: value === 'True' };
  if (kind === 'http' || kind === 'https') throw new PolicyParseError(`${kind}: checks are not supported`);
  return { kind: 'generic', key: kind, value };
}

/** Parses a rule expression; throws PolicyParseError naming what it could not read. */
export function parseRule(text: string): Check {
  const tokens = tokenize(text);
  if (tokens.length === 0) return { kind: 'true' };
  let pos = 0;
  const peek = (): string | undefined => tokens[pos];
  const parseOr = (): Check => {
    const checks = [parseAnd()];
    while (peek() === 'or') {
      pos++;
      checks.push(parseAnd());
    }
    return checks.length === 1 ? checks[0] : { kind: 'or', checks };
  };
  const parseAnd = (): Check => {
    const checks = [parseNot()];
    while (peek() === 'and') {
      pos++;
      checks.push(parseNot());
    }
    return checks.length === 1 ? checks[0] : { kind: 'and', checks };
  };
  const parseNot = (): Check => {
    const t = peek();
    if (t === undefined) throw new PolicyParseError('unexpected end of rule');
    pos++;
    if (t === 'not') return { kind: 'not', check: parseNot() };
    if (t === '(') {
      const inner = parseOr();
      if (peek() !== ')') throw new PolicyParseError('missing )');
      pos++;
      return inner;
    }
    if (t === ')' || t === 'and' || t === 'or') throw new PolicyParseError(`unexpected ${JSON.stringify(t)}`);
    return parseAtom(t);
  };
  const check = parseOr();
  if (pos !== tokens.length) throw new PolicyParseError(`unexpected ${JSON.stringify(tokens[pos])}`);
  return check;
}

function references(check: Check, out: Set<string> = new Set()): Set<string> {
  if (check.kind === 'rule') out.add(check.name);
  else if (check.kind === 'not') references(check.check, out);
  else if (check.kind === 'and' || check.kind === 'or') for (const c of check.checks) references(c, out);
  return out;
}

// ---------------------------------------------------------------------------------------------
// The enforcer

/** A target key that names a field of the object checked (`node.owner`), not of the caller. */
const isObjectField = (target: string): boolean => /^(node|allocation|runbook)\./.test(target);

/** Python's str() of a credential or target value, as oslo.policy compares them. */
function pyStr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  return String(v);
}

/** oslo.policy compares `True`/`False` against booleans and everything else as text. */
function genericMatches(actual: unknown, expected: string | boolean): boolean {
  if (typeof expected === 'boolean') return actual === expected;
  if (actual === null && expected === 'None') return true; // str(None), as oslo.policy compares
  if (Array.isArray(actual)) return actual.some((a) => String(a) === expected);
  return actual !== null && actual !== undefined && String(actual) === expected;
}

/** A credential looked up by a dotted path (oslo's _find_in_dict); undefined when absent. */
function credential(creds: Credentials, key: string): unknown {
  if (Object.hasOwn(creds, key)) return creds[key];
  let v: unknown = creds;
  for (const part of key.split('.')) {
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, part)) return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

/** What a rule is checked against besides the caller: the object's owner fields (`node.owner` …). */
export type PolicyTarget = Readonly<Record<string, unknown>>;

/** oslo.policy's InvalidScope: the token's scope is not one the rule allows (ironic-api answers 500). */
export class InvalidScope extends Error {
  override name = 'InvalidScope';
  constructor(
    readonly rule: string,
    readonly scopes: readonly string[],
    readonly tokenScope: string,
  ) {
    super(
      `${rule} requires a scope of [${scopes.map((s) => `'${s}'`).join(', ')}], request was made with ${tokenScope} scope.`,
    );
  }
}

/** The token's scope as oslo.policy derives it: system, else domain, else project. */
export function tokenScope(creds: Credentials): 'system' | 'domain' | 'project' {
  if (creds.system_scope) return 'system';
  if (creds.domain_id) return 'domain';
  return 'project';
}

export interface PolicyOptions {
  /** the rule defaults (DEFAULT_RULES unless given: the gateway's own, decided without a target) */
  defaults?: Readonly<Record<string, RuleDefault>>;
  /** oslo.policy's enforce_new_defaults: false ORs each rule with its deprecated check */
  enforceNewDefaults?: boolean;
  /** oslo.policy's enforce_scope: a token of a scope the rule does not list raises InvalidScope */
  enforceScope?: boolean;
  /**
   * Ironic's owner/lessee model (21.4's and 39.0's rules): node, port, portgroup, volume and allocation
   * routes check their rule once the object is loaded (404 when the caller may not see it).
   */
  targetAware?: boolean;
  /** the Ironic release whose rules these are ('21.4', '39.0'), for the checks that differ by release */
  release?: string;
}

/** The loaded rule set: defaults overridden by the operator's file. */
export class Policy {
  private readonly checks = new Map<string, Check>();
  private readonly publicCache = new Map<string, boolean>();
  private readonly targetCache = new Map<string, boolean>();
  private readonly scopes = new Map<string, readonly string[]>();
  readonly enforceScope: boolean;
  readonly enforceNewDefaults: boolean;
  readonly targetAware: boolean;
  readonly release: string | null;

  /** @param overrides rule name → rule expression (the operator's policy file) */
  constructor(
    overrides: Readonly<Record<string, string>> = {},
    private readonly source = 'policy',
    options: PolicyOptions = {},
  ) {
    this.enforceScope = options.enforceScope ?? false;
    this.enforceNewDefaults = options.enforceNewDefaults ?? false;
    this.targetAware = options.targetAware ?? false;
    this.release = options.release ?? null;
    const texts: Record<string, string> = {};
    for (const [name, def] of Object.entries(options.defaults ?? DEFAULT_RULES)) {
      // oslo.policy: an unchanged default with a deprecated rule is `new or old` unless
      // enforce_new_defaults; an operator's override replaces both.
      const legacy = def.deprecated;
      texts[name] =
        legacy !== undefined && !this.enforceNewDefaults && legacy !== def.check && def.check.trim() !== ''
          ? `(${def.check}) or (${legacy})`
          : def.check;
      if (def.scope) this.scopes.set(name, def.scope);
    }
    Object.assign(texts, overrides);
    for (const [name, text] of Object.entries(texts)) {
      try {
        this.checks.set(name, parseRule(text));
      } catch (err) {
        throw new ConfigError(`${source}: rule ${JSON.stringify(name)}: ${(err as Error).message}`);
      }
    }
    for (const [name, check] of this.checks) {
      for (const ref of references(check)) {
        if (!this.checks.has(ref))
          throw new ConfigError(
            `${source}: rule ${JSON.stringify(name)} refers to unknown rule ${JSON.stringify(ref)}`,
          );
      }
    }
    this.findCycle();
  }

  private findCycle(): void {
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (name: string, path: string[]): void => {
      if (state.get(name) === 'done') return;
      if (state.get(name) === 'visiting')
        throw new ConfigError(`${this.source}: rules refer to each other in a loop: ${[...path, name].join(' → ')}`);
      state.set(name, 'visiting');
      const check = this.checks.get(name);
      if (check) for (const ref of references(check)) visit(ref, [...path, name]);
      state.set(name, 'done');
    };
    for (const name of this.checks.keys()) visit(name, []);
  }

  /** true when `name` is a rule of this policy */
  has(name: string): boolean {
    return this.checks.has(name);
  }

  /**
   * Evaluates rule `name` for `creds` (oslo's enforce without raising: a scope mismatch under
   * enforce_scope is false); an unknown rule is denied (fail closed). The target defaults to
   * the credentials (ironic-api's `to_policy_values()` when no object is involved).
   */
  enforce(name: string, creds: Credentials, target?: PolicyTarget): boolean {
    try {
      return this.authorize(name, creds, target);
    } catch (err) {
      if (err instanceof InvalidScope) return false;
      throw err;
    }
  }

  /** As enforce, but a scope mismatch under enforce_scope throws InvalidScope (oslo's authorize). */
  authorize(name: string, creds: Credentials, target?: PolicyTarget): boolean {
    const check = this.checks.get(name);
    if (check === undefined) return false;
    const refused = this.refusedScopes(name, creds);
    if (refused) throw new InvalidScope(name, refused, tokenScope(creds));
    return this.evaluate(check, creds, target ?? creds);
  }

  /** The rule's scopes when enforce_scope refuses the token's scope for it; else undefined. */
  private refusedScopes(name: string, creds: Credentials): readonly string[] | undefined {
    const scopes = this.scopes.get(name);
    return this.enforceScope && scopes && !scopes.includes(tokenScope(creds)) ? scopes : undefined;
  }

  /** true when the rule (or a rule it refers to) compares with an object's field (`%(node.owner)s`). */
  needsTarget(name: string): boolean {
    let v = this.targetCache.get(name);
    if (v === undefined) {
      const seen = new Set<string>();
      const walk = (c: Check): boolean => {
        switch (c.kind) {
          case 'target':
            return isObjectField(c.target);
          case 'rule': {
            if (seen.has(c.name)) return false;
            seen.add(c.name);
            const inner = this.checks.get(c.name);
            return inner !== undefined && walk(inner);
          }
          case 'not':
            return walk(c.check);
          case 'and':
          case 'or':
            return c.checks.some(walk);
          default:
            return false;
        }
      };
      const check = this.checks.get(name);
      v = check !== undefined && walk(check);
      this.targetCache.set(name, v);
    }
    return v;
  }

  /**
   * Whether rule `name` passes for `creds` whatever the object's owner fields (`node.owner`,
   * `node.lessee` …) turn out to be: a check against one of them is unknown, and `and`, `or`
   * and `not` follow Kleene's three-valued logic, so only a rule that holds without the object
   * is true (a system-scoped admin, a role-only rule). A scope the rule refuses: false. Lets a
   * route skip reading an object that the decision does not depend on.
   */
  passesForAnyTarget(name: string, creds: Credentials): boolean {
    const check = this.checks.get(name);
    if (check === undefined) return false;
    if (this.refusedScopes(name, creds)) return false;
    return this.evaluateUnknownTarget(check, creds, new Set()) === true;
  }

  /** evaluate with the object's fields unknown: true, false, or null (depends on the object) */
  private evaluateUnknownTarget(check: Check, creds: Credentials, seen: Set<string>): boolean | null {
    switch (check.kind) {
      case 'target':
        if (isObjectField(check.target)) return null;
        return this.evaluate(check, creds, creds);
      case 'rule': {
        const inner = this.checks.get(check.name);
        if (inner === undefined) return false;
        if (seen.has(check.name)) return null; // a loop is refused at load; stay safe anyway
        seen.add(check.name);
        const v = this.evaluateUnknownTarget(inner, creds, seen);
        seen.delete(check.name);
        return v;
      }
      case 'not': {
        const v = this.evaluateUnknownTarget(check.check, creds, seen);
        return v === null ? null : !v;
      }
      case 'and':
      case 'or': {
        // one decisive operand decides (false for and, true for or); else any unknown is unknown
        const decisive = check.kind === 'or';
        let unknown = false;
        for (const c of check.checks) {
          const v = this.evaluateUnknownTarget(c, creds, seen);
          if (v === decisive) return decisive;
          if (v === null) unknown = true;
        }
        return unknown ? null : !decisive;
      }
      default:
        return this.evaluate(check, creds, creds);
    }
  }

  /** true when the rule lets an unauthenticated caller through (Ironic's `public_api`). */
  isPublic(name: string): boolean {
    let v = this.publicCache.get(name);
    if (v === undefined) {
      v = this.enforce(name, {
        user_id: null,
        project_id: null,
        system_scope: null,
        roles: [],
        is_admin: false,
        is_public_api: true,
      });
      this.publicCache.set(name, v);
    }
    return v;
  }

  private evaluate(check: Check, creds: Credentials, target: PolicyTarget): boolean {
    switch (check.kind) {
      case 'true':
        return true;
      case 'false':
        return false;
      case 'rule': {
        // a referenced rule is evaluated without its own scope check, as oslo.policy's RuleCheck
        const inner = this.checks.get(check.name);
        return inner !== undefined && this.evaluate(inner, creds, target);
      }
      case 'role':
        return creds.roles.some((role) => role.toLowerCase() === check.role);
      case 'generic':
        return genericMatches(credential(creds, check.key), check.value);
      case 'target': {
        if (!Object.hasOwn(target, check.target)) return false;
        const expected = pyStr(target[check.target]);
        const actual = credential(creds, check.key);
        if (actual === undefined) return false;
        if (Array.isArray(actual)) return actual.some((a) => pyStr(a) === expected);
        return pyStr(actual) === expected;
      }
      case 'not':
        return !this.evaluate(check.check, creds, target);
      case 'and':
        return check.checks.every((c) => this.evaluate(c, creds, target));
      case 'or':
        return check.checks.some((c) => this.evaluate(c, creds, target));
    }
  }
}

/** Reads the operator's JSON policy file (rule name → rule expression). */
export function loadPolicyFile(path: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(
      `cannot read policy_file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`policy_file ${path} is not valid JSON: ${(err as Error).message}`);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data))
    throw new ConfigError(`policy_file ${path} must be a JSON object of rule name → rule`);
  for (const [name, value] of Object.entries(data)) {
    if (typeof value !== 'string')
      throw new ConfigError(`policy_file ${path}: rule ${JSON.stringify(name)} must be a string such as "role:admin"`);
  }
  return data as Record<string, string>;
}
