/**
 * The versioned objects the simulated conductor stores and serves, at Ironic 39.0's versions
 * (a pinned gateway asks for older ones; ADDED_IN says what each older version lacks): field
 * names in Ironic's order, defaults a fresh row gets, and the datetime fields.
 */
import type { IronicExceptionClass } from '../conductor/exceptions.ts';

export type Row = Record<string, unknown> & {
  id: number;
  uuid: string;
  created_at: Date | null;
  updated_at: Date | null;
};

export interface ObjectClass {
  name: string;
  version: string;
  fields: readonly string[];
  /** values for fields a create leaves unset */
  defaults: Readonly<Record<string, unknown>>;
  dates: readonly string[];
  /** the exception class and kwarg for "not found" */
  notFound: readonly [className: IronicExceptionClass, kwarg: string, label: string];
}

export const NODE_INTERFACES = [
  'bios',
  'boot',
  'console',
  'deploy',
  'inspect',
  'management',
  'network',
  'power',
  'raid',
  'rescue',
  'storage',
  'vendor',
] as const;

const NODE_FIELDS = [
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
  ...NODE_INTERFACES.slice(0, NODE_INTERFACES.indexOf('deploy') + 1).map((i) => `${i}_interface`),
  'firmware_interface',
  ...NODE_INTERFACES.slice(NODE_INTERFACES.indexOf('deploy') + 1).map((i) => `${i}_interface`),
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
];

export const NODE: ObjectClass = {
  name: 'Node',
  version: '1.44',
  fields: NODE_FIELDS,
  defaults: {
    name: null,
    chassis_id: null,
    instance_uuid: null,
    driver: null,
    driver_info: {},
    driver_internal_info: {},
    clean_step: {},
    raid_config: {},
    target_raid_config: {},
    instance_info: {},
    properties: {},
    reservation: null,
    conductor_affinity: null,
    power_state: null,
    target_power_state: null,
    provision_state: 'available',
    provision_updated_at: null,
    target_provision_state: null,
    maintenance: false,
    maintenance_reason: null,
    console_enabled: false,
    last_error: null,
    resource_class: null,
    inspection_finished_at: null,
    inspection_started_at: null,
    extra: {},
    ...Object.fromEntries(NODE_INTERFACES.map((i) => [`${i}_interface`, null])),
    traits: [],
    deploy_step: {},
    conductor_group: '',
    fault: null,
    automated_clean: null,
    protected: false,
    protected_reason: null,
    allocation_id: null,
    owner: null,
    lessee: null,
    description: null,
    retired: false,
    retired_reason: null,
    network_data: {},
    boot_mode: null,
    secure_boot: null,
    shard: null,
    service_step: {},
    firmware_interface: null,
    parent_node: null,
    disable_power_off: false,
    instance_name: null,
    health: null,
  },
  dates: ['provision_updated_at', 'inspection_finished_at', 'inspection_started_at', 'created_at', 'updated_at'],
  notFound: ['NodeNotFound', 'node', 'Node'],
};

export const PORT: ObjectClass = {
  name: 'Port',
  version: '1.16',
  fields: [
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
  defaults: {
    node_id: null,
    address: null,
    extra: {},
    local_link_connection: {},
    portgroup_id: null,
    pxe_enabled: true,
    internal_info: {},
    physical_network: null,
    is_smartnic: false,
    name: null,
    description: null,
    vendor: null,
    category: null,
    available_for_dynamic_portgroup: true,
  },
  dates: ['created_at', 'updated_at'],
  notFound: ['PortNotFound', 'port', 'Port'],
};

export const PORTGROUP: ObjectClass = {
  name: 'Portgroup',
  version: '1.9',
  fields: [
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
  defaults: {
    name: null,
    node_id: null,
    address: null,
    extra: {},
    internal_info: {},
    standalone_ports_supported: true,
    mode: 'active-backup',
    properties: {},
    physical_network: null,
    category: null,
    dynamic_portgroup: false,
  },
  dates: ['created_at', 'updated_at'],
  notFound: ['PortgroupNotFound', 'portgroup', 'Portgroup'],
};

export const CHASSIS: ObjectClass = {
  name: 'Chassis',
  version: '1.4',
  fields: ['id', 'uuid', 'extra', 'description', 'created_at', 'updated_at'],
  defaults: { extra: {}, description: null },
  dates: ['created_at', 'updated_at'],
  notFound: ['ChassisNotFound', 'chassis', 'Chassis'],
};

export const VOLUME_CONNECTOR: ObjectClass = {
  name: 'VolumeConnector',
  version: '1.1',
  fields: ['id', 'uuid', 'node_id', 'type', 'connector_id', 'extra', 'created_at', 'updated_at'],
  defaults: { node_id: null, type: null, connector_id: null, extra: {} },
  dates: ['created_at', 'updated_at'],
  notFound: ['VolumeConnectorNotFound', 'connector', 'Volume connector'],
};

export const VOLUME_TARGET: ObjectClass = {
  name: 'VolumeTarget',
  version: '1.1',
  fields: [
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
  defaults: { node_id: null, volume_type: null, properties: {}, boot_index: null, volume_id: null, extra: {} },
  dates: ['created_at', 'updated_at'],
  notFound: ['VolumeTargetNotFound', 'target', 'Volume target'],
};

/** Conductor 1.6 (conductor_group 1.3, online 1.4), as Ironic 39.0 answers Conductor.list. */
export const CONDUCTOR: ObjectClass = {
  name: 'Conductor',
  version: '1.6',
  fields: ['id', 'drivers', 'hostname', 'conductor_group', 'online', 'created_at', 'updated_at'],
  defaults: { drivers: [], conductor_group: '', online: true },
  dates: ['created_at', 'updated_at'],
  notFound: ['ConductorNotFound', 'conductor', 'Conductor'],
};

// ---- node sub-resources (21.4): BIOS settings, history, inventory

/**
 * BIOSSetting 1.2. Its `node_id` is a StringField: the node's integer id travels as a string.
 * Rows carry the table's own id and uuid, which the object has not (never sent).
 */
export const BIOS_SETTING: ObjectClass = {
  name: 'BIOSSetting',
  version: '1.2',
  fields: [
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
  defaults: {
    value: null,
    attribute_type: null,
    allowable_values: null,
    lower_bound: null,
    max_length: null,
    min_length: null,
    read_only: null,
    reset_required: null,
    unique: null,
    upper_bound: null,
  },
  dates: ['created_at', 'updated_at'],
  notFound: ['BIOSSettingNotFound', 'name', 'BIOS setting'],
};

/**
 * BIOSSettingList 1.1: `objects` (and IronicObject's timestamps, never set); its objects are
 * the BIOSSetting rows.
 */
export const BIOS_SETTING_LIST: ObjectClass = {
  name: 'BIOSSettingList',
  version: '1.1',
  fields: ['objects', 'created_at', 'updated_at'],
  defaults: {},
  dates: [],
  notFound: ['BIOSSettingListNotFound', 'names', 'BIOS settings'],
};

export const NODE_HISTORY: ObjectClass = {
  name: 'NodeHistory',
  version: '1.3',
  fields: [
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
  defaults: {
    conductor: null,
    event: null,
    user: null,
    project: null,
    node_id: null,
    event_type: null,
    severity: null,
    state: null,
    target_provision_state: null,
    duration_seconds: null,
  },
  dates: ['created_at', 'updated_at'],
  notFound: ['NodeHistoryNotFound', 'history', 'Node history record'],
};

/** NodeInventory 1.1 (no uuid of its own; the row's is never sent). */
export const NODE_INVENTORY: ObjectClass = {
  name: 'NodeInventory',
  version: '1.1',
  fields: ['id', 'node_id', 'inventory_data', 'plugin_data', 'created_at', 'updated_at'],
  defaults: { node_id: null, inventory_data: null, plugin_data: null },
  dates: ['created_at', 'updated_at'],
  notFound: ['NodeInventoryNotFound', 'node', 'Node inventory record for node'],
};

/** Allocation 1.3 (owner 1.1; 1.2 and 1.3 add methods only), as Ironic stores it (objects/allocation.py, db model defaults). */
export const ALLOCATION: ObjectClass = {
  name: 'Allocation',
  version: '1.3',
  fields: [
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
  defaults: {
    name: null,
    node_id: null,
    state: 'allocating',
    last_error: null,
    resource_class: null,
    traits: [],
    candidate_nodes: [],
    extra: {},
    conductor_affinity: null,
    owner: null,
  },
  dates: ['created_at', 'updated_at'],
  notFound: ['AllocationNotFound', 'allocation', 'Allocation'],
};

/**
 * DeployTemplate 1.2 (extra 1.1; 1.2 makes methods remotable), as Ironic stores it: steps are rows of their own table,
 * answered as `{interface, step, args, priority}` with an integer priority; an unset extra
 * reads back as `{}` (JsonEncodedDict).
 */
export const DEPLOY_TEMPLATE: ObjectClass = {
  name: 'DeployTemplate',
  version: '1.2',
  fields: ['id', 'uuid', 'name', 'steps', 'extra', 'created_at', 'updated_at'],
  defaults: { steps: [], extra: {} },
  dates: ['created_at', 'updated_at'],
  notFound: ['DeployTemplateNotFound', 'template', 'Deploy template'],
};

// ---- issue 15, slice vmedia: firmware components (39.0's objects/firmware.py)

/** FirmwareComponent 1.2 (vendor, model, serial_number 1.2). */
export const FIRMWARE_COMPONENT: ObjectClass = {
  name: 'FirmwareComponent',
  version: '1.2',
  fields: [
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
  defaults: { current_version: null, last_version_flashed: null, vendor: null, model: null, serial_number: null },
  dates: ['created_at', 'updated_at'],
  notFound: ['FirmwareComponentNotFound', 'name', 'Firmware component'],
};

/** FirmwareComponentList 1.1: `objects`, the FirmwareComponent rows of a node. */
export const FIRMWARE_COMPONENT_LIST: ObjectClass = {
  name: 'FirmwareComponentList',
  version: '1.1',
  fields: ['objects', 'created_at', 'updated_at'],
  defaults: {},
  dates: [],
  notFound: ['FirmwareComponentNotFound', 'name', 'Firmware component'],
};

// ---- issue 15, slice runbooks: Runbook 1.2, RunbookTrait(List) 1.0, InspectionRule 1.1 (39.0's objects/)

/**
 * Runbook 1.2 (description and traits 1.2): steps are rows of their own table, answered as
 * `{interface, step, args, order}`; traits a plain list of strings (ListOfStringsField, read
 * from the runbook_traits rows); an unset extra reads back as `{}`.
 */
export const RUNBOOK: ObjectClass = {
  name: 'Runbook',
  version: '1.2',
  fields: [
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
  defaults: { description: null, steps: [], disable_ramdisk: false, extra: {}, public: false, owner: null, traits: [] },
  dates: ['created_at', 'updated_at'],
  notFound: ['RunbookNotFound', 'runbook', 'Runbook'],
};

/** RunbookTrait 1.0: one (runbook_id, trait) row; the simulator keeps them in the runbook's `traits`. */
export const RUNBOOK_TRAIT: ObjectClass = {
  name: 'RunbookTrait',
  version: '1.0',
  fields: ['runbook_id', 'trait', 'created_at', 'updated_at'],
  defaults: {},
  dates: ['created_at', 'updated_at'],
  notFound: ['RunbookTraitNotFound', 'trait', 'Runbook trait'],
};

export const RUNBOOK_TRAIT_LIST: ObjectClass = {
  name: 'RunbookTraitList',
  version: '1.0',
  fields: ['objects', 'created_at', 'updated_at'],
  defaults: {},
  dates: [],
  notFound: ['RunbookNotFound', 'runbook', 'Runbook'],
};

/** InspectionRule 1.1 (1.1 makes methods remotable). */
export const INSPECTION_RULE: ObjectClass = {
  name: 'InspectionRule',
  version: '1.1',
  fields: [
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
  defaults: {
    priority: 0,
    description: null,
    sensitive: false,
    phase: 'main',
    scope: null,
    actions: [],
    conditions: [],
  },
  dates: ['created_at', 'updated_at'],
  notFound: ['InspectionRuleNotFound', 'rule', 'Rule'],
};

export const CLASSES: Readonly<Record<string, ObjectClass>> = Object.fromEntries(
  [
    NODE,
    PORT,
    PORTGROUP,
    CHASSIS,
    VOLUME_CONNECTOR,
    VOLUME_TARGET,
    CONDUCTOR,
    BIOS_SETTING,
    BIOS_SETTING_LIST,
    NODE_HISTORY,
    NODE_INVENTORY,
    ALLOCATION,
    DEPLOY_TEMPLATE,
    // issue 15, slice vmedia
    FIRMWARE_COMPONENT,
    FIRMWARE_COMPONENT_LIST,
    // issue 15, slice runbooks
    RUNBOOK,
    RUNBOOK_TRAIT,
    RUNBOOK_TRAIT_LIST,
    INSPECTION_RULE,
  ].map((c) => [c.name, c]),
);

/** The stored class named `name` (from the wire: Object.prototype's names are no class). */
export function classOf(name: string): ObjectClass | undefined {
  return Object.hasOwn(CLASSES, name) ? CLASSES[name] : undefined;
}

/** Fields an older object version lacks, as Ironic's _convert_to_version removes them. */
export const ADDED_IN: Readonly<Record<string, ReadonlyArray<readonly [string, string]>>> = {
  Node: [
    ['rescue_interface', '1.22'],
    ['traits', '1.23'],
    ['bios_interface', '1.24'],
    ['fault', '1.25'],
    ['deploy_step', '1.26'],
    ['conductor_group', '1.27'],
    ['automated_clean', '1.28'],
    ['protected', '1.29'],
    ['protected_reason', '1.29'],
    ['owner', '1.30'],
    ['allocation_id', '1.31'],
    ['description', '1.32'],
    ['retired', '1.33'],
    ['retired_reason', '1.33'],
    ['lessee', '1.34'],
    ['network_data', '1.35'],
    ['boot_mode', '1.36'],
    ['secure_boot', '1.36'],
    ['shard', '1.37'],
    ['parent_node', '1.38'],
    ['firmware_interface', '1.39'],
    ['service_step', '1.40'],
    ['disable_power_off', '1.41'],
    ['instance_name', '1.43'],
    ['health', '1.44'],
  ],
  Port: [
    ['physical_network', '1.7'],
    ['is_smartnic', '1.9'],
    ['name', '1.10'],
    ['node_uuid', '1.11'],
    ['description', '1.12'],
    ['vendor', '1.13'],
    ['category', '1.15'],
    ['available_for_dynamic_portgroup', '1.16'],
  ],
  Portgroup: [
    ['node_uuid', '1.5'],
    ['physical_network', '1.7'],
    ['category', '1.8'],
    ['dynamic_portgroup', '1.9'],
  ],
  Conductor: [
    ['conductor_group', '1.3'],
    ['online', '1.4'],
  ],
  NodeHistory: [
    ['project', '1.2'],
    ['state', '1.3'],
    ['target_provision_state', '1.3'],
    ['duration_seconds', '1.3'],
  ],
  Allocation: [['owner', '1.1']],
  DeployTemplate: [['extra', '1.1']],
  // issue 15, slice vmedia
  FirmwareComponent: [
    ['vendor', '1.2'],
    ['model', '1.2'],
    ['serial_number', '1.2'],
  ],
  // issue 15, slice runbooks
  Runbook: [
    ['description', '1.2'],
    ['traits', '1.2'],
  ],
};
