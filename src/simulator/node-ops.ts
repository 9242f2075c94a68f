/**
 * Node methods of ConductorManager other than provisioning: create/update/destroy, power,
 * management (boot device, NMI), console, RAID, validation, traits, vendor passthru (heartbeat: agent.ts) —
 * with the fake-hardware interfaces' behaviour.
 */
import { ironicError, pyStr } from '../conductor/exceptions.ts';
import { asObject, type Args, type Sim } from './context.ts';
import {
  checkDriver,
  DRIVER_VENDOR_ROUTES,
  driverProperties,
  NODE_VENDOR_ROUTES,
  resolveInterfaces,
  SUPPORTED_BOOT_DEVICES,
  validateInterfaces,
  vendorMetadata,
  vendorRoute,
} from './drivers.ts';
import { fromPrimitive, toPrimitive } from './primitives.ts';
import { nodeProtected, unsupported } from './provision.ts';
import { logicalDiskProperties, validateRaidConfig } from './raid.ts';
import { pyRepr } from '../conductor/exceptions.ts';
import { NODE, NODE_INTERFACES } from './schema.ts';
import { HISTORY, recordHistory } from './subresources.ts';
import * as S from '../conductor/states.ts';
import type { NodeRow } from './store.ts';
import { addTraits, removeTraits } from './traits.ts';
import { wipeInternalInfoOnPowerOff } from './agent.ts';

export const nodePrimitive = (node: NodeRow, version?: string): unknown => toPrimitive(NODE, node, version);

export async function create_node(sim: Sim, a: Args): Promise<unknown> {
  const { data } = fromPrimitive(a.node_obj, 'Node');
  checkDriver(data.driver);
  const values = { ...data, ...resolveInterfaces(data) };
  delete values.id;
  delete values.reservation;
  return nodePrimitive(sim.store.createNode(values));
}

/** `inspect wait` (21.4) may have interfaces updated too. */
const INSPECT_WAIT = 'inspect wait';
const ALLOWED_UPDATE = [S.ENROLL, S.INSPECTING, INSPECT_WAIT, S.MANAGEABLE, S.AVAILABLE];

/**
 * 21.4's _check_update_protected and _check_update_retired: clearing the flag clears its
 * reason; protecting needs `active` or `rescue`; retiring is refused in `available`; a reason
 * needs its flag.
 */
function checkProtectedAndRetired(data: Record<string, unknown>, values: Record<string, unknown>): void {
  if ('protected' in values) {
    if (!values.protected) values.protected_reason = null;
    else if (data.provision_state !== S.ACTIVE && data.provision_state !== S.RESCUE)
      throw ironicError(
        'InvalidState',
        `Node ${String(data.uuid)} can only be made protected in provision states 'active' or 'rescue', the current state is '${pyStr(data.provision_state)}'`,
      );
  }
  if ('protected_reason' in values && values.protected_reason && !(values.protected ?? data.protected))
    throw ironicError('InvalidParameterValue', 'The protected_reason field can only be set when protected is True');
  if ('retired' in values) {
    if (!values.retired) values.retired_reason = null;
    else if (data.provision_state === S.AVAILABLE)
      throw ironicError(
        'InvalidState',
        `Node ${String(data.uuid)} can not have 'retired' set in provision state 'available', the current state is '${pyStr(data.provision_state)}'`,
      );
  }
  if ('retired_reason' in values && values.retired_reason && !(values.retired ?? data.retired))
    throw ironicError('InvalidParameterValue', 'The retired_reason field can only be set when retired is True');
}
const cannotUpdate = (uuid: unknown, field: string): Error =>
  ironicError(
    'InvalidState',
    `Node ${String(uuid)} can not have ${field} updated unless it is in one of allowed (${ALLOWED_UPDATE.join(', ')}) states or in maintenance mode.`,
  );

export async function update_node(sim: Sim, a: Args): Promise<unknown> {
  const { data, changes } = fromPrimitive(a.node_obj, 'Node');
  const values: Record<string, unknown> = Object.fromEntries(changes.filter((c) => c in data).map((c) => [c, data[c]]));
  if ('maintenance' in values && !values.maintenance) {
    values.maintenance_reason = null;
    values.fault = null; // 21.4: leaving maintenance clears the fault
  }
  checkProtectedAndRetired(data, values);
  // reset_interfaces (RPC 1.46): with a new driver, every interface not given goes back to
  // the new driver's default
  const resetInterfaces = Boolean(a.reset_interfaces) && 'driver' in values;
  for (const iface of NODE_INTERFACES) {
    const field = `${iface}_interface`;
    if (!(field in values)) {
      if (resetInterfaces) values[field] = null;
      continue;
    }
    if (!(ALLOWED_UPDATE.includes(String(data.provision_state)) || data.maintenance))
      throw cannotUpdate(data.uuid, field);
  }
  if ('driver' in values) checkDriver(values.driver);
  return sim.tasks.with(data.uuid, { purpose: 'node update' }, (task) => {
    const node = task.node;
    Object.assign(values, resolveInterfaces(values, node));
    if ('instance_uuid' in values && values.instance_uuid && node.instance_uuid) {
      throw ironicError('NodeAssociated', `Node ${node.uuid} is associated with instance ${node.instance_uuid}.`, {
        node: node.uuid,
        instance: node.instance_uuid,
      });
    }
    if ('resource_class' in values && node.resource_class && !ALLOWED_UPDATE.includes(String(node.provision_state)))
      throw cannotUpdate(node.uuid, 'resource_class');
    // the caller's lock is ours while we hold the task; never take its reservation field
    delete values.reservation;
    // an allocated node losing its instance_uuid loses its allocation (manager.update_node)
    const dropsAllocation = 'instance_uuid' in values && !values.instance_uuid && node.allocation_id;
    if (dropsAllocation && !node.maintenance && !ALLOWED_UPDATE.includes(String(node.provision_state)))
      throw ironicError(
        'InvalidState',
        `Node ${node.uuid} with an allocation can not have instance_uuid removed unless it is in one of allowed (${ALLOWED_UPDATE.join(', ')}) states or in maintenance mode.`,
      );
    sim.store.updateNode(node, values);
    if (dropsAllocation) sim.store.destroyAllocationOfNode(node);
    return nodePrimitive(node);
  });
}

export async function destroy_node(sim: Sim, a: Args): Promise<null> {
  return sim.tasks.with(a.node_id, { purpose: 'node deletion' }, (task) => {
    const node = task.node;
    if (!node.maintenance && node.instance_uuid !== null) {
      throw ironicError('NodeAssociated', `Node ${node.uuid} is associated with instance ${node.instance_uuid}.`, {
        node: node.uuid,
        instance: node.instance_uuid,
      });
    }
    if (asObject(node).protected === true) throw nodeProtected(node);
    // 21.4: AVAILABLE is added back because [conductor]allow_deleting_available_nodes defaults to True
    const allowed = [...S.DELETE_ALLOWED_STATES, S.AVAILABLE];
    if (!node.maintenance && !allowed.includes(String(node.provision_state))) {
      throw ironicError(
        'InvalidState',
        `Can not delete node "${node.uuid}" while it is in provision state "${pyStr(node.provision_state)}". Valid provision states to perform deletion are: "(${allowed.map(pyRepr).join(', ')})", or set the node into maintenance mode`,
      );
    }
    node.console_enabled = false;
    sim.store.destroyNode(node);
    return null;
  });
}

export async function change_node_power_state(sim: Sim, a: Args): Promise<null> {
  const newState = String(a.new_state);
  return sim.tasks.with(a.node_id, { purpose: 'changing node power state' }, (task) => {
    const node = task.node;
    if (!S.POWER_TARGETS.includes(newState)) {
      throw ironicError(
        'InvalidParameterValue',
        `The driver ${node.driver} does not support the power state, ${newState}`,
      );
    }
    const target = [S.POWER_ON, S.REBOOT, S.SOFT_REBOOT].includes(newState) ? S.POWER_ON : S.POWER_OFF;
    try {
      task.spawnAfter(sim.pool, async () => {
        await sim.sleep(0);
        // 39.0 (issue 15, slice nodes): node_power_action refuses to power off a node with
        // disable_power_off (PowerStateFailure, only logged by the worker): nothing changes, and
        // target_power_state stays as the RPC set it, as on 39.0
        if (target === S.POWER_OFF && node.disable_power_off === true) return;
        // utils.node_power_action with the fake power interface
        if (newState !== S.POWER_ON) wipeInternalInfoOnPowerOff(node); // issue 14: the agent's token goes
        if ((newState === S.POWER_ON || newState === S.POWER_OFF) && node.power_state === newState) {
          node.target_power_state = null;
        } else if (asObject(node.driver_info).simulator_fail === 'power') {
          node.target_power_state = null;
          // node_power_action journals it (no event type: UNKNOWN)
          recordHistory(
            sim,
            node,
            `Failed to change power state to '${target}' by '${newState}'. Error: simulated power failure (driver_info.simulator_fail)`,
          );
        } else {
          Object.assign(node, { power_state: target, target_power_state: null });
        }
        node.updated_at = new Date();
      });
    } catch (err) {
      node.target_power_state = null;
      // power_state_error_handler
      recordHistory(sim, node, 'No free conductor workers available', { eventType: HISTORY.CONDUCTOR });
      throw err;
    }
    Object.assign(node, { target_power_state: target, last_error: null, updated_at: new Date() });
    return null;
  });
}

export async function set_boot_device(sim: Sim, a: Args): Promise<null> {
  return sim.tasks.with(a.node_id, { purpose: 'setting boot device' }, () => {
    if (!SUPPORTED_BOOT_DEVICES.includes(String(a.device)))
      throw ironicError('InvalidParameterValue', `Invalid boot device ${String(a.device)} specified.`);
    return null;
  });
}

export async function get_boot_device(sim: Sim, a: Args): Promise<unknown> {
  return sim.tasks.with(a.node_id, { purpose: 'getting boot device' }, () => ({
    boot_device: 'pxe',
    persistent: false,
  }));
}

export async function get_supported_boot_devices(sim: Sim, a: Args): Promise<unknown> {
  return sim.tasks.with(a.node_id, { shared: true, purpose: 'getting supported boot devices' }, () => [
    ...SUPPORTED_BOOT_DEVICES,
  ]);
}

export async function inject_nmi(sim: Sim, a: Args): Promise<null> {
  // the fake management interface does not implement inject_nmi
  return sim.tasks.with(a.node_id, { purpose: 'inject nmi' }, (task) => {
    throw unsupported(task.node, 'inject_nmi');
  });
}

export async function get_console_information(sim: Sim, a: Args): Promise<unknown> {
  return sim.tasks.with(a.node_id, { shared: true, purpose: 'getting console information' }, (task) => {
    const node = task.node;
    if (asObject(node).console_interface === 'no-console') throw unsupported(node, 'console');
    if (!node.console_enabled)
      throw ironicError('NodeConsoleNotEnabled', `Console access is not enabled on node ${node.uuid}`, {
        node: node.uuid,
      });
    return {}; // FakeConsole.get_console
  });
}

export async function set_console_mode(sim: Sim, a: Args): Promise<null> {
  const enabled = Boolean(a.enabled);
  return sim.tasks.with(a.node_id, { purpose: 'setting console mode' }, (task) => {
    const node = task.node;
    if (asObject(node).console_interface === 'no-console') throw unsupported(node, 'console');
    if (enabled === node.console_enabled) return null;
    task.spawnAfter(sim.pool, async () => {
      await sim.sleep(0);
      Object.assign(node, { console_enabled: enabled, last_error: null, updated_at: new Date() });
    });
    node.last_error = null;
    return null;
  });
}

export async function set_target_raid_config(sim: Sim, a: Args): Promise<null> {
  return sim.tasks.with(a.node_id, { purpose: 'setting target RAID config' }, (task) => {
    const node = task.node;
    if (asObject(node).raid_interface === 'no-raid') throw unsupported(node, 'raid');
    const config = a.target_raid_config;
    if (config && typeof config === 'object' && Object.keys(config).length) validateRaidConfig(config);
    Object.assign(node, { target_raid_config: config ?? {}, updated_at: new Date() });
    return null;
  });
}

export async function get_raid_logical_disk_properties(_sim: Sim, a: Args): Promise<unknown> {
  checkDriver(a.driver_name);
  return logicalDiskProperties();
}

export async function get_driver_properties(_sim: Sim, a: Args): Promise<unknown> {
  checkDriver(a.driver_name);
  return driverProperties();
}

export async function validate_driver_interfaces(sim: Sim, a: Args): Promise<unknown> {
  return sim.tasks.with(a.node_id, { shared: true, purpose: 'driver interface validation' }, (task) =>
    validateInterfaces(task.node),
  );
}

export async function add_node_traits(sim: Sim, a: Args): Promise<null> {
  return sim.tasks.with(a.node_id, { purpose: 'add node traits' }, (task) => {
    addTraits(task.node, a.node_id, a.traits, Boolean(a.replace));
    return null;
  });
}

export async function remove_node_traits(sim: Sim, a: Args): Promise<null> {
  return sim.tasks.with(a.node_id, { purpose: 'remove node traits' }, (task) => {
    removeTraits(task.node, a.node_id, a.traits);
    return null;
  });
}

export async function vendor_passthru(sim: Sim, a: Args): Promise<unknown> {
  return sim.tasks.with(a.node_id, { shared: true, purpose: 'calling vendor passthru' }, (task) => {
    const node = task.node;
    if (asObject(node).vendor_interface === 'no-vendor') throw unsupported(node, 'vendor interface');
    const { route, http } = vendorRoute(NODE_VENDOR_ROUTES, a.driver_method, a.http_method);
    if (route.require_exclusive_lock) task.upgradeLock();
    const info = { ...asObject(a.info) };
    route.validate?.(info);
    info.http_method = http;
    if (route.async) {
      task.spawnAfter(sim.pool, () => {
        route.func(info, node.uuid);
      });
      return { return: null, async: true, attach: route.attach };
    }
    return { return: route.func(info, node.uuid), async: false, attach: route.attach };
  });
}

export async function driver_vendor_passthru(sim: Sim, a: Args): Promise<unknown> {
  checkDriver(a.driver_name);
  const { route, http } = vendorRoute(DRIVER_VENDOR_ROUTES, a.driver_method, a.http_method);
  const info = { ...asObject(a.info), http_method: http };
  route.validate?.(info);
  if (route.async) {
    sim.pool.run(() => {
      route.func(info);
    }, sim.pool.reserve());
    return { return: null, async: true, attach: route.attach };
  }
  return { return: route.func(info), async: false, attach: route.attach };
}

export async function get_node_vendor_passthru_methods(sim: Sim, a: Args): Promise<unknown> {
  return sim.tasks.with(a.node_id, { shared: true, purpose: 'listing vendor passthru methods' }, (task) => {
    if (asObject(task.node).vendor_interface === 'no-vendor') throw unsupported(task.node, 'vendor interface');
    return vendorMetadata(NODE_VENDOR_ROUTES);
  });
}

export async function get_driver_vendor_passthru_methods(_sim: Sim, a: Args): Promise<unknown> {
  checkDriver(a.driver_name);
  return vendorMetadata(DRIVER_VENDOR_ROUTES);
}
