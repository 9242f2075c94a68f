/**
 * The simulated conductor's RPC endpoint: every method of ConductorAPI 1.44 by name, with
 * oslo.messaging's answers for a method it lacks (NoSuchMethod) or a version above its own
 * (UnsupportedVersion).
 */
import type { ConductorRpcMethod } from '../conductor/rpc-methods.ts';
import { RemoteError } from '../rpc/errors.ts';
import type { Endpoint, IncomingRequest } from '../rpc/types.ts';
import { versionWithin } from '../rpc/version.ts';
import * as A from './agent.ts';
import type { Args, Sim } from './context.ts';
import * as AL from './allocations.ts';
import * as I from './indirection.ts';
import * as M from './management.ts';
import * as N from './node-ops.ts';
import * as P from './provision.ts';
import * as R from './resources.ts';
import { withRequestContext } from './subresources.ts';
import * as SV from './servicing.ts';
// issue 15, slice vmedia
import * as V from './vmedia.ts';

type Handler = (sim: Sim, args: Args) => Promise<unknown>;

/**
 * Method name → handler: the 1.44 surface of ironic/conductor/rpcapi.py. Typed against the
 * client's method table, so a method left out or misspelt is a compile error.
 */
const METHODS = {
  create_node: N.create_node,
  update_node: N.update_node,
  change_node_power_state: N.change_node_power_state,
  vendor_passthru: N.vendor_passthru,
  driver_vendor_passthru: N.driver_vendor_passthru,
  get_node_vendor_passthru_methods: N.get_node_vendor_passthru_methods,
  get_driver_vendor_passthru_methods: N.get_driver_vendor_passthru_methods,
  do_node_deploy: P.do_node_deploy,
  do_node_tear_down: P.do_node_tear_down,
  do_provisioning_action: P.do_provisioning_action,
  continue_node_clean: P.continue_node_clean,
  validate_driver_interfaces: N.validate_driver_interfaces,
  destroy_node: N.destroy_node,
  get_console_information: N.get_console_information,
  set_console_mode: N.set_console_mode,
  create_port: R.create_port,
  update_port: R.update_port,
  update_portgroup: R.update_portgroup,
  destroy_portgroup: R.destroy_portgroup,
  get_driver_properties: N.get_driver_properties,
  set_boot_device: N.set_boot_device,
  get_boot_device: N.get_boot_device,
  inject_nmi: N.inject_nmi,
  get_supported_boot_devices: N.get_supported_boot_devices,
  inspect_hardware: P.inspect_hardware,
  destroy_port: R.destroy_port,
  set_target_raid_config: N.set_target_raid_config,
  get_raid_logical_disk_properties: N.get_raid_logical_disk_properties,
  do_node_clean: P.do_node_clean,
  heartbeat: A.heartbeat,
  get_node_with_token: A.get_node_with_token,
  object_class_action_versions: I.object_class_action_versions,
  object_action: I.object_action,
  object_backport_versions: I.object_backport_versions,
  destroy_volume_connector: R.destroy_volume_connector,
  update_volume_connector: R.update_volume_connector,
  destroy_volume_target: R.destroy_volume_target,
  update_volume_target: R.update_volume_target,
  vif_attach: R.vif_attach,
  vif_detach: R.vif_detach,
  vif_list: R.vif_list,
  do_node_rescue: P.do_node_rescue,
  do_node_unrescue: P.do_node_unrescue,
  add_node_traits: N.add_node_traits,
  remove_node_traits: N.remove_node_traits,
  // issue 14, provisioning and management (RPC 1.50, 1.55)
  get_supported_indicators: M.get_supported_indicators,
  get_indicator_state: M.get_indicator_state,
  set_indicator_state: M.set_indicator_state,
  change_node_boot_mode: M.change_node_boot_mode,
  change_node_secure_boot: M.change_node_secure_boot,
  // allocations (RPC 1.48)
  create_allocation: AL.create_allocation,
  destroy_allocation: AL.destroy_allocation,
  // issue 15, slice provision: servicing (RPC 1.57, 1.60)
  do_node_service: SV.do_node_service,
  continue_node_service: SV.continue_node_service,
  // issue 15, slice ports (RPC 1.62)
  update_portgroup_physical_network: R.update_portgroup_physical_network,
  // issue 15, slice vmedia: virtual media (RPC 1.59, 1.61) and the in-band inspection callback (1.56)
  attach_virtual_media: V.attach_virtual_media,
  detach_virtual_media: V.detach_virtual_media,
  get_virtual_media: V.get_virtual_media,
  continue_inspection: V.continue_inspection,
} as const satisfies Partial<Record<ConductorRpcMethod, Handler>>;

const HANDLERS: Readonly<Record<string, Handler>> = METHODS;

export function makeEndpoint(sim: Sim): Endpoint {
  return async (req: IncomingRequest): Promise<unknown> => {
    const handler = Object.hasOwn(HANDLERS, req.method) ? HANDLERS[req.method] : undefined;
    if (!handler) {
      throw new RemoteError(
        'NoSuchMethod',
        `Endpoint does not support RPC method ${req.method}`,
        { method: req.method },
        'oslo_messaging.rpc.dispatcher',
      );
    }
    if (req.version && !versionWithin(sim.rpcVersion, req.version)) {
      throw new RemoteError(
        'UnsupportedVersion',
        `Endpoint does not support RPC version ${req.version}. Attempted method: ${req.method}`,
        { version: req.version, method: req.method },
        'oslo_messaging.rpc.dispatcher',
      );
    }
    // the request's context stays in reach of the work the handler spawns (node history's user)
    return withRequestContext(req.context ?? {}, () => handler(sim, req.args ?? {}));
  };
}
