/**
 * ConductorAPI: the client side of every method of Ironic's conductor RPC API up to 1.62
 * (ironic 39.0), named and ordered as in Ironic's rpcapi.py, each sent at the RPC
 * version 39.0's rpcapi sends it for the arguments given, and refused above the version cap
 * (the release profile's, src/releases.ts).
 *
 * `topic` is a full topic such as `ironic.conductor_manager.cond-1` (from get_topic_for); the
 * default is the bare topic any conductor consumes.
 */
import type { Config } from '../config.ts';
import { RpcClient, type RpcObserver } from '../rpc/client.ts';
import type { Transport } from '../rpc/types.ts';
import { makeContext, toWireContext, type RequestContext } from './context.ts';
import { CONDUCTOR_RPC_METHODS, MANAGER_TOPIC, RPC_API_VERSION, type ConductorRpcMethod } from './rpc-methods.ts';
import { ironicError } from './exceptions.ts';
import { HashRingManager, type ConductorInfo } from './hash-ring.ts';
import { NodeRoutingCache } from './node-routing.ts';
import {
  IronicObject,
  OBJECT_VERSIONS,
  objectSerializer,
  type AllocationFields,
  type ConductorFields,
  type NodeFields,
  type PortFields,
  type PortgroupFields,
  type VolumeConnectorFields,
  type VolumeTargetFields,
  type FieldsOf,
  type ObjectName,
} from './objects.ts';

export {
  CONDUCTOR_API_HELPERS,
  CONDUCTOR_API_METHODS,
  CONDUCTOR_RPC_METHODS,
  MANAGER_TOPIC,
  RPC_API_VERSION,
  type ConductorRpcMethod,
} from './rpc-methods.ts';

type NodeId = string | number;
type Obj<F extends object> = IronicObject<F>;
type Dict = Record<string, unknown>;

/** vendor_passthru's answer (RPC ≥ 1.29). */
export interface VendorPassthruResult {
  return: unknown;
  async: boolean;
  attach: boolean;
}
export interface BootDevice {
  boot_device: string | null;
  persistent: boolean | null;
}
/** A node as get_topic_for needs it: a Node object or its routing fields. */
export type RoutableNode = Obj<NodeFields> | { uuid: string; driver: string; conductor_group?: string | null };

export interface ConductorAPIOptions {
  /** the manager topic; MANAGER_TOPIC by default */
  topic?: string;
  /** hash_partition_exponent */
  hashPartitionExponent: number;
  /** hash_ring_reset_interval, seconds */
  hashRingResetInterval: number;
  /** conductors whose last heartbeat is older are not routed to (Ironic's heartbeat_timeout) */
  heartbeatTimeout?: number;
  /** the object versions of the gateway's release profile (OBJECT_VERSIONS by default) */
  objectVersions?: Readonly<Record<string, string>>;
  /** seconds a node's routing fields are reused after a read (node-routing.ts); 0 or absent: off */
  nodeRoutingTtl?: number;
}

/** What a heartbeat carries besides the node and its callback URL (each sent as far as the cap allows). */
export interface HeartbeatInfo {
  agent_version?: string | null;
  agent_token?: string | null;
  agent_verify_ca?: string | null;
  agent_status?: string | null;
  agent_status_message?: string | null;
}

export class ConductorAPI {
  readonly topic: string;
  readonly ringManager: HashRingManager;
  /** the driver and group of nodes read lately, for routes that need only their topic */
  readonly routing: NodeRoutingCache;
  /**
   * The object versions this gateway labels objects with and asks for in manifests: its
   * release profile's (a class absent is one the pinned release does not have).
   */
  readonly objectVersions: Readonly<Record<string, string>>;

  constructor(
    readonly client: RpcClient<RequestContext>,
    options: ConductorAPIOptions,
  ) {
    this.topic = options.topic ?? MANAGER_TOPIC;
    this.objectVersions = options.objectVersions ?? OBJECT_VERSIONS;
    this.ringManager = new HashRingManager(() => this.listConductors(), {
      partitionExponent: options.hashPartitionExponent,
      resetIntervalS: options.hashRingResetInterval,
      heartbeatTimeoutS: options.heartbeatTimeout,
    });
    this.routing = new NodeRoutingCache(options.nodeRoutingTtl ?? 0);
  }

  private call<R>(
    context: RequestContext,
    method: ConductorRpcMethod,
    args: Dict,
    topic?: string,
    version?: string,
  ): Promise<R> {
    return this.client.call<R>(context, { topic: topic || this.topic }, method, args, {
      version: version ?? CONDUCTOR_RPC_METHODS[method].version,
    });
  }

  /** The live conductors with their groups and hardware types, read through the conductor. */
  private async listConductors(): Promise<ConductorInfo[]> {
    const list = await this.object_class_action_versions(
      makeContext({ is_admin: true }),
      'Conductor',
      'list',
      { Conductor: this.objectVersions.Conductor ?? OBJECT_VERSIONS.Conductor },
      [],
      {},
    );
    if (!Array.isArray(list)) return [];
    return list
      .filter((c): c is Obj<ConductorFields> => c instanceof IronicObject)
      .map((c) => ({
        hostname: String(c.get('hostname')),
        conductor_group: String(c.get('conductor_group') ?? ''),
        drivers: c.get('drivers') ?? [],
        updated_at: c.get('updated_at') ?? null,
      }));
  }

  /**
   * The topic of the conductor the node maps to on the hash ring of its driver and group
   * (`conductor_group` when the node object has that field, else its driver's ring).
   * @throws NoValidHost when no live conductor has the node's driver in its group; TemporaryFailure when no conductor is alive
   */
  async get_topic_for(node: RoutableNode): Promise<string> {
    const get = (k: 'uuid' | 'driver' | 'conductor_group'): unknown =>
      node instanceof IronicObject ? node.get(k) : node[k];
    const driver = String(get('driver') ?? '');
    // Node 1.23 (Queens) has no conductor_group: a node read at that version carries none, and
    // is routed on the ring of its driver across groups (the same host when groups are unused)
    const rawGroup = get('conductor_group');
    const group = rawGroup === undefined ? null : String(rawGroup ?? '');
    // a node as read (not a routing record): its fields serve later routes' topics for a while
    if (node instanceof IronicObject && typeof get('uuid') === 'string')
      this.routing.remember({
        uuid: String(get('uuid')),
        driver,
        conductor_group: rawGroup as string | null | undefined,
      });
    try {
      const ring = await this.ringManager.getRing(driver, group);
      return `${this.topic}.${ring.getNode(String(get('uuid')))}`;
    } catch (err) {
      if (err instanceof Error && (err as { exc_type?: string }).exc_type === 'DriverNotFound') {
        const reason = `No conductor service registered which supports driver ${driver} for conductor group "${group ?? ''}".`;
        throw ironicError('NoValidHost', `No valid host was found. Reason: ${reason}`, { reason, code: 404 });
      }
      throw err;
    }
  }

  /**
   * The hostname of the conductor the node maps to (rpcapi.get_conductor_for), the node's
   * `conductor` field from 1.49. Ironic reads the group-aware ring from its database
   * (get_active_hardware_type_dict); here it is the gateway's own ring, so a node costs no RPC:
   * an md5 and a binary search on the cached ring, which is rebuilt from one Conductor.list
   * every hash_ring_reset_interval (or at once after a miss).
   * @throws NoValidHost, TemporaryFailure as get_topic_for
   */
  async get_conductor_for(node: RoutableNode): Promise<string> {
    const topic = await this.get_topic_for(node);
    return topic.slice(this.topic.length + 1);
  }

  /**
   * The topic of a random live conductor that has the driver, regardless of groups.
   * @throws DriverNotFound when none has it (or no conductor is registered)
   */
  async get_topic_for_driver(driver_name: string): Promise<string> {
    try {
      const ring = await this.ringManager.getRing(driver_name, null);
      const hosts = [...ring.nodes];
      return `${this.topic}.${hosts[Math.floor(Math.random() * hosts.length)]}`;
    } catch (err) {
      if (err instanceof Error && (err as { exc_type?: string }).exc_type === 'TemporaryFailure') {
        throw ironicError('DriverNotFound', 'No conductors registered.', { driver_name, code: 404 });
      }
      throw err;
    }
  }

  /**
   * The topic of a random conductor that is online (rpcapi.get_random_topic, which allocations
   * use): from the same conductor list the hash rings are built from, so no database is read.
   * @throws TemporaryFailure when no conductor is online
   */
  async get_random_topic(): Promise<string> {
    const hosts = await this.ringManager.liveHosts();
    if (hosts.length === 0) throw ironicError('TemporaryFailure', 'Resource temporarily unavailable, please retry.');
    return `${this.topic}.${hosts[Math.floor(Math.random() * hosts.length)]}`;
  }

  /** Whether the version cap allows `version` (oslo's can_send_version). */
  can_send_version(version: string): boolean {
    return this.client.canSendVersion(version);
  }

  /** A new object at this gateway's version of its class, every given field marked changed. */
  newObject<N extends keyof FieldsOf>(name: N, fields: Partial<FieldsOf[N]>): Obj<FieldsOf[N]> {
    return IronicObject.create(name, fields, this.objectVersions[name] ?? OBJECT_VERSIONS[name as ObjectName]);
  }

  /** Whether the cap allows create_port (1.41). */
  can_send_create_port(): boolean {
    return this.client.canSendVersion('1.41');
  }

  /** Whether the cap allows do_node_rescue / do_node_unrescue (1.43). */
  can_send_rescue(): boolean {
    return this.client.canSendVersion('1.43');
  }

  /**
   * Validates and creates a node (a new, unsaved Node object); returns the created Node.
   * @throws InterfaceNotFoundInEntrypoint, NoValidDefaultForInterface
   */
  create_node(context: RequestContext, node_obj: Obj<NodeFields>, topic?: string): Promise<Obj<NodeFields>> {
    return this.call(context, 'create_node', { node_obj }, topic);
  }

  /**
   * Saves the changed fields of a node under its lock; returns the updated Node, all fields.
   * @throws NoValidDefaultForInterface, InterfaceNotFoundInEntrypoint, NodeLocked, InvalidParameterValue …
   */
  update_node(
    context: RequestContext,
    node_obj: Obj<NodeFields>,
    topic?: string,
    reset_interfaces = false,
  ): Promise<Obj<NodeFields>> {
    // the node's driver or group may change: routes read it again until the next read
    const uuid = node_obj.get('uuid');
    if (typeof uuid === 'string') this.routing.forget(uuid);
    return this.sendUpdateNode(context, node_obj, topic, reset_interfaces).finally(() => {
      if (typeof uuid === 'string') this.routing.forget(uuid);
    });
  }

  private sendUpdateNode(
    context: RequestContext,
    node_obj: Obj<NodeFields>,
    topic: string | undefined,
    reset_interfaces: boolean,
  ): Promise<Obj<NodeFields>> {
    // 21.4's rpcapi sends reset_interfaces always, at 1.1; a conductor before 1.46 has no such
    // argument, so it goes only when the cap reaches 1.46
    if (this.client.canSendVersion('1.46'))
      return this.call(context, 'update_node', { node_obj, reset_interfaces }, topic);
    if (reset_interfaces)
      return Promise.reject(
        ironicError('InvalidParameterValue', 'reset_interfaces needs a conductor of RPC API 1.46 or newer.'),
      );
    return this.call(context, 'update_node', { node_obj }, topic);
  }

  /**
   * Starts a power state change in a background task ('power on', 'power off', 'rebooting',
   * 'soft power off', 'soft rebooting'); `timeout` in seconds for soft actions, null for default.
   * @throws NoFreeConductorWorker, NodeLocked, InvalidParameterValue
   */
  change_node_power_state(
    context: RequestContext,
    node_id: NodeId,
    new_state: string,
    topic?: string,
    timeout: number | null = null,
  ): Promise<null> {
    return this.call(context, 'change_node_power_state', { node_id, new_state, timeout }, topic);
  }

  /**
   * Runs a vendor method of the node's vendor interface (sync, or async in a background task).
   * @throws InvalidParameterValue, MissingParameterValue, UnsupportedDriverExtension, NoFreeConductorWorker, NodeLocked
   */
  vendor_passthru(
    context: RequestContext,
    node_id: NodeId,
    driver_method: string,
    http_method: string,
    info: unknown,
    topic?: string,
  ): Promise<VendorPassthruResult> {
    return this.call(context, 'vendor_passthru', { node_id, driver_method, http_method, info }, topic);
  }

  /**
   * Runs a driver-level vendor method on a conductor that has the driver.
   * @throws InvalidParameterValue, MissingParameterValue, UnsupportedDriverExtension, DriverNotFound, NoFreeConductorWorker, InterfaceNotFoundInEntrypoint
   */
  driver_vendor_passthru(
    context: RequestContext,
    driver_name: string,
    driver_method: string,
    http_method: string,
    info: unknown,
    topic?: string,
  ): Promise<VendorPassthruResult> {
    return this.call(context, 'driver_vendor_passthru', { driver_name, driver_method, http_method, info }, topic);
  }

  /** The node's vendor methods and their metadata. @throws UnsupportedDriverExtension */
  get_node_vendor_passthru_methods(context: RequestContext, node_id: NodeId, topic?: string): Promise<Dict> {
    return this.call(context, 'get_node_vendor_passthru_methods', { node_id }, topic);
  }

  /** The driver's vendor methods. @throws UnsupportedDriverExtension, DriverNotFound, InterfaceNotFoundInEntrypoint */
  get_driver_vendor_passthru_methods(context: RequestContext, driver_name: string, topic?: string): Promise<Dict> {
    return this.call(context, 'get_driver_vendor_passthru_methods', { driver_name }, topic);
  }

  /**
   * Starts a deployment (or a rebuild) with an optional config drive.
   * @throws InstanceDeployFailure, NodeInMaintenance, NoFreeConductorWorker, NodeLocked, InvalidStateRequested
   */
  do_node_deploy(
    context: RequestContext,
    node_id: NodeId,
    rebuild: boolean,
    configdrive: string | Dict | null,
    topic?: string,
    deploy_steps: Dict[] | null = null,
  ): Promise<null> {
    if (deploy_steps && deploy_steps.length > 0)
      return this.call(context, 'do_node_deploy', { node_id, rebuild, configdrive, deploy_steps }, topic, '1.52');
    return this.call(context, 'do_node_deploy', { node_id, rebuild, configdrive }, topic);
  }

  /** Starts tearing down a deployment. @throws InstanceDeployFailure, NoFreeConductorWorker, NodeLocked, InvalidStateRequested */
  do_node_tear_down(context: RequestContext, node_id: NodeId, topic?: string): Promise<null> {
    return this.call(context, 'do_node_tear_down', { node_id }, topic);
  }

  /** Runs a provisioning action ('manage', 'provide', 'abort', 'inspect', 'adopt' …). @throws InvalidParameterValue, NoFreeConductorWorker, NodeLocked, InvalidStateRequested */
  do_provisioning_action(context: RequestContext, node_id: NodeId, action: string, topic?: string): Promise<null> {
    return this.call(context, 'do_provisioning_action', { node_id, action }, topic);
  }

  /** Starts the next clean step (a cast: no reply, no remote error). */
  continue_node_clean(context: RequestContext, node_id: NodeId, topic?: string): Promise<void> {
    return this.client.cast(
      context,
      { topic: topic || this.topic },
      'continue_node_clean',
      { node_id },
      { version: CONDUCTOR_RPC_METHODS.continue_node_clean.version },
    );
  }

  /** Validates every interface of the node's driver: `{iface: {result, reason}}`. */
  validate_driver_interfaces(
    context: RequestContext,
    node_id: NodeId,
    topic?: string,
  ): Promise<Record<string, { result: boolean | null; reason?: string }>> {
    return this.call(context, 'validate_driver_interfaces', { node_id }, topic);
  }

  /** Deletes a node. @throws NodeLocked, NodeAssociated, InvalidState */
  destroy_node(context: RequestContext, node_id: NodeId, topic?: string): Promise<null> {
    return this.call<null>(context, 'destroy_node', { node_id }, topic).finally(() =>
      this.routing.forget(String(node_id)),
    );
  }

  /** Console connection information. @throws UnsupportedDriverExtension, NodeConsoleNotEnabled, InvalidParameterValue */
  get_console_information(context: RequestContext, node_id: NodeId, topic?: string): Promise<Dict> {
    return this.call(context, 'get_console_information', { node_id }, topic);
  }

  /** Enables or disables the console (async). @throws UnsupportedDriverExtension, InvalidParameterValue, NoFreeConductorWorker */
  set_console_mode(context: RequestContext, node_id: NodeId, enabled: boolean, topic?: string): Promise<null> {
    return this.call(context, 'set_console_mode', { node_id, enabled }, topic);
  }

  /** Validates and creates a port; returns the Port. @throws InvalidParameterValue, MACAlreadyExists, Conflict, NodeLocked */
  create_port(context: RequestContext, port_obj: Obj<PortFields>, topic?: string): Promise<Obj<PortFields>> {
    return this.call(context, 'create_port', { port_obj }, topic);
  }

  /** Saves a port's changed fields; returns the Port. @throws InvalidParameterValue, MACAlreadyExists, Conflict, NodeLocked */
  update_port(context: RequestContext, port_obj: Obj<PortFields>, topic?: string): Promise<Obj<PortFields>> {
    return this.call(context, 'update_port', { port_obj }, topic);
  }

  /** Saves a portgroup's changed fields; returns the Portgroup. @throws NodeLocked, PortgroupMACAlreadyExists, PortgroupNotEmpty, InvalidParameterValue */
  update_portgroup(
    context: RequestContext,
    portgroup_obj: Obj<PortgroupFields>,
    topic?: string,
  ): Promise<Obj<PortgroupFields>> {
    return this.call(context, 'update_portgroup', { portgroup_obj }, topic);
  }

  /** Deletes a portgroup (a Portgroup object). @throws NodeLocked, NodeNotFound, PortgroupNotEmpty */
  destroy_portgroup(context: RequestContext, portgroup: Obj<PortgroupFields>, topic?: string): Promise<null> {
    return this.call(context, 'destroy_portgroup', { portgroup }, topic);
  }

  /** The driver's properties and their descriptions. @throws DriverNotFound */
  get_driver_properties(context: RequestContext, driver_name: string, topic?: string): Promise<Record<string, string>> {
    return this.call(context, 'get_driver_properties', { driver_name }, topic);
  }

  /** Sets the boot device for the next boot (or persistently). @throws NodeLocked, UnsupportedDriverExtension, InvalidParameterValue */
  set_boot_device(
    context: RequestContext,
    node_id: NodeId,
    device: string,
    persistent = false,
    topic?: string,
  ): Promise<null> {
    return this.call(context, 'set_boot_device', { node_id, device, persistent }, topic);
  }

  /** The current boot device. @throws NodeLocked, UnsupportedDriverExtension, InvalidParameterValue */
  get_boot_device(context: RequestContext, node_id: NodeId, topic?: string): Promise<BootDevice> {
    return this.call(context, 'get_boot_device', { node_id }, topic);
  }

  /** Injects an NMI. @throws NodeLocked, UnsupportedDriverExtension, InvalidParameterValue */
  inject_nmi(context: RequestContext, node_id: NodeId, topic?: string): Promise<null> {
    return this.call(context, 'inject_nmi', { node_id }, topic);
  }

  /** The boot devices the node's management interface supports. @throws UnsupportedDriverExtension, InvalidParameterValue */
  get_supported_boot_devices(context: RequestContext, node_id: NodeId, topic?: string): Promise<string[]> {
    return this.call(context, 'get_supported_boot_devices', { node_id }, topic);
  }

  /** Starts hardware inspection. @throws NoFreeConductorWorker, NodeLocked, HardwareInspectionFailure, UnsupportedDriverExtension, InvalidStateRequested */
  inspect_hardware(context: RequestContext, node_id: NodeId, topic?: string): Promise<null> {
    return this.call(context, 'inspect_hardware', { node_id }, topic);
  }

  /** Deletes a port (a Port object). @throws NodeLocked, NodeNotFound */
  destroy_port(context: RequestContext, port: Obj<PortFields>, topic?: string): Promise<null> {
    return this.call(context, 'destroy_port', { port }, topic);
  }

  /** Stores the target RAID configuration. @throws UnsupportedDriverExtension, InvalidParameterValue, MissingParameterValue */
  set_target_raid_config(
    context: RequestContext,
    node_id: NodeId,
    target_raid_config: Dict,
    topic?: string,
  ): Promise<null> {
    return this.call(context, 'set_target_raid_config', { node_id, target_raid_config }, topic);
  }

  /** The logical disk properties the driver's RAID interface accepts. @throws UnsupportedDriverExtension, NoValidHost, InterfaceNotFoundInEntrypoint */
  get_raid_logical_disk_properties(
    context: RequestContext,
    driver_name: string,
    topic?: string,
  ): Promise<Record<string, string>> {
    return this.call(context, 'get_raid_logical_disk_properties', { driver_name }, topic);
  }

  /** Starts manual cleaning with the given clean steps. @throws InvalidParameterValue, NodeInMaintenance, NodeLocked, NoFreeConductorWorker, InvalidStateRequested */
  do_node_clean(
    context: RequestContext,
    node_id: NodeId,
    clean_steps: Dict[],
    topic?: string,
    disable_ramdisk: boolean | null = null,
  ): Promise<null> {
    if (disable_ramdisk !== null)
      return this.call(context, 'do_node_clean', { node_id, clean_steps, disable_ramdisk }, topic, '1.53');
    return this.call(context, 'do_node_clean', { node_id, clean_steps }, topic);
  }

  /**
   * Processes an agent heartbeat. As 21.4's rpcapi: the base message (1.34) carries the node
   * and callback URL; each later argument is added, and the version raised, as far as the cap
   * allows (1.42 agent_version, 1.49 agent_token, 1.51 agent_verify_ca, 1.54 agent_status and
   * agent_status_message). With the 1.55 cap all six go at 1.54, null where not given.
   * @throws InvalidParameterValue (no version and no status; a missing or wrong token), NoFreeConductorWorker
   */
  heartbeat(
    context: RequestContext,
    node_id: NodeId,
    callback_url: string,
    info: HeartbeatInfo = {},
    topic?: string,
  ): Promise<null> {
    const args: Dict = { node_id, callback_url };
    let version = '1.34';
    const ladder: [string, (keyof HeartbeatInfo)[]][] = [
      ['1.42', ['agent_version']],
      ['1.49', ['agent_token']],
      ['1.51', ['agent_verify_ca']],
      ['1.54', ['agent_status', 'agent_status_message']],
    ];
    for (const [v, keys] of ladder) {
      if (!this.client.canSendVersion(v)) break;
      for (const k of keys) args[k] = info[k] ?? null;
      version = v;
    }
    return this.call(context, 'heartbeat', args, topic, version);
  }

  /**
   * Runs a class method of a versioned object on any conductor (e.g. Node `list`, `get_by_uuid`,
   * `get_by_name`), objects converted to `object_versions`; returns objects or lists of them.
   * @throws whatever the method raises, e.g. NodeNotFound
   */
  object_class_action_versions(
    context: RequestContext,
    objname: string,
    objmethod: string,
    object_versions: Record<string, string>,
    args: unknown[],
    kwargs: Dict,
  ): Promise<unknown> {
    return this.call(context, 'object_class_action_versions', { objname, objmethod, object_versions, args, kwargs });
  }

  /** Runs a method of an object instance on any conductor; returns `[updates, result]`. */
  object_action(
    context: RequestContext,
    objinst: IronicObject,
    objmethod: string,
    args: unknown[],
    kwargs: Dict,
  ): Promise<unknown> {
    return this.call(context, 'object_action', { objinst, objmethod, args, kwargs });
  }

  /** Asks any conductor to backport an object to the given versions. */
  object_backport_versions(
    context: RequestContext,
    objinst: IronicObject,
    object_versions: Record<string, string>,
  ): Promise<unknown> {
    return this.call(context, 'object_backport_versions', { objinst, object_versions });
  }

  /** Deletes a volume connector (object). @throws NodeLocked, NodeNotFound, VolumeConnectorNotFound */
  destroy_volume_connector(
    context: RequestContext,
    connector: Obj<VolumeConnectorFields>,
    topic?: string,
  ): Promise<null> {
    return this.call(context, 'destroy_volume_connector', { connector }, topic);
  }

  /** Saves a volume connector's changed fields; returns it. @throws InvalidParameterValue, NodeLocked, NodeNotFound, VolumeConnectorNotFound, VolumeConnectorTypeAndIdAlreadyExists */
  update_volume_connector(
    context: RequestContext,
    connector: Obj<VolumeConnectorFields>,
    topic?: string,
  ): Promise<Obj<VolumeConnectorFields>> {
    return this.call(context, 'update_volume_connector', { connector }, topic);
  }

  /** Deletes a volume target (object). @throws NodeLocked, NodeNotFound, VolumeTargetNotFound */
  destroy_volume_target(context: RequestContext, target: Obj<VolumeTargetFields>, topic?: string): Promise<null> {
    return this.call(context, 'destroy_volume_target', { target }, topic);
  }

  /** Saves a volume target's changed fields; returns it. @throws InvalidParameterValue, NodeLocked, NodeNotFound, VolumeTargetNotFound, VolumeTargetBootIndexAlreadyExists */
  update_volume_target(
    context: RequestContext,
    target: Obj<VolumeTargetFields>,
    topic?: string,
  ): Promise<Obj<VolumeTargetFields>> {
    return this.call(context, 'update_volume_target', { target }, topic);
  }

  /** Attaches a VIF (`vif_info.id`) to the node. @throws NodeLocked, NetworkError, VifAlreadyAttached, NoFreePhysicalPorts, InvalidParameterValue */
  vif_attach(context: RequestContext, node_id: NodeId, vif_info: Dict & { id: string }, topic?: string): Promise<null> {
    return this.call(context, 'vif_attach', { node_id, vif_info }, topic);
  }

  /** Detaches a VIF. @throws NodeLocked, NetworkError, VifNotAttached, InvalidParameterValue */
  vif_detach(context: RequestContext, node_id: NodeId, vif_id: string, topic?: string): Promise<null> {
    return this.call(context, 'vif_detach', { node_id, vif_id }, topic);
  }

  /** The VIFs attached to the node: `[{id}]`. @throws NetworkError, InvalidParameterValue */
  vif_list(context: RequestContext, node_id: NodeId, topic?: string): Promise<Array<{ id: string }>> {
    return this.call(context, 'vif_list', { node_id }, topic);
  }

  /** Starts a rescue with the given password. @throws NodeInMaintenance, NodeLocked, NoFreeConductorWorker, InstanceRescueFailure, InvalidStateRequested */
  do_node_rescue(context: RequestContext, node_id: NodeId, rescue_password: string, topic?: string): Promise<null> {
    return this.call(context, 'do_node_rescue', { node_id, rescue_password }, topic);
  }

  /** Starts an unrescue. @throws NodeInMaintenance, NodeLocked, NoFreeConductorWorker, InstanceUnrescueFailure, InvalidStateRequested */
  do_node_unrescue(context: RequestContext, node_id: NodeId, topic?: string): Promise<null> {
    return this.call(context, 'do_node_unrescue', { node_id }, topic);
  }

  /** Adds traits, or replaces all of them when `replace`. @throws InvalidParameterValue (too many traits), NodeLocked, NodeNotFound */
  add_node_traits(
    context: RequestContext,
    node_id: NodeId,
    traits: string[],
    replace = false,
    topic?: string,
  ): Promise<null> {
    return this.call(context, 'add_node_traits', { node_id, traits, replace }, topic);
  }

  /** Removes the given traits, or all when `traits` is null. @throws NodeLocked, NodeNotFound, NodeTraitNotFound */
  remove_node_traits(context: RequestContext, node_id: NodeId, traits: string[] | null, topic?: string): Promise<null> {
    return this.call(context, 'remove_node_traits', { node_id, traits }, topic);
  }

  /** Continues a deployment after a deploy step (a cast; the conductor's drivers send it, never the API). */
  continue_node_deploy(context: RequestContext, node_id: NodeId, topic?: string): Promise<void> {
    return this.client.cast(
      context,
      { topic: topic || this.topic },
      'continue_node_deploy',
      { node_id },
      { version: CONDUCTOR_RPC_METHODS.continue_node_deploy.version },
    );
  }

  /**
   * Creates an allocation; the conductor continues it in the background unless it backfills.
   * @throws InvalidParameterValue, NodeAssociated, InstanceAssociated, NodeNotFound, AllocationDuplicateName, AllocationAlreadyExists, AllocationFailed
   */
  create_allocation(
    context: RequestContext,
    allocation: Obj<AllocationFields>,
    topic?: string,
  ): Promise<Obj<AllocationFields>> {
    return this.call(context, 'create_allocation', { allocation }, topic);
  }

  /** Deletes an allocation (an Allocation object). @throws InvalidState, NodeLocked */
  destroy_allocation(context: RequestContext, allocation: Obj<AllocationFields>, topic?: string): Promise<null> {
    return this.call(context, 'destroy_allocation', { allocation }, topic);
  }

  /**
   * The node with a freshly minted agent token in `driver_internal_info.agent_secret_token`
   * ('******' when one had been minted already). @throws NodeLocked, Invalid
   */
  get_node_with_token(context: RequestContext, node_id: NodeId, topic?: string): Promise<Obj<NodeFields>> {
    return this.call(context, 'get_node_with_token', { node_id }, topic);
  }

  /** Sets an indicator ('on', 'off', 'blinking'). @throws NodeLocked, UnsupportedDriverExtension, InvalidParameterValue */
  set_indicator_state(
    context: RequestContext,
    node_id: NodeId,
    component: string,
    indicator: string,
    state: string,
    topic?: string,
  ): Promise<null> {
    return this.call(context, 'set_indicator_state', { node_id, component, indicator, state }, topic);
  }

  /** An indicator's state ('on', 'off', 'blinking', 'unknown'). @throws NodeLocked, UnsupportedDriverExtension, InvalidParameterValue */
  get_indicator_state(
    context: RequestContext,
    node_id: NodeId,
    component: string,
    indicator: string,
    topic?: string,
  ): Promise<string> {
    return this.call(context, 'get_indicator_state', { node_id, component, indicator }, topic);
  }

  /**
   * The node's indicators: `{component: {indicator: {readonly, states}}}` (component null: all).
   * @throws NodeLocked, UnsupportedDriverExtension, InvalidParameterValue
   */
  get_supported_indicators(
    context: RequestContext,
    node_id: NodeId,
    component: string | null = null,
    topic?: string,
  ): Promise<Record<string, Record<string, { readonly: boolean; states: string[] }>>> {
    return this.call(context, 'get_supported_indicators', { node_id, component }, topic);
  }

  /** Changes the boot mode ('bios' or 'uefi'), in the background. @throws InvalidParameterValue, NoFreeConductorWorker, NodeLocked */
  change_node_boot_mode(context: RequestContext, node_id: NodeId, new_state: string, topic?: string): Promise<null> {
    return this.call(context, 'change_node_boot_mode', { node_id, new_state }, topic);
  }

  /** Turns secure boot on or off, in the background. @throws InvalidParameterValue, NoFreeConductorWorker, NodeLocked */
  change_node_secure_boot(context: RequestContext, node_id: NodeId, new_state: boolean, topic?: string): Promise<null> {
    return this.call(context, 'change_node_secure_boot', { node_id, new_state }, topic);
  }

  /**
   * Hands the inventory an in-band inspection collected to the conductor (the node must be in
   * `inspect wait`); processing continues in the background.
   * @throws NodeLocked, NotFound, Invalid
   */
  continue_inspection(
    context: RequestContext,
    node_id: NodeId,
    inventory: Dict,
    plugin_data: Dict | null = null,
    topic?: string,
  ): Promise<null> {
    return this.call(context, 'continue_inspection', { node_id, inventory, plugin_data }, topic);
  }

  /**
   * Services an active node with `service_steps`, in the background. `disable_ramdisk` is always
   * sent (null when the caller gave none), as 39.0's rpcapi does.
   * @throws InvalidParameterValue, InvalidStateRequested, NodeInMaintenance, NodeLocked, NoFreeConductorWorker, ConcurrentActionLimit, StepNotAllowed
   */
  do_node_service(
    context: RequestContext,
    node_id: NodeId,
    service_steps: Dict[],
    disable_ramdisk: boolean | null = null,
    topic?: string,
  ): Promise<null> {
    return this.call(context, 'do_node_service', { node_id, service_steps, disable_ramdisk }, topic);
  }

  /**
   * Attaches a virtual media image, in the background. 39.0's rpcapi takes an
   * image_download_source but never sends it, so neither does the gateway.
   * @throws InvalidParameterValue, NoFreeConductorWorker, NodeLocked, UnsupportedDriverExtension, TemporaryFailure
   */
  attach_virtual_media(
    context: RequestContext,
    node_id: NodeId,
    device_type: string,
    image_url: string,
    topic?: string,
  ): Promise<null> {
    return this.call(context, 'attach_virtual_media', { node_id, device_type, image_url }, topic);
  }

  /** Detaches virtual media of `device_types` (null: every device), in the background. @throws as attach_virtual_media */
  detach_virtual_media(
    context: RequestContext,
    node_id: NodeId,
    device_types: string[] | null = null,
    topic?: string,
  ): Promise<null> {
    return this.call(context, 'detach_virtual_media', { node_id, device_types }, topic);
  }

  /** Continues servicing after a service step (a cast; the conductor's drivers send it, never the API). */
  continue_node_service(context: RequestContext, node_id: NodeId, topic?: string): Promise<void> {
    return this.client.cast(
      context,
      { topic: topic || this.topic },
      'continue_node_service',
      { node_id },
      { version: CONDUCTOR_RPC_METHODS.continue_node_service.version },
    );
  }

  /** The node's virtual media as its driver reports it. @throws InvalidParameterValue, UnsupportedDriverExtension */
  get_virtual_media(context: RequestContext, node_id: NodeId, topic?: string): Promise<unknown> {
    return this.call(context, 'get_virtual_media', { node_id }, topic);
  }

  /**
   * Moves a portgroup and its member ports to another physical network (after update_portgroup,
   * on the same topic). The keyword is `portgroup`, as the conductor names it.
   * @throws NodeLocked, NodeNotFound
   */
  update_portgroup_physical_network(
    context: RequestContext,
    portgroup: Obj<PortgroupFields>,
    new_physical_network: string | null,
    topic?: string,
  ): Promise<null> {
    return this.call(context, 'update_portgroup_physical_network', { portgroup, new_physical_network }, topic);
  }
}

/** An RpcClient for the conductor: Ironic's context keys, versioned objects, the version cap (RPC_API_VERSION by default). */
export function createConductorRpcClient(
  transport: Transport,
  config: Pick<Config, 'rpc_response_timeout'>,
  versionCap: string = RPC_API_VERSION,
  observer?: RpcObserver,
): RpcClient<RequestContext> {
  return new RpcClient<RequestContext>(transport, {
    defaultTimeoutMs: Math.round(config.rpc_response_timeout * 1000),
    versionCap,
    serializeContext: toWireContext,
    serializer: objectSerializer,
    observer,
  });
}

/**
 * The ConductorAPI over an RpcClient, with the hash ring settings from the configuration and
 * the object versions of its release profile (pin_release_version).
 */
export function createConductorAPI(
  client: RpcClient<RequestContext>,
  config: Pick<Config, 'hash_partition_exponent' | 'hash_ring_reset_interval'> &
    Partial<Pick<Config, 'node_routing_ttl'>>,
  topic?: string,
  objectVersions?: Readonly<Record<string, string>>,
): ConductorAPI {
  return new ConductorAPI(client, {
    topic,
    hashPartitionExponent: config.hash_partition_exponent,
    hashRingResetInterval: config.hash_ring_reset_interval,
    objectVersions,
    nodeRoutingTtl: config.node_routing_ttl ?? 0,
  });
}
