/**
 * RPC 1.50 and 1.55 management methods of ConductorManager with the fake-hardware management
 * interface of 21.4 (ironic/drivers/modules/fake.py FakeManagement): indicators (the fake
 * chassis and system LEDs; reading works, setting is not implemented), and boot mode and
 * secure boot changes, which run in the background and, since FakeManagement implements
 * neither set_boot_mode nor set_secure_boot_state, record the driver's refusal in last_error
 * as conductor/utils.py node_change_boot_mode / node_change_secure_boot do.
 */
import { ironicError } from '../conductor/exceptions.ts';
import type { Args, Sim } from './context.ts';
import { unsupported } from './provision.ts';
import type { NodeRow } from './store.ts';
import type { Task } from './tasks.ts';

/** FakeManagement.get_supported_indicators (components.CHASSIS, components.SYSTEM). */
const FAKE_INDICATORS: Readonly<Record<string, Record<string, { readonly: boolean; states: string[] }>>> = {
  chassis: { 'led-0': { readonly: true, states: ['off', 'on'] } },
  system: { led: { readonly: false, states: ['blinking', 'off', 'on'] } },
};

function supportedIndicators(component: unknown): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [c, indicators] of Object.entries(FAKE_INDICATORS)) {
    if (!component || component === c) out[c] = structuredClone(indicators);
  }
  return out;
}

export async function get_supported_indicators(sim: Sim, a: Args): Promise<unknown> {
  return sim.tasks.with(a.node_id, { purpose: 'getting supported indicators' }, () => supportedIndicators(a.component));
}

export async function get_indicator_state(sim: Sim, a: Args): Promise<string> {
  return sim.tasks.with(a.node_id, { purpose: 'getting indicators states' }, () => {
    const component = String(a.component);
    if (!Object.hasOwn(FAKE_INDICATORS, component)) {
      throw ironicError('InvalidParameterValue', `Invalid component ${component} specified.`);
    }
    const indicator = String(a.indicator);
    if (!Object.hasOwn(FAKE_INDICATORS[component], indicator)) {
      throw ironicError('InvalidParameterValue', `Invalid indicator ${indicator} specified.`);
    }
    return 'on';
  });
}

export async function set_indicator_state(sim: Sim, a: Args): Promise<null> {
  return sim.tasks.with(a.node_id, { purpose: 'setting indicator state' }, (task) => {
    // FakeManagement does not override ManagementInterface.set_indicator_state
    throw unsupported(task.node, 'set_indicator_state');
  });
}

/** Python's str() of a value in a message (True/False for booleans). */
const pyText = (v: unknown): string => (typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v));

/**
 * Takes a worker for a background management change (_spawn_error_handler records
 * NoFreeConductorWorker in last_error), after clearing the previous error.
 */
function spawnChange(sim: Sim, task: Task, work: (node: NodeRow) => void): void {
  const node = task.node;
  node.last_error = null;
  try {
    task.spawnAfter(sim.pool, async () => {
      await sim.sleep(0);
      work(node);
      node.updated_at = new Date();
    });
  } catch (err) {
    node.last_error = 'No free conductor workers available';
    throw err;
  }
}

export async function change_node_boot_mode(sim: Sim, a: Args): Promise<null> {
  return sim.tasks.with(a.node_id, { purpose: 'changing node boot mode' }, (task) => {
    spawnChange(sim, task, (node) => {
      // get_boot_mode is not implemented either, so the current mode is unknown and the set is tried
      node.last_error = `Failed to change boot mode to '${pyText(a.new_state)}: ${unsupported(node, 'set_boot_mode').message}`;
    });
    return null;
  });
}

export async function change_node_secure_boot(sim: Sim, a: Args): Promise<null> {
  return sim.tasks.with(a.node_id, { purpose: 'changing node secure' }, (task) => {
    spawnChange(sim, task, (node) => {
      node.last_error = `Failed to change secure_boot state to '${pyText(a.new_state)}': ${unsupported(node, 'set_secure_boot_state').message}`;
    });
    return null;
  });
}
