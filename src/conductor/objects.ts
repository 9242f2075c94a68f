/**
 * Ironic's versioned objects as they travel over RPC (oslo.versionedobjects primitives):
 * `{"ironic_object.name", "ironic_object.namespace", "ironic_object.version",
 *   "ironic_object.data", "ironic_object.changes"}`.
 *
 * Objects are built at the versions of the gateway's release profile (src/releases.ts: the
 * newest it knows, 21.4's, or a pinned release's); decoding is lenient: a newer
 * version sent by a newer conductor is kept as received, with its unknown fields, so that an
 * update sends back what it got plus `changes` naming exactly the fields modified here.
 * Datetimes are ISO-8601 strings.
 */
import type { Serializer } from '../rpc/client.ts';
import { isRecord } from '../rpc/wire.ts';

export const OBJECT_NAMESPACE = 'ironic';

/**
 * The newest object versions the gateway knows: Ironic 39.0's release mapping (conductor RPC
 * 1.62; Deployment left out: the API never reads it), plus BIOSSettingList and
 * FirmwareComponentList, which the mapping leaves out but a manifest asking for them must name. A pinned gateway uses its release's versions instead (ConductorAPI.objectVersions).
 */
export const OBJECT_VERSIONS = {
  Node: '1.44',
  Port: '1.16',
  Portgroup: '1.9',
  Chassis: '1.4',
  VolumeConnector: '1.1',
  VolumeTarget: '1.1',
  Trait: '1.1',
  TraitList: '1.2',
  Conductor: '1.6',
  Allocation: '1.3',
  BIOSSetting: '1.2',
  BIOSSettingList: '1.1',
  DeployTemplate: '1.2',
  NodeHistory: '1.3',
  NodeInventory: '1.1',
  FirmwareComponent: '1.2',
  FirmwareComponentList: '1.1',
  Runbook: '1.2',
  RunbookTrait: '1.0',
  RunbookTraitList: '1.0',
  InspectionRule: '1.1',
} as const;

export type ObjectName = keyof typeof OBJECT_VERSIONS;

/**
 * The remotable class methods the API calls through `object_class_action_versions`, per object
 * class (ironic/objects/*.py). A call naming a class or method not listed does not compile.
 */
export const OBJECT_CLASS_METHODS = {
  Node: ['get_by_id', 'get_by_uuid', 'get_by_name', 'get_by_instance_uuid', 'get_by_port_addresses', 'list'],
  Port: [
    'get_by_id',
    'get_by_uuid',
    'get_by_address',
    'list',
    'list_by_node_id',
    'list_by_portgroup_id',
    // issue 14, the resources slice: GET /v1/ports?shard= (1.82)
    'list_by_node_shards',
    // issue 15, slice ports: GET/PATCH /v1/ports/{name} (39.0, every microversion)
    'get_by_name',
  ],
  Portgroup: [
    'get_by_id',
    'get_by_uuid',
    'get_by_address',
    'get_by_name',
    'list',
    'list_by_node_id',
    // GET /v1/portgroups?shard= (1.106)
    'list_by_node_shards',
  ],
  Chassis: ['get_by_id', 'get_by_uuid', 'list'],
  VolumeConnector: ['get_by_id', 'get_by_uuid', 'list', 'list_by_node_id'],
  VolumeTarget: ['get_by_id', 'get_by_uuid', 'list', 'list_by_node_id'],
  Conductor: [
    'list',
    'get_by_hostname',
    // Conductor 1.5 (Ironic 32.0): reads 21.4's API did in SQL
    'get_shard_list',
    'list_hardware_type_interfaces_dict',
    'get_active_hardware_type_dict',
  ],
  Allocation: ['get_by_id', 'get_by_uuid', 'get_by_name', 'list', 'check_node_list'],
  BIOSSettingList: ['get_by_node_id'],
  BIOSSetting: ['get'],
  DeployTemplate: ['get_by_id', 'get_by_uuid', 'get_by_name', 'list'],
  NodeHistory: ['get_by_uuid', 'list_by_node_id'],
  NodeInventory: ['get_by_node_id'],
  // issue 15 (Ironic 22.0–39.0); Runbook.get_by_* fail on a 39.0 conductor (its
  // obj_make_compatible is broken): read one runbook with Runbook.list(filters uuid_in/name_in)
  FirmwareComponentList: ['get_by_node_id'],
  Runbook: ['get_by_uuid', 'get_by_name', 'list'],
  RunbookTrait: ['destroy'],
  RunbookTraitList: ['create', 'destroy'],
  InspectionRule: ['get_by_uuid', 'list'],
} as const satisfies Partial<Record<ObjectName, readonly string[]>>;

/** An object class the API reads through the indirection API. */
export type IndirectionClass = keyof typeof OBJECT_CLASS_METHODS;
/** The class methods of `N` the API may call. */
export type ClassMethodOf<N extends IndirectionClass> = (typeof OBJECT_CLASS_METHODS)[N][number];
/** Any class method of any indirection class. */
export type AnyClassMethod = ClassMethodOf<IndirectionClass>;
/** The classes that have class method `M` (e.g. every class with `get_by_uuid`). */
export type ClassesWith<M extends string> = {
  [N in IndirectionClass]: M extends ClassMethodOf<N> ? N : never;
}[IndirectionClass];

/** The remotable instance methods the API calls through `object_action`. */
export const OBJECT_ACTIONS = ['create', 'save', 'destroy'] as const;
export type ObjectActionName = (typeof OBJECT_ACTIONS)[number];

type DateTime = string | null;
type Dict = Record<string, unknown> | null;
interface Stamped {
  created_at?: DateTime;
  updated_at?: DateTime;
}

export interface NodeFields extends Stamped {
  id: number;
  uuid: string | null;
  name: string | null;
  chassis_id: number | null;
  instance_uuid: string | null;
  driver: string | null;
  driver_info: Dict;
  driver_internal_info: Dict;
  clean_step: Dict;
  raid_config: Dict;
  target_raid_config: Dict;
  instance_info: Dict;
  properties: Dict;
  reservation: string | null;
  conductor_affinity: number | null;
  power_state: string | null;
  target_power_state: string | null;
  provision_state: string | null;
  provision_updated_at: DateTime;
  target_provision_state: string | null;
  maintenance: boolean;
  maintenance_reason: string | null;
  console_enabled: boolean;
  last_error: string | null;
  resource_class: string | null;
  inspection_finished_at: DateTime;
  inspection_started_at: DateTime;
  extra: Dict;
  boot_interface: string | null;
  console_interface: string | null;
  deploy_interface: string | null;
  inspect_interface: string | null;
  management_interface: string | null;
  network_interface: string | null;
  power_interface: string | null;
  raid_interface: string | null;
  rescue_interface: string | null;
  storage_interface: string | null;
  vendor_interface: string | null;
  traits: IronicObject<TraitListFields> | null;
  // Node 1.24 … 1.37 (Rocky … Antelope); absent from a Node read from a Queens conductor
  bios_interface?: string | null;
  fault?: string | null;
  deploy_step?: Dict;
  /** used for hash-ring routing (`<group>:<driver>`) */
  conductor_group?: string;
  automated_clean?: boolean | null;
  protected?: boolean;
  protected_reason?: string | null;
  owner?: string | null;
  allocation_id?: number | null;
  description?: string | null;
  retired?: boolean | null;
  retired_reason?: string | null;
  lessee?: string | null;
  network_data?: Dict;
  boot_mode?: string | null;
  secure_boot?: boolean | null;
  shard?: string | null;
  // Node 1.38–1.44 (Ironic 22.0–34.0)
  parent_node?: string | null;
  firmware_interface?: string | null;
  service_step?: Dict;
  disable_power_off?: boolean;
  instance_name?: string | null;
  health?: string | null;
}
export interface PortFields extends Stamped {
  id: number;
  uuid: string | null;
  node_id: number | null;
  address: string | null;
  extra: Dict;
  local_link_connection: Dict;
  portgroup_id: number | null;
  pxe_enabled: boolean;
  internal_info: Dict;
  physical_network: string | null;
  // Port 1.9 … 1.11
  is_smartnic?: boolean;
  name?: string | null;
  node_uuid?: string | null;
  // Port 1.12–1.16 (Ironic 25.0–35.0)
  description?: string | null;
  vendor?: string | null;
  category?: string | null;
  available_for_dynamic_portgroup?: boolean;
}
export interface PortgroupFields extends Stamped {
  id: number;
  uuid: string | null;
  name: string | null;
  node_id: number | null;
  address: string | null;
  extra: Dict;
  internal_info: Dict;
  standalone_ports_supported: boolean;
  mode: string | null;
  properties: Dict;
  /** Portgroup 1.5 */
  node_uuid?: string | null;
  // Portgroup 1.7–1.9 (Ironic 33.0–35.0)
  physical_network?: string | null;
  category?: string | null;
  dynamic_portgroup?: boolean;
}
export interface ChassisFields extends Stamped {
  id: number;
  uuid: string | null;
  extra: Dict;
  description: string | null;
}
export interface VolumeConnectorFields extends Stamped {
  id: number;
  uuid: string | null;
  node_id: number | null;
  type: string | null;
  connector_id: string | null;
  extra: Dict;
}
export interface VolumeTargetFields extends Stamped {
  id: number;
  uuid: string | null;
  node_id: number | null;
  volume_type: string | null;
  properties: Dict;
  boot_index: number | null;
  volume_id: string | null;
  extra: Dict;
}
export interface TraitFields extends Stamped {
  node_id: string;
  trait: string;
}
export interface TraitListFields {
  objects: IronicObject<TraitFields>[];
}
export interface ConductorFields extends Stamped {
  id: number;
  drivers: string[] | null;
  hostname: string;
  /** Conductor 1.3 */
  conductor_group?: string;
  /** Conductor 1.4 (Ironic 26.0) */
  online?: boolean;
}
export interface AllocationFields extends Stamped {
  id: number;
  uuid: string | null;
  name: string | null;
  node_id: number | null;
  state: string | null;
  last_error: string | null;
  resource_class: string | null;
  traits: string[] | null;
  candidate_nodes: string[] | null;
  extra: Dict;
  conductor_affinity: number | null;
  owner?: string | null;
}
export interface BIOSSettingFields extends Stamped {
  /** a string in BIOSSetting (StringField), unlike every other node_id */
  node_id: string | number;
  name: string;
  value: string | null;
  attribute_type?: string | null;
  allowable_values?: string[] | null;
  lower_bound?: number | null;
  max_length?: number | null;
  min_length?: number | null;
  read_only?: boolean | null;
  reset_required?: boolean | null;
  unique?: boolean | null;
  upper_bound?: number | null;
}
export interface BIOSSettingListFields extends Stamped {
  objects: IronicObject<BIOSSettingFields>[];
}
export interface DeployTemplateFields extends Stamped {
  id: number;
  uuid: string | null;
  name: string | null;
  steps: Dict[] | null;
  extra?: Dict;
}
export interface NodeHistoryFields extends Stamped {
  id: number;
  uuid: string | null;
  conductor: string | null;
  event: string | null;
  user: string | null;
  node_id: number | null;
  event_type: string | null;
  severity: string | null;
  /** NodeHistory 1.2 (Ironic 38.0) */
  project?: string | null;
  /** NodeHistory 1.3 (Ironic 39.0) */
  state?: string | null;
  target_provision_state?: string | null;
  duration_seconds?: number | null;
}
export interface NodeInventoryFields extends Stamped {
  id: number;
  node_id: number | null;
  inventory_data: Dict;
  plugin_data: Dict;
}

/** Field names per object at OBJECT_VERSIONS (base fields created_at/updated_at included), as Ironic 39.0 declares them. */
export const OBJECT_FIELDS: Readonly<Record<ObjectName, readonly string[]>> = {
  Node: [
    'id',
    'uuid',
    'name',
    'chassis_id',
    'instance_uuid',
    'driver',
    'driver_info',
    'driver_internal_info',
    'clean_step',
    'deploy_step',
    'service_step',
    'raid_config',
    'target_raid_config',
    'instance_info',
    'properties',
    'reservation',
    'conductor_affinity',
    'conductor_group',
    'power_state',
    'target_power_state',
    'provision_state',
    'provision_updated_at',
    'target_provision_state',
    'maintenance',
    'maintenance_reason',
    'fault',
    'console_enabled',
    'last_error',
    'resource_class',
    'inspection_finished_at',
    'inspection_started_at',
    'extra',
    'automated_clean',
    'protected',
    'protected_reason',
    'allocation_id',
    'bios_interface',
    'boot_interface',
    'console_interface',
    'deploy_interface',
    'firmware_interface',
    'inspect_interface',
    'management_interface',
    'network_interface',
    'power_interface',
    'raid_interface',
    'rescue_interface',
    'storage_interface',
    'vendor_interface',
    'traits',
    'owner',
    'lessee',
    'description',
    'retired',
    'retired_reason',
    'network_data',
    'boot_mode',
    'secure_boot',
    'shard',
    'parent_node',
    'disable_power_off',
    'instance_name',
    'health',
    'created_at',
    'updated_at',
  ],
  Port: [
    'id',
    'uuid',
    'node_id',
    'node_uuid',
    'address',
    'extra',
    'local_link_connection',
    'portgroup_id',
    'pxe_enabled',
    'internal_info',
    'physical_network',
    'is_smartnic',
    'name',
    'description',
    'vendor',
    'category',
    'available_for_dynamic_portgroup',
    'created_at',
    'updated_at',
  ],
  Portgroup: [
    'id',
    'uuid',
    'name',
    'node_id',
    'node_uuid',
    'address',
    'extra',
    'internal_info',
    'standalone_ports_supported',
    'mode',
    'properties',
    'physical_network',
    'category',
    'dynamic_portgroup',
    'created_at',
    'updated_at',
  ],
  Chassis: ['id', 'uuid', 'extra', 'description', 'created_at', 'updated_at'],
  VolumeConnector: ['id', 'uuid', 'node_id', 'type', 'connector_id', 'extra', 'created_at', 'updated_at'],
  VolumeTarget: [
    'id',
    'uuid',
    'node_id',
    'volume_type',
    'properties',
    'boot_index',
    'volume_id',
    'extra',
    'created_at',
    'updated_at',
  ],
  Trait: ['node_id', 'trait', 'created_at', 'updated_at'],
  TraitList: ['objects', 'created_at', 'updated_at'],
  Conductor: ['id', 'drivers', 'hostname', 'conductor_group', 'online', 'created_at', 'updated_at'],
  Allocation: [
    'id',
    'uuid',
    'name',
    'node_id',
    'state',
    'last_error',
    'resource_class',
    'traits',
    'candidate_nodes',
    'extra',
    'conductor_affinity',
    'owner',
    'created_at',
    'updated_at',
  ],
  BIOSSetting: [
    'node_id',
    'name',
    'value',
    'attribute_type',
    'allowable_values',
    'lower_bound',
    'max_length',
    'min_length',
    'read_only',
    'reset_required',
    'unique',
    'upper_bound',
    'created_at',
    'updated_at',
  ],
  BIOSSettingList: ['objects', 'created_at', 'updated_at'],
  DeployTemplate: ['id', 'uuid', 'name', 'steps', 'extra', 'created_at', 'updated_at'],
  NodeHistory: [
    'id',
    'uuid',
    'conductor',
    'event',
    'user',
    'project',
    'node_id',
    'event_type',
    'severity',
    'state',
    'target_provision_state',
    'duration_seconds',
    'created_at',
    'updated_at',
  ],
  NodeInventory: ['id', 'node_id', 'inventory_data', 'plugin_data', 'created_at', 'updated_at'],
  FirmwareComponent: [
    'id',
    'node_id',
    'component',
    'initial_version',
    'current_version',
    'last_version_flashed',
    'vendor',
    'model',
    'serial_number',
    'created_at',
    'updated_at',
  ],
  FirmwareComponentList: ['objects', 'created_at', 'updated_at'],
  Runbook: [
    'id',
    'uuid',
    'name',
    'description',
    'steps',
    'disable_ramdisk',
    'extra',
    'public',
    'owner',
    'traits',
    'created_at',
    'updated_at',
  ],
  RunbookTrait: ['runbook_id', 'trait', 'created_at', 'updated_at'],
  RunbookTraitList: ['objects', 'created_at', 'updated_at'],
  InspectionRule: [
    'id',
    'uuid',
    'priority',
    'description',
    'sensitive',
    'phase',
    'scope',
    'actions',
    'conditions',
    'created_at',
    'updated_at',
  ],
};

export interface ObjectPrimitive {
  'ironic_object.name': string;
  'ironic_object.namespace': string;
  'ironic_object.version': string;
  'ironic_object.data': Record<string, unknown>;
  'ironic_object.changes'?: string[];
}

export function isObjectPrimitive(v: unknown): v is ObjectPrimitive {
  return isRecord(v) && typeof v['ironic_object.name'] === 'string' && isRecord(v['ironic_object.data']);
}

/** oslo's DateTimeField primitive: second precision, UTC, `Z`. */
export const isoTime = (d: Date): string => `${d.toISOString().slice(0, 19)}Z`;

type AnyFields = Record<string, unknown>;

/**
 * One versioned object with change tracking. Fields absent from the data are "not set" (as in
 * oslo) and are not sent. `set` marks a field changed; `toPrimitive` lists the changed fields.
 * Dict fields mutated in place are not seen: assign a new value, as Ironic's code does.
 */
export class IronicObject<F extends object = AnyFields> {
  private readonly values = new Map<string, unknown>();
  private readonly changed = new Set<string>();

  constructor(
    readonly name: string,
    data: Partial<F> | AnyFields = {},
    readonly version: string = OBJECT_VERSIONS[name as ObjectName] ?? '1.0',
    readonly namespace: string = OBJECT_NAMESPACE,
    changes: Iterable<string> = [],
  ) {
    // for-in, not Object.entries: a node has ~60 fields and lists decode thousands of them
    for (const k in data) {
      const v = (data as AnyFields)[k];
      if (v !== undefined) this.values.set(k, v);
    }
    for (const c of changes) this.changed.add(c);
  }

  /** A new object to be created by the conductor: every given field counts as changed. */
  static create<N extends keyof FieldsOf>(
    name: N,
    fields: Partial<FieldsOf[N]>,
    version?: string,
  ): IronicObject<FieldsOf[N]> {
    const obj = new IronicObject<FieldsOf[N]>(name, fields, version);
    for (const k of Object.keys(fields)) if ((fields as AnyFields)[k] !== undefined) obj.changed.add(k);
    return obj;
  }

  /** Decodes a primitive (nested objects included) without judging its version. */
  static fromPrimitive<F extends object = AnyFields>(p: ObjectPrimitive): IronicObject<F> {
    const obj = new IronicObject<F>(
      p['ironic_object.name'],
      {},
      p['ironic_object.version'],
      p['ironic_object.namespace'] ?? OBJECT_NAMESPACE,
      p['ironic_object.changes'] ?? [],
    );
    const data = p['ironic_object.data'];
    for (const k in data) {
      const v = deserializeValue(data[k]);
      if (v !== undefined) obj.values.set(k, v);
    }
    return obj;
  }

  get<K extends keyof F & string>(field: K): F[K] | undefined {
    return this.values.get(field) as F[K] | undefined;
  }

  has(field: string): boolean {
    return this.values.has(field);
  }

  set<K extends keyof F & string>(field: K, value: F[K]): this {
    this.values.set(field, value instanceof Date ? isoTime(value) : value);
    this.changed.add(field);
    return this;
  }

  /** Sets several fields; each is marked changed. */
  update(fields: Partial<F>): this {
    for (const [k, v] of Object.entries(fields))
      if (v !== undefined) this.set(k as keyof F & string, v as F[keyof F & string]);
    return this;
  }

  /** Field names set on this object (unknown fields from newer versions included). */
  fieldNames(): string[] {
    return [...this.values.keys()];
  }

  /** Changed fields, including fields holding objects that changed (oslo's obj_what_changed). */
  whatChanged(): string[] {
    const out = new Set(this.changed);
    for (const [k, v] of this.values) {
      if (v instanceof IronicObject && v.whatChanged().length > 0) out.add(k);
      if (Array.isArray(v) && v.some((x) => x instanceof IronicObject && x.whatChanged().length > 0)) out.add(k);
    }
    return [...out];
  }

  resetChanges(): void {
    this.changed.clear();
    for (const v of this.values.values()) {
      if (v instanceof IronicObject) v.resetChanges();
      if (Array.isArray(v)) for (const x of v) if (x instanceof IronicObject) x.resetChanges();
    }
  }

  toPrimitive(): ObjectPrimitive {
    const data: AnyFields = {};
    for (const [k, v] of this.values) data[k] = serializeValue(v);
    const p: ObjectPrimitive = {
      'ironic_object.name': this.name,
      'ironic_object.namespace': this.namespace,
      'ironic_object.version': this.version,
      'ironic_object.data': data,
    };
    const changes = this.whatChanged();
    if (changes.length > 0) p['ironic_object.changes'] = changes;
    return p;
  }

  /** Plain fields (nested objects as plain fields too), e.g. for building an API response. */
  toPlain(): AnyFields {
    const out: AnyFields = {};
    for (const [k, v] of this.values) out[k] = plainValue(v);
    return out;
  }

  toJSON(): ObjectPrimitive {
    return this.toPrimitive();
  }
}

/** Field types per object name, for `IronicObject.create`. */
export interface FieldsOf {
  Node: NodeFields;
  Port: PortFields;
  Portgroup: PortgroupFields;
  Chassis: ChassisFields;
  VolumeConnector: VolumeConnectorFields;
  VolumeTarget: VolumeTargetFields;
  Trait: TraitFields;
  TraitList: TraitListFields;
  Conductor: ConductorFields;
  Allocation: AllocationFields;
  BIOSSetting: BIOSSettingFields;
  BIOSSettingList: BIOSSettingListFields;
  DeployTemplate: DeployTemplateFields;
  NodeHistory: NodeHistoryFields;
  NodeInventory: NodeInventoryFields;
  FirmwareComponent: FirmwareComponentFields;
  FirmwareComponentList: ObjectListFields<FirmwareComponentFields>;
  Runbook: RunbookFields;
  RunbookTrait: RunbookTraitFields;
  RunbookTraitList: ObjectListFields<RunbookTraitFields>;
  InspectionRule: InspectionRuleFields;
}

/** An ObjectListBase class: its items. */
export interface ObjectListFields<F extends object> extends Stamped {
  objects: IronicObject<F>[];
}
export interface FirmwareComponentFields extends Stamped {
  id: number;
  node_id: number;
  component: string;
  initial_version: string;
  current_version: string | null;
  last_version_flashed: string | null;
  vendor?: string | null;
  model?: string | null;
  serial_number?: string | null;
}
export interface RunbookFields extends Stamped {
  id: number;
  uuid: string;
  name: string;
  description?: string | null;
  steps: Dict[];
  disable_ramdisk: boolean;
  extra: Dict;
  public: boolean;
  owner: string | null;
  // ListOfStringsField (39.0's objects/runbook.py), read from the runbook_traits rows
  traits?: string[];
}
export interface RunbookTraitFields extends Stamped {
  runbook_id: number;
  trait: string;
}
export interface InspectionRuleFields extends Stamped {
  id: number;
  uuid: string;
  priority: number;
  description: string | null;
  sensitive: boolean;
  phase: string;
  scope: string | null;
  actions: Dict[];
  conditions: Dict[];
}

/** A TraitList of the given trait names (as Ironic's TraitList.create sends nothing but names). */
export function traitList(traits: readonly string[], nodeId = ''): IronicObject<TraitListFields> {
  return new IronicObject<TraitListFields>('TraitList', {
    objects: traits.map((t) => new IronicObject<TraitFields>('Trait', { node_id: nodeId, trait: t })),
  });
}

/** Trait names of a TraitList object (or its primitive). */
export function traitNames(list: unknown): string[] {
  const obj = isObjectPrimitive(list) ? IronicObject.fromPrimitive(list) : list;
  if (!(obj instanceof IronicObject)) return [];
  const objects = obj.get('objects');
  return Array.isArray(objects)
    ? objects.map((t) => (t instanceof IronicObject ? String(t.get('trait')) : '')).filter(Boolean)
    : [];
}

function serializeValue(v: unknown): unknown {
  if (v instanceof IronicObject) return v.toPrimitive();
  if (v instanceof Date) return isoTime(v);
  if (Array.isArray(v)) return v.map(serializeValue);
  if (isRecord(v)) {
    const out: AnyFields = {};
    for (const [k, x] of Object.entries(v)) out[k] = serializeValue(x);
    return out;
  }
  return v;
}

function deserializeValue(v: unknown): unknown {
  // most fields are scalars: answer them before any object test (this runs per field per node)
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) return v.map(deserializeValue);
  if (isObjectPrimitive(v)) return IronicObject.fromPrimitive(v);
  const out: AnyFields = {};
  for (const k in v) out[k] = deserializeValue((v as AnyFields)[k]);
  return out;
}

/** A field's value as plain JSON data (nested objects as their plain fields). */
export function plainValue(v: unknown): unknown {
  if (v instanceof IronicObject) return v.toPlain();
  if (Array.isArray(v)) return v.map(plainValue);
  return v;
}

/** oslo's IronicObjectSerializer: objects to primitives on the way out, back on the way in. */
export const objectSerializer: Serializer = {
  serialize: serializeValue,
  deserialize: deserializeValue,
};
