/**
 * Conductor 1.5's class methods (Ironic 32.0; issue 15, slice ports): the reads 21.4's
 * ironic-api did in SQL, which 39.0's ironic-api makes through the indirection API —
 * Conductor.get_active_hardware_type_dict (/v1/drivers), list_hardware_type_interfaces_dict
 * (driver details) and get_shard_list (/v1/shards). The gateway uses them when its Conductor
 * version (the release profile's) is at least 1.5, and its own emulation otherwise, since an
 * older conductor has no such method.
 */
import type { FastifyRequest } from 'fastify';
import { classAction } from './lookup.ts';

/** True when the gateway's Conductor object version has the 32.0 class methods. */
export function hasConductorClassMethods(request: FastifyRequest): boolean {
  const [major, minor] = String(request.conductor.objectVersions.Conductor ?? '1.0')
    .split('.')
    .map(Number);
  return major > 1 || (major === 1 && minor >= 5);
}

/** Conductor.get_active_hardware_type_dict(): hardware type → the hosts of the active conductors. */
export async function activeHardwareTypes(request: FastifyRequest): Promise<Map<string, string[]>> {
  const dict = await classAction(request, 'Conductor', 'get_active_hardware_type_dict', []);
  const out = new Map<string, string[]>();
  if (dict && typeof dict === 'object' && !Array.isArray(dict))
    for (const [name, hosts] of Object.entries(dict as Record<string, unknown>))
      out.set(name, Array.isArray(hosts) ? hosts.map(String) : []);
  return out;
}

/** One row of Conductor.list_hardware_type_interfaces_dict. */
export interface HardwareInterfaceRow {
  hardware_type: string;
  interface_type: string;
  interface_name: string;
  default: boolean;
}

/** Conductor.list_hardware_type_interfaces_dict(names): the interface rows of those hardware types. */
export async function hardwareTypeInterfaces(
  request: FastifyRequest,
  names: readonly string[],
): Promise<HardwareInterfaceRow[]> {
  const rows = await classAction(request, 'Conductor', 'list_hardware_type_interfaces_dict', [[...names]]);
  return Array.isArray(rows) ? (rows.filter((r) => r && typeof r === 'object') as HardwareInterfaceRow[]) : [];
}

/** Conductor.get_shard_list(): `[{name, count}]` as ironic-api shows it. */
export async function conductorShardList(request: FastifyRequest): Promise<{ name: string; count: number }[]> {
  const list = await classAction(request, 'Conductor', 'get_shard_list', []);
  return Array.isArray(list)
    ? list.map((s: { name?: unknown; count?: unknown }) => ({ name: String(s.name), count: Number(s.count) }))
    : [];
}
