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

/** The oldest microversion served (versions.MIN_VERSION_STRING). */
export const MINOR_MIN_VERSION = MINOR_1_INITIAL_VERSION;
/** The newest microversion served (versions.MAX_VERSION_STRING). */
export const MINOR_MAX_VERSION = MINOR_38_RESCUE_INTERFACE;

/** release_mappings.py: the newest REST microversion of each Ironic release, oldest first. */
export const API_RELEASES: readonly { readonly release: string; readonly api: Microversion }[] = [
  { release: '10.0', api: MINOR_36_AGENT_VERSION_HEARTBEAT },
  { release: '10.1', api: MINOR_38_RESCUE_INTERFACE },
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
export const allowLinksNodeStatesAndDriverProperties = gate(MINOR_14_LINKS_NODESTATES_DRIVERPROPERTIES);
export const allowDriverFilter = gate(MINOR_16_DRIVER_FILTER);
export const allowResourceClass = gate(MINOR_21_RESOURCE_CLASS);
export const allowRamdiskEndpoints = gate(MINOR_22_LOOKUP_HEARTBEAT);
export const allowPortgroups = gate(MINOR_23_PORTGROUPS);
export const allowPortgroupsSubcontrollers = gate(MINOR_24_PORTGROUPS_SUBCONTROLLERS);
export const allowRemoveChassisUuid = gate(MINOR_25_UNSET_CHASSIS_UUID);
export const allowPortgroupModeProperties = gate(MINOR_26_PORTGROUP_MODE_PROPERTIES);
export const allowSoftPowerOff = gate(MINOR_27_SOFT_POWER_OFF);
export const allowDynamicDrivers = gate(MINOR_30_DYNAMIC_DRIVERS);
export const allowVolume = gate(MINOR_32_VOLUME);
export const allowStorageInterface = gate(MINOR_33_STORAGE_INTERFACE);
export const allowNodeRebuildWithConfigdrive = gate(MINOR_35_REBUILD_CONFIG_DRIVE);
export const allowAgentVersionInHeartbeat = gate(MINOR_36_AGENT_VERSION_HEARTBEAT);
export const allowRescueInterface = gate(MINOR_38_RESCUE_INTERFACE);
