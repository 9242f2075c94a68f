/**
 * Every REST microversion gate of the v1 API, named as Ironic names it
 * (ironic/api/controllers/v1/versions.py: `MINOR_27_SOFT_POWER_OFF`), with the `allow_…` and
 * `check_allow_…` predicates of ironic/api/controllers/v1/utils.py that read them.
 *
 * This module is the only place a microversion is written as a number. `Microversion` is a
 * branded number, so every API that takes one (route `minVersion`, field tables, `atLeast`)
 * refuses a bare literal at compile time; test/unit/http/versions.test.ts refuses literal
 * comparisons with `.minor` anywhere else. A new microversion is one row here (its constant,
 * in order) plus, where Ironic has one, its predicate.
 */
import { ironicError } from '../conductor/exceptions.ts';
import { RELEASE_MAPPING } from '../releases.ts';

/** The minor part of a v1 microversion (1.N), only ever one of the named constants below. */
export type Microversion = number & { readonly __brand: 'Microversion' };

const minor = (n: number): Microversion => n as Microversion;

// The microversions, as versions.py lists them. The release that first served each is in
// API_RELEASES below (release_mappings.py); those before its first row came in 10.0 or earlier.
export const MINOR_1_INITIAL_VERSION = minor(1);
export const MINOR_2_AVAILABLE_STATE = minor(2);
export const MINOR_3_DRIVER_INTERNAL_INFO = minor(3);
export const MINOR_4_MANAGEABLE_STATE = minor(4);
export const MINOR_5_NODE_NAME = minor(5);
export const MINOR_6_INSPECT_STATE = minor(6);
export const MINOR_7_NODE_CLEAN = minor(7);
export const MINOR_8_FETCHING_SUBSET_OF_FIELDS = minor(8);
export const MINOR_9_PROVISION_STATE_FILTER = minor(9);
export const MINOR_10_UNRESTRICTED_NODE_NAME = minor(10);
export const MINOR_11_ENROLL_STATE = minor(11);
export const MINOR_12_RAID_CONFIG = minor(12);
export const MINOR_13_ABORT_VERB = minor(13);
export const MINOR_14_LINKS_NODESTATES_DRIVERPROPERTIES = minor(14);
export const MINOR_15_MANUAL_CLEAN = minor(15);
export const MINOR_16_DRIVER_FILTER = minor(16);
export const MINOR_17_ADOPT_VERB = minor(17);
export const MINOR_18_PORT_INTERNAL_INFO = minor(18);
export const MINOR_19_PORT_ADVANCED_NET_FIELDS = minor(19);
export const MINOR_20_NETWORK_INTERFACE = minor(20);
export const MINOR_21_RESOURCE_CLASS = minor(21);
export const MINOR_22_LOOKUP_HEARTBEAT = minor(22);
export const MINOR_23_PORTGROUPS = minor(23);
export const MINOR_24_PORTGROUPS_SUBCONTROLLERS = minor(24);
export const MINOR_25_UNSET_CHASSIS_UUID = minor(25);
export const MINOR_26_PORTGROUP_MODE_PROPERTIES = minor(26);
export const MINOR_27_SOFT_POWER_OFF = minor(27);
export const MINOR_28_VIFS_SUBCONTROLLER = minor(28);
export const MINOR_29_INJECT_NMI = minor(29);
export const MINOR_30_DYNAMIC_DRIVERS = minor(30);
export const MINOR_31_DYNAMIC_INTERFACES = minor(31);
export const MINOR_32_VOLUME = minor(32);
export const MINOR_33_STORAGE_INTERFACE = minor(33);
export const MINOR_34_PORT_PHYSICAL_NETWORK = minor(34);
export const MINOR_35_REBUILD_CONFIG_DRIVE = minor(35);
export const MINOR_36_AGENT_VERSION_HEARTBEAT = minor(36);
export const MINOR_37_NODE_TRAITS = minor(37);
export const MINOR_38_RESCUE_INTERFACE = minor(38);
export const MINOR_39_INSPECT_WAIT = minor(39);
export const MINOR_40_BIOS_INTERFACE = minor(40);
export const MINOR_41_INSPECTION_ABORT = minor(41);
export const MINOR_42_FAULT = minor(42);
export const MINOR_43_ENABLE_DETAIL_QUERY = minor(43);
export const MINOR_44_NODE_DEPLOY_STEP = minor(44);
export const MINOR_45_RESET_INTERFACES = minor(45);
export const MINOR_46_NODE_CONDUCTOR_GROUP = minor(46);
export const MINOR_47_NODE_AUTOMATED_CLEAN = minor(47);
export const MINOR_48_NODE_PROTECTED = minor(48);
export const MINOR_49_CONDUCTORS = minor(49);
export const MINOR_50_NODE_OWNER = minor(50);
export const MINOR_51_NODE_DESCRIPTION = minor(51);
export const MINOR_52_ALLOCATION = minor(52);
export const MINOR_53_PORT_SMARTNIC = minor(53);
export const MINOR_54_EVENTS = minor(54);
export const MINOR_55_DEPLOY_TEMPLATES = minor(55);
export const MINOR_56_BUILD_CONFIGDRIVE = minor(56);
export const MINOR_57_ALLOCATION_UPDATE = minor(57);
export const MINOR_58_ALLOCATION_BACKFILL = minor(58);
export const MINOR_59_CONFIGDRIVE_VENDOR_DATA = minor(59);
export const MINOR_60_ALLOCATION_OWNER = minor(60);
export const MINOR_61_NODE_RETIRED = minor(61);
export const MINOR_62_AGENT_TOKEN = minor(62);
export const MINOR_63_INDICATORS = minor(63);
export const MINOR_64_LOCAL_LINK_CONNECTION_NETWORK_TYPE = minor(64);
export const MINOR_65_NODE_LESSEE = minor(65);
export const MINOR_66_NODE_NETWORK_DATA = minor(66);
export const MINOR_67_NODE_VIF_ATTACH_PORT = minor(67);
export const MINOR_68_HEARTBEAT_VERIFY_CA = minor(68);
export const MINOR_69_DEPLOY_STEPS = minor(69);
export const MINOR_70_CLEAN_DISABLE_RAMDISK = minor(70);
export const MINOR_71_RBAC_SCOPES = minor(71);
export const MINOR_72_HEARTBEAT_STATUS = minor(72);
export const MINOR_73_DEPLOY_UNDEPLOY_VERBS = minor(73);
export const MINOR_74_BIOS_REGISTRY = minor(74);
export const MINOR_75_NODE_BOOT_MODE = minor(75);
export const MINOR_76_NODE_CHANGE_BOOT_MODE = minor(76);
export const MINOR_77_DRIVER_FIELDS_SELECTOR = minor(77);
export const MINOR_78_NODE_HISTORY = minor(78);
export const MINOR_79_ALLOCATION_NODE_NAME = minor(79);
export const MINOR_80_PROJECT_CREATE_DELETE_NODE = minor(80);
export const MINOR_81_NODE_INVENTORY = minor(81);
export const MINOR_82_NODE_SHARD = minor(82);
export const MINOR_83_PARENT_CHILD_NODES = minor(83);
export const MINOR_84_CONTINUE_INSPECTION = minor(84);
export const MINOR_85_UNHOLD_VERB = minor(85);
export const MINOR_86_FIRMWARE_INTERFACE = minor(86);
export const MINOR_87_SERVICE = minor(87);
export const MINOR_88_PORT_NAME = minor(88);
export const MINOR_89_ATTACH_DETACH_VMEDIA = minor(89);
export const MINOR_90_OVN_VTEP = minor(90);
export const MINOR_91_DOT_JSON = minor(91);
export const MINOR_92_RUNBOOKS = minor(92);
export const MINOR_93_GET_VMEDIA = minor(93);
export const MINOR_94_PORT_NODENAME = minor(94);
export const MINOR_95_DISABLE_POWER_OFF = minor(95);
export const MINOR_96_INSPECTION_RULES = minor(96);
export const MINOR_97_PORT_DESCRIPTION = minor(97);
export const MINOR_98_SUPPORT_SPECIAL_CHAR_IN_ATTRIBUTES = minor(98);
export const MINOR_99_PORT_PORTGROUP_CONDUCTOR_GROUP_FILTER = minor(99);
export const MINOR_100_PORT_VENDOR = minor(100);
export const MINOR_101_PORT_CATEGORY = minor(101);
export const MINOR_102_PORTGROUP_PHYSICAL_NETWORK = minor(102);
export const MINOR_103_PORTGROUP_CATEGORY = minor(103);
export const MINOR_104_NODE_INSTANCE_NAME = minor(104);
export const MINOR_105_REMOVE_OVN_VTEP = minor(105);
export const MINOR_106_PORTGROUP_SHARD = minor(106);
export const MINOR_107_X_OPENSTACK_REQUEST_ID = minor(107);
export const MINOR_108_SERVICE_DISABLE_RAMDISK = minor(108);
export const MINOR_109_NODE_HEALTH = minor(109);
export const MINOR_110_DEPLOYWAIT_ABORT = minor(110);
export const MINOR_111_DYNAMIC_PORTGROUP = minor(111);
export const MINOR_112_RUNBOOK_TRAITS = minor(112);
export const MINOR_113_NODE_HISTORY_PROJECT = minor(113);
export const MINOR_114_FIRMWARE_IDENTITY = minor(114);
export const MINOR_115_NODE_HISTORY_FIELDS = minor(115);

/** The oldest microversion served (versions.MIN_VERSION_STRING). */
export const MINOR_MIN_VERSION = MINOR_1_INITIAL_VERSION;
/**
 * The newest microversion this gateway implements, served when no release is pinned
 * (versions.MAX_VERSION_STRING); a pinned gateway serves its release's maximum
 * (ReleaseProfile.apiMinor, src/releases.ts).
 */
export const MINOR_MAX_VERSION = MINOR_115_NODE_HISTORY_FIELDS;

/** release_mappings.py: the newest REST microversion of each Ironic release, oldest first. */
export const API_RELEASES: readonly { readonly release: string; readonly api: Microversion }[] = [
  { release: '10.0', api: MINOR_36_AGENT_VERSION_HEARTBEAT },
  ...Object.entries(RELEASE_MAPPING).map(([release, m]) => ({ release, api: minor(Number(m.api.split('.')[1])) })),
];

/** The first Ironic release serving `v` ("≤10.0" for those older than the mapping's first row). */
export function releaseOf(v: Microversion): string {
  if (v <= API_RELEASES[0].api) return `≤${API_RELEASES[0].release}`;
  return API_RELEASES.find((r) => r.api >= v)?.release ?? 'unreleased';
}

/** Anything that carries a negotiated microversion (a request). */
export interface Versioned {
  readonly apiVersion: { readonly major: number; readonly minor: number };
}

/** True when the negotiated microversion is at least `v`. */
export function allows(request: Versioned, v: Microversion): boolean {
  return request.apiVersion.minor >= v;
}

/** NotAcceptable (406) as ironic-api raises it for a feature above the requested version. */
export function notAcceptable(message = 'Request not acceptable.'): Error {
  return ironicError('NotAcceptable', message);
}

/** NotAcceptable naming the minimal version, as check_allow_specify_driver and friends word it. */
export function needsVersion(v: Microversion): Error {
  return notAcceptable(`Request not acceptable. The minimal required API version should be 1.${v}`);
}

/** 406 unless the negotiated microversion is at least `v` (the common `check_allow_…` shape). */
export function checkAllows(request: Versioned, v: Microversion, error: () => Error = () => notAcceptable()): void {
  if (!allows(request, v)) throw error();
}

const gate =
  (v: Microversion) =>
  (request: Versioned): boolean =>
    allows(request, v);

// utils.py's predicates, by their Ironic names.
export const allowAvailableState = gate(MINOR_2_AVAILABLE_STATE);
export const allowNodeLogicalNames = gate(MINOR_5_NODE_NAME);
export const allowSpecifyFields = gate(MINOR_8_FETCHING_SUBSET_OF_FIELDS);
export const allowProvisionStateFilter = gate(MINOR_9_PROVISION_STATE_FILTER);
export const allowUnrestrictedNodeName = gate(MINOR_10_UNRESTRICTED_NODE_NAME);
export const allowEnrollState = gate(MINOR_11_ENROLL_STATE);
export const allowRaidConfig = gate(MINOR_12_RAID_CONFIG);
export const allowDriverFilter = gate(MINOR_16_DRIVER_FILTER);
export const allowResourceClass = gate(MINOR_21_RESOURCE_CLASS);
export const allowPortgroupsSubcontrollers = gate(MINOR_24_PORTGROUPS_SUBCONTROLLERS);
export const allowRemoveChassisUuid = gate(MINOR_25_UNSET_CHASSIS_UUID);
export const allowPortgroupModeProperties = gate(MINOR_26_PORTGROUP_MODE_PROPERTIES);
export const allowSoftPowerOff = gate(MINOR_27_SOFT_POWER_OFF);
export const allowDynamicDrivers = gate(MINOR_30_DYNAMIC_DRIVERS);
export const allowNodeRebuildWithConfigdrive = gate(MINOR_35_REBUILD_CONFIG_DRIVE);
export const allowAgentVersionInHeartbeat = gate(MINOR_36_AGENT_VERSION_HEARTBEAT);
// node sub-resources (BIOS, history, inventory): issue 14
export const allowBiosInterface = gate(MINOR_40_BIOS_INTERFACE);
export const allowQueryBios = gate(MINOR_74_BIOS_REGISTRY);
export const allowNodeHistory = gate(MINOR_78_NODE_HISTORY);
export const allowNodeInventory = gate(MINOR_81_NODE_INVENTORY);
// issue 14, the ramdisk endpoints: lookup mints the agent token (1.62); heartbeat's agent_verify_ca (1.68),
// agent_status and agent_status_message (1.72)
export const allowAgentToken = gate(MINOR_62_AGENT_TOKEN);
export const allowVerifyCaInHeartbeat = gate(MINOR_68_HEARTBEAT_VERIFY_CA);
export const allowStatusInHeartbeat = gate(MINOR_72_HEARTBEAT_STATUS);

// Node fields and parameters 1.39–1.82 (issue 14, slice nodefields): utils.py's predicates.
export const allowDetailQuery = gate(MINOR_43_ENABLE_DETAIL_QUERY);
export const allowResetInterfaces = gate(MINOR_45_RESET_INTERFACES);
export const allowExposeConductors = gate(MINOR_49_CONDUCTORS);
export const allowAllocations = gate(MINOR_52_ALLOCATION);
/** check_allow_filter_by_* : 406 naming the minimal version when a filter is given below `v`. */
export function checkAllowFilter(request: Versioned, value: unknown, v: Microversion): void {
  if (value !== undefined && !allows(request, v)) throw needsVersion(v);
}
// issue 14, provisioning (slice provision)
export const allowInspectWaitState = gate(MINOR_39_INSPECT_WAIT);
export const allowInspectAbort = gate(MINOR_41_INSPECTION_ABORT);
export const allowBuildConfigdrive = gate(MINOR_56_BUILD_CONFIGDRIVE);
export const allowConfigdriveVendorData = gate(MINOR_59_CONFIGDRIVE_VENDOR_DATA);
export const allowDeploySteps = gate(MINOR_69_DEPLOY_STEPS);
// allocations (slice issue14-allocations)
export const allowAllocationUpdate = gate(MINOR_57_ALLOCATION_UPDATE);
export const allowAllocationBackfill = gate(MINOR_58_ALLOCATION_BACKFILL);
export const allowAllocationOwner = gate(MINOR_60_ALLOCATION_OWNER);

// Issue 14, the resources slice (deploy templates, events, conductors, shards, ports, drivers):
// utils.py's predicates of 1.39–1.82 these routes read, by their Ironic names.
// (allowDetailQuery, allowExposeConductors and allowInspectWaitState: above, other slices')
export const allowPortIsSmartnic = gate(MINOR_53_PORT_SMARTNIC);
export const allowExposeEvents = gate(MINOR_54_EVENTS);
export const allowLocalLinkConnectionNetworkType = gate(MINOR_64_LOCAL_LINK_CONNECTION_NETWORK_TYPE);
export const allowDriverFieldsSelector = gate(MINOR_77_DRIVER_FIELDS_SELECTOR);

/** check_allow_filter_by_shard: `?shard=` below 1.82 is 406 naming the version. */
export function checkAllowFilterByShard(request: Versioned, shard: unknown): void {
  if (shard !== undefined && !allows(request, MINOR_82_NODE_SHARD)) throw needsVersion(MINOR_82_NODE_SHARD);
}

// Issue 15, slice nodes (1.83 child nodes … 1.115 node history fields): utils.py's predicates
// of 39.0 these routes read, by their Ironic names, and the release gate of behaviour that
// depends on the pin rather than on the request's microversion.
export const allowChildNodes = gate(MINOR_83_PARENT_CHILD_NODES);
export const allowDisablePowerOff = gate(MINOR_95_DISABLE_POWER_OFF);
export const allowNodeInstanceName = gate(MINOR_104_NODE_INSTANCE_NAME);
export const allowNodeHealth = gate(MINOR_109_NODE_HEALTH);
export const newContinueInspectionEndpoint = gate(MINOR_84_CONTINUE_INSPECTION);
/** check_allow_child_node_params: include_children / parent_node below 1.83 → 406 naming 1.83. */
export function checkAllowChildNodeParams(request: Versioned, includeChildren: unknown, parentNode: unknown): void {
  if ((includeChildren !== undefined || parentNode !== undefined) && !allowChildNodes(request))
    throw needsVersion(MINOR_83_PARENT_CHILD_NODES);
}
/** check_allow_filter_by_instance_name: 406 `instance_name is not acceptable in this API version`. */
export function checkAllowFilterByInstanceName(request: Versioned, instanceName: unknown): void {
  if (instanceName !== undefined && !allowNodeInstanceName(request))
    throw notAcceptable('instance_name is not acceptable in this API version');
}
/**
 * Whether the gateway answers as an Ironic release that serves microversion `v` (the pinned
 * release's REST maximum, or the newest): behaviour a release introduced at every microversion
 * together with `v` (e.g. 39.0's `.json` handling came with 1.91) follows the pin, not the
 * request. The same gate as servesAntelope (api-utils/port.ts), for any release.
 */
export function servesRelease(
  request: { readonly server: { readonly apiMaxMinor: number } },
  v: Microversion,
): boolean {
  return request.server.apiMaxMinor >= v;
}

/**
 * Whether the gateway answers as Ironic 39.0 (unpinned, or pinned to a release after 21.4)
 * where 39.0 changed behaviour at every microversion; pinned to 21.4 or older it answers as
 * 21.4 does.
 */
export function servesHibiscus(request: { readonly server: { readonly apiMaxMinor: number } }): boolean {
  return servesRelease(request, MINOR_83_PARENT_CHILD_NODES);
}
// Issue 15, slice provision: utils.py's predicates of the provisioning verbs 1.85–1.110.
export const allowUnholdVerb = gate(MINOR_85_UNHOLD_VERB);
export const allowServiceVerb = gate(MINOR_87_SERVICE);
export const allowDeployAbort = gate(MINOR_110_DEPLOYWAIT_ABORT);
// Issue 15, slice ports: utils.py's predicates of 1.88–1.111 for ports and portgroups, by their
// Ironic names (1.97's ?description_contains= and 1.99's ?conductor_groups= are not gated).
export const allowPortName = gate(MINOR_88_PORT_NAME);
/** allow_ovn_vtep_version: the OVN VTEP keys of local_link_connection, 1.90 up to (not including) 1.105. */
export const allowOvnVtepVersion = (request: Versioned): boolean =>
  allows(request, MINOR_90_OVN_VTEP) && !allows(request, MINOR_105_REMOVE_OVN_VTEP);
export const allowNodeIdentAsParamForPortCreation = gate(MINOR_94_PORT_NODENAME);
export const allowPortDescription = gate(MINOR_97_PORT_DESCRIPTION);
export const allowPortVendor = gate(MINOR_100_PORT_VENDOR);
export const allowPortCategory = gate(MINOR_101_PORT_CATEGORY);
export const allowPortgroupPhysicalNetwork = gate(MINOR_102_PORTGROUP_PHYSICAL_NETWORK);
export const allowPortgroupCategory = gate(MINOR_103_PORTGROUP_CATEGORY);
export const allowPortAvailableForDynamicPortgroup = gate(MINOR_111_DYNAMIC_PORTGROUP);
export const allowPortgroupDynamicPortgroup = gate(MINOR_111_DYNAMIC_PORTGROUP);
/** check_allow_portgroup_filter_by_shard: `?shard=` on portgroups below 1.106 is 406 naming the version. */
export function checkAllowPortgroupFilterByShard(request: Versioned, shard: unknown): void {
  if (shard !== undefined && !allows(request, MINOR_106_PORTGROUP_SHARD)) throw needsVersion(MINOR_106_PORTGROUP_SHARD);
}
// Issue 15, slice vmedia (virtual media, firmware, the in-band inspection callback): utils.py's predicates.
/** allow_continue_inspection_endpoint: 1.84+, and exactly 1.1 (ironic-inspector's callback, no version header). */
export function allowContinueInspectionEndpoint(request: Versioned): boolean {
  return newContinueInspectionEndpoint(request) || request.apiVersion.minor === MINOR_1_INITIAL_VERSION;
}
export const allowFirmwareIdentity = gate(MINOR_114_FIRMWARE_IDENTITY);
export const allowAttachDetachVmedia = gate(MINOR_89_ATTACH_DETACH_VMEDIA);
export const allowGetVmedia = gate(MINOR_93_GET_VMEDIA);
// Issue 15, slice runbooks: utils.py's predicates (39.0) of runbooks and inspection rules
export const allowRunbookTraits = gate(MINOR_112_RUNBOOK_TRAITS);
