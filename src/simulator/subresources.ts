/**
 * A node's 21.4 sub-resources on the simulated conductor: the class methods ironic-api reads
 * them with (BIOSSettingList.get_by_node_id, BIOSSetting.get, NodeInventory.get_by_node_id;
 * NodeHistory's go through the generic table methods), the history records the 21.4
 * conductor writes (conductor/utils.py node_history_record), and fake-hardware's BIOS clean
 * steps (drivers/modules/fake.py FakeBIOS), the only writer of BIOS settings it has.
 *
 * What 21.4's fake-hardware stores, and when:
 * - BIOS settings: FakeBIOS.cache_bios_settings (run on verify and before cleaning) stores
 *   nothing; only the manual clean steps `bios.apply_configuration` (the given settings replace
 *   the node's: sync_node_setting creates, updates and deletes) and `bios.factory_reset` (deletes
 *   them all) change them. A new node has none, so its list is empty.
 * - Inventory: FakeInspect.inspect_hardware stores no introspection data (only the inspector
 *   interface does), so a node's inventory is 404 unless a row was stored (tests store one with
 *   `storeInventory`).
 * - History: an event on the failures (and the rescue abort) the conductor journals, with the
 *   conductor's host, severity ERROR (INFO when not an error), the event type of the handler
 *   that records it, and the requesting user where 21.4 passes `task.context.user_id`.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { ironicError } from '../conductor/exceptions.ts';
import { asObject, type Args, type Sim } from './context.ts';
import { toPrimitive, type Primitive } from './primitives.ts';
import { pyRepr } from '../conductor/exceptions.ts';
import { BIOS_SETTING, BIOS_SETTING_LIST, NODE_INVENTORY, type Row } from './schema.ts';
import type { NodeRow, Store } from './store.ts';
import { isIntLike } from './table.ts';

// ---- the request's context (who asked), for the history's `user`

const requestContext = new AsyncLocalStorage<Record<string, unknown>>();

/** Runs an RPC handler with its request context in reach of the work it spawns. */
export function withRequestContext<T>(context: Record<string, unknown>, run: () => T): T {
  return requestContext.run(context, run);
}

/** `task.context.user_id` of the request being served (oslo sends it as `user`). */
function contextUserId(): string | null {
  const ctx = requestContext.getStore() ?? {};
  const user = ctx.user_id ?? ctx.user;
  return typeof user === 'string' ? user : null;
}

// ---- node history

/** The event types of common/states.py's history section. */
export const HISTORY = {
  PROVISIONING: 'provisioning',
  CLEANING: 'cleaning',
  DEPLOYING: 'deploying',
  TAKEOVER: 'takeover',
  INTROSPECTION: 'introspection',
  RESCUE: 'rescue',
  CONDUCTOR: 'conductor',
  TRANSITION: 'transition',
  STARTFAIL: 'startup failure',
  UNPROVISION: 'unprovision',
  ADOPTION: 'adoption',
  CONSOLE: 'console',
  MONITORING: 'monitoring',
  VERIFY: 'verify',
  VERIFYING: 'verifying',
} as const;

export interface HistoryOptions {
  /** the event type; 21.4's default is UNKNOWN */
  eventType?: string;
  /** an error also becomes the node's last_error (default true) */
  error?: boolean;
  /** whether 21.4 passes the requesting user (`user=task.context.user_id`) at this call site */
  withUser?: boolean;
}

/**
 * conductor/utils.py node_history_record with `[conductor]node_history` on (its default):
 * nothing for an empty event; an error sets last_error; the conductor is this host.
 */
export function recordHistory(sim: Sim, node: NodeRow, event: string | null, opts: HistoryOptions = {}): void {
  if (!event) return;
  const error = opts.error ?? true;
  if (error) node.last_error = event;
  sim.store.history.insert({
    node_id: node.id,
    conductor: sim.host,
    user: opts.withUser ? contextUserId() : null,
    severity: error ? 'ERROR' : 'INFO',
    event,
    event_type: opts.eventType ?? 'UNKNOWN',
    // 39.0 (NodeHistory 1.3; issue 15, slice nodes): the node's states when journaled, and the
    // whole seconds since its provision_updated_at
    state: node.provision_state ?? null,
    target_provision_state: node.target_provision_state ?? null,
    duration_seconds:
      node.provision_updated_at instanceof Date
        ? Math.trunc((Date.now() - node.provision_updated_at.getTime()) / 1000)
        : null,
  });
}

// ---- BIOS settings

const byName = (a: Row, b: Row): number => {
  // bios_settings' primary key is (node_id, name): MariaDB returns rows in its
  // case-insensitive collation's order
  const x = String(a.name).toLowerCase();
  const y = String(b.name).toLowerCase();
  return x < y ? -1 : x > y ? 1 : String(a.name) < String(b.name) ? -1 : 1;
};

function checkNodeExists(store: Store, nodeId: unknown): number {
  const id = isIntLike(nodeId) ? Number(nodeId) : Number.NaN;
  if (!store.nodes.rows.has(id)) throw ironicError('NodeNotFound', `Node ${String(nodeId)} could not be found.`);
  return id;
}

function settingsOf(store: Store, nodeId: number): Row[] {
  return [...store.biosSettings.rows.values()].filter((r) => r.node_id === nodeId).sort(byName);
}

/** A BIOSSetting primitive: node_id as the StringField carries it. */
function settingPrimitive(row: Row): Primitive {
  const p = toPrimitive(BIOS_SETTING, row);
  p['ironic_object.data'].node_id = String(row.node_id);
  return p;
}

const REGISTRY = [
  'attribute_type',
  'allowable_values',
  'lower_bound',
  'max_length',
  'min_length',
  'read_only',
  'reset_required',
  'unique',
  'upper_bound',
] as const;

/** What a setting dict of apply_configuration stores (name, value, the registry fields given). */
function settingValues(s: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { name: s.name, value: s.value ?? null };
  for (const f of REGISTRY) out[f] = s[f] ?? null;
  return out;
}

/**
 * FakeBIOS.apply_configuration: BIOSSettingList.sync_node_setting then create, save and
 * delete, so the node ends with exactly the given settings.
 */
export function applyBiosConfiguration(store: Store, node: NodeRow, settings: unknown): void {
  const given = (Array.isArray(settings) ? settings : []).map(asObject);
  const names = new Set(given.map((s) => String(s.name)));
  const current = new Map(settingsOf(store, node.id).map((r) => [String(r.name), r]));
  for (const s of given) {
    const row = current.get(String(s.name));
    if (!row) store.biosSettings.insert({ node_id: node.id, ...settingValues(s) });
    else if (s.value !== row.value) store.biosSettings.update(row, settingValues(s));
  }
  for (const [name, row] of current) if (!names.has(name)) store.biosSettings.delete(row);
}

/** FakeBIOS.factory_reset: every setting of the node is deleted. */
export function factoryResetBios(store: Store, node: NodeRow): void {
  for (const row of settingsOf(store, node.id)) store.biosSettings.delete(row);
}

/** FakeBIOS's clean steps (all priority 0: manual cleaning only), with their argsinfo. */
const FAKE_BIOS_STEPS: Readonly<Record<string, Readonly<Record<string, { description: string; required: boolean }>>>> =
  {
    apply_configuration: {
      settings: {
        description: 'List of BIOS settings, each item needs to contain a dictionary with name/value pairs',
        required: true,
      },
    },
    factory_reset: {},
    cache_bios_settings: {},
  };

/**
 * steps._validate_user_step for a `bios` clean step, or null when the node's BIOS interface
 * has no such step (the caller then refuses it as any unsupported step).
 */
export function biosCleanStepErrors(node: NodeRow, step: unknown): string[] | null {
  const s = asObject(step);
  if (s.interface !== 'bios' || asObject(node).bios_interface !== 'fake') return null;
  const argsinfo = Object.hasOwn(FAKE_BIOS_STEPS, String(s.step)) ? FAKE_BIOS_STEPS[String(s.step)] : undefined;
  if (!argsinfo) return null;
  const args = asObject(s.args);
  const errors: string[] = [];
  const unexpected = Object.keys(args).filter((a) => !Object.hasOwn(argsinfo, a));
  if (unexpected.length)
    errors.push(`clean step ${pyRepr(step)} has these unexpected arguments: ${unexpected.join(', ')}`);
  const missing = Object.entries(argsinfo)
    .filter(([name, info]) => info.required && !(name in args))
    .map(([name, info]) => `${name} (${info.description})`);
  if (missing.length)
    errors.push(`clean step ${pyRepr(step)} is missing these required arguments: ${missing.join(', ')}`);
  return errors;
}

/** Runs a validated `bios` clean step on the node. */
export function runBiosCleanStep(store: Store, node: NodeRow, step: unknown): void {
  const s = asObject(step);
  if (s.step === 'apply_configuration') applyBiosConfiguration(store, node, asObject(s.args).settings);
  else if (s.step === 'factory_reset') factoryResetBios(store, node);
  // cache_bios_settings: the fake interface caches nothing
}

// ---- inventory

/** Stores a node's introspection data as inspect_utils.store_introspection_data (database backend). */
export function storeInventory(store: Store, nodeId: number, inventory: unknown, pluginData: unknown): Row {
  return store.inventories.insert({ node_id: nodeId, inventory_data: inventory, plugin_data: pluginData });
}

// ---- the indirection API's class methods

/** Positional names of these class methods' arguments (ironic/objects/bios.py, node_inventory.py). */
const PARAMS: Readonly<Record<string, readonly string[]>> = {
  'BIOSSettingList.get_by_node_id': ['node_id'],
  'BIOSSetting.get': ['node_id', 'name'],
  'NodeInventory.get_by_node_id': ['node_id'],
};

/**
 * The class methods whose arguments are not an identifier the generic path reads; undefined
 * for any other (class, method), which the generic path serves (NodeHistory's).
 */
export function subresourceClassAction(store: Store, objname: string, method: string, a: Args): Primitive | undefined {
  const key = `${objname}.${method}`;
  const names = Object.hasOwn(PARAMS, key) ? PARAMS[key] : undefined;
  if (!names) return undefined;
  const kw: Record<string, unknown> = { ...asObject(a.kwargs) };
  (Array.isArray(a.args) ? a.args : []).forEach((v, i) => {
    if (names[i]) kw[names[i]] = v;
  });
  switch (key) {
    case 'BIOSSettingList.get_by_node_id': {
      const id = checkNodeExists(store, kw.node_id);
      return {
        'ironic_object.name': BIOS_SETTING_LIST.name,
        'ironic_object.namespace': 'ironic',
        'ironic_object.version': BIOS_SETTING_LIST.version,
        'ironic_object.data': { objects: settingsOf(store, id).map(settingPrimitive) },
      };
    }
    case 'BIOSSetting.get': {
      const id = checkNodeExists(store, kw.node_id);
      const row = settingsOf(store, id).find((r) => r.name === kw.name);
      if (!row)
        throw ironicError('BIOSSettingNotFound', `Node ${id} doesn't have a BIOS setting '${String(kw.name)}'`, {
          node: id,
          name: kw.name,
        });
      return settingPrimitive(row);
    }
    default: {
      // NodeInventory.get_by_node_id: no check that the node exists (the 404 names the id)
      const nodeId = isIntLike(kw.node_id) ? Number(kw.node_id) : kw.node_id;
      const row = store.inventories.byField('node_id', nodeId);
      if (!row) throw store.inventories.notFound(kw.node_id);
      return toPrimitive(NODE_INVENTORY, row);
    }
  }
}
