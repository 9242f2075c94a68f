/**
 * The methods of Ironic's conductor RPC API up to 1.62 (ironic 39.0), as data: each
 * one's RPC version and kind. ConductorAPI (api.ts) sends them; tests walk them.
 */

/** The conductor's manager topic (Ironic's MANAGER_TOPIC). */
export const MANAGER_TOPIC = 'ironic.conductor_manager';
/** The highest RPC API version the gateway speaks (Ironic 39.0's); a pin lowers it (src/releases.ts). */
export const RPC_API_VERSION = '1.62';

/**
 * Every RPC method of ConductorAPI: the version it is sent at (its lowest, for the methods with
 * a ladder) and whether it is a call or a cast. The ladders, as 21.4's rpcapi.py climbs them:
 * - `do_node_deploy` 1.22, or 1.52 with `deploy_steps`;
 * - `do_node_clean` 1.32, or 1.53 with `disable_ramdisk`;
 * - `heartbeat` 1.34; 1.42 adds `agent_version`, 1.49 `agent_token`, 1.51 `agent_verify_ca`,
 *   1.54 `agent_status` and `agent_status_message`: each as far as the version cap allows;
 * - `update_node` stays at 1.1 but sends `reset_interfaces` from 1.46 (always, as 21.4 does).
 * 39.0's rpcapi sends the 1.56–1.62 methods at their own version, with no ladder:
 * `do_node_service` always carries `disable_ramdisk` (None allowed), `attach_virtual_media` never
 * carries `image_download_source` (39.0's client drops it).
 */
export const CONDUCTOR_RPC_METHODS = {
  create_node: { version: '1.36', kind: 'call' },
  update_node: { version: '1.1', kind: 'call' },
  change_node_power_state: { version: '1.39', kind: 'call' },
  vendor_passthru: { version: '1.20', kind: 'call' },
  driver_vendor_passthru: { version: '1.20', kind: 'call' },
  get_node_vendor_passthru_methods: { version: '1.21', kind: 'call' },
  get_driver_vendor_passthru_methods: { version: '1.21', kind: 'call' },
  do_node_deploy: { version: '1.22', kind: 'call' },
  do_node_tear_down: { version: '1.6', kind: 'call' },
  do_provisioning_action: { version: '1.23', kind: 'call' },
  continue_node_clean: { version: '1.27', kind: 'cast' },
  validate_driver_interfaces: { version: '1.5', kind: 'call' },
  destroy_node: { version: '1.9', kind: 'call' },
  get_console_information: { version: '1.11', kind: 'call' },
  set_console_mode: { version: '1.11', kind: 'call' },
  create_port: { version: '1.41', kind: 'call' },
  update_port: { version: '1.13', kind: 'call' },
  update_portgroup: { version: '1.33', kind: 'call' },
  destroy_portgroup: { version: '1.33', kind: 'call' },
  get_driver_properties: { version: '1.16', kind: 'call' },
  set_boot_device: { version: '1.17', kind: 'call' },
  get_boot_device: { version: '1.17', kind: 'call' },
  inject_nmi: { version: '1.40', kind: 'call' },
  get_supported_boot_devices: { version: '1.17', kind: 'call' },
  inspect_hardware: { version: '1.24', kind: 'call' },
  destroy_port: { version: '1.25', kind: 'call' },
  set_target_raid_config: { version: '1.30', kind: 'call' },
  get_raid_logical_disk_properties: { version: '1.30', kind: 'call' },
  do_node_clean: { version: '1.32', kind: 'call' },
  heartbeat: { version: '1.42', kind: 'call' },
  object_class_action_versions: { version: '1.31', kind: 'call' },
  object_action: { version: '1.31', kind: 'call' },
  object_backport_versions: { version: '1.31', kind: 'call' },
  destroy_volume_connector: { version: '1.35', kind: 'call' },
  update_volume_connector: { version: '1.35', kind: 'call' },
  destroy_volume_target: { version: '1.37', kind: 'call' },
  update_volume_target: { version: '1.37', kind: 'call' },
  vif_attach: { version: '1.38', kind: 'call' },
  vif_detach: { version: '1.38', kind: 'call' },
  vif_list: { version: '1.38', kind: 'call' },
  do_node_rescue: { version: '1.43', kind: 'call' },
  do_node_unrescue: { version: '1.43', kind: 'call' },
  add_node_traits: { version: '1.44', kind: 'call' },
  remove_node_traits: { version: '1.44', kind: 'call' },
  continue_node_deploy: { version: '1.45', kind: 'cast' },
  create_allocation: { version: '1.48', kind: 'call' },
  destroy_allocation: { version: '1.48', kind: 'call' },
  get_node_with_token: { version: '1.49', kind: 'call' },
  set_indicator_state: { version: '1.50', kind: 'call' },
  get_indicator_state: { version: '1.50', kind: 'call' },
  get_supported_indicators: { version: '1.50', kind: 'call' },
  change_node_boot_mode: { version: '1.55', kind: 'call' },
  change_node_secure_boot: { version: '1.55', kind: 'call' },
  continue_inspection: { version: '1.56', kind: 'call' },
  do_node_service: { version: '1.57', kind: 'call' },
  attach_virtual_media: { version: '1.59', kind: 'call' },
  detach_virtual_media: { version: '1.59', kind: 'call' },
  continue_node_service: { version: '1.60', kind: 'cast' },
  get_virtual_media: { version: '1.61', kind: 'call' },
  update_portgroup_physical_network: { version: '1.62', kind: 'call' },
} as const satisfies Record<string, { version: string; kind: 'call' | 'cast' }>;

export type ConductorRpcMethod = keyof typeof CONDUCTOR_RPC_METHODS;

/**
 * The public RPC method names of ConductorAPI (each must be reachable from some REST route,
 * but for CONDUCTOR_INTERNAL_METHODS).
 */
export const CONDUCTOR_API_METHODS = Object.keys(CONDUCTOR_RPC_METHODS) as ConductorRpcMethod[];

/**
 * Methods ironic-api never calls: the conductor's own drivers do (continue_node_deploy after a
 * deploy step, continue_node_service after a service step).
 */
export const CONDUCTOR_INTERNAL_METHODS: readonly ConductorRpcMethod[] = [
  'continue_node_deploy',
  'continue_node_service',
];

/** ConductorAPI's routing and capability helpers (no RPC of their own). */
export const CONDUCTOR_API_HELPERS = [
  'get_topic_for',
  'get_topic_for_driver',
  'can_send_create_port',
  'can_send_rescue',
  'get_random_topic',
  // issue 14, slice nodefields: the node's `conductor` field (1.49)
  'get_conductor_for',
] as const;
