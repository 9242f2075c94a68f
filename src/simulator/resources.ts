/**
 * Ports, portgroups, volume connectors and targets through the conductor (create/update/destroy
 * under the node's lock, with Ironic's state rules), and VIFs as Ironic's `flat` network
 * interface keeps them (in the ports' and portgroups' internal_info; `noop` keeps none).
 */
import { invalidStateRequested, ironicError } from '../conductor/exceptions.ts';
import { asObject, type Args, type Sim } from './context.ts';
import { fromPrimitive, toPrimitive } from './primitives.ts';
import { PORT, PORTGROUP, VOLUME_CONNECTOR, VOLUME_TARGET, type Row } from './schema.ts';
import * as S from '../conductor/states.ts';
import type { NodeRow } from './store.ts';

const TENANT_VIF_KEY = 'tenant_vif_port_id';
const CONNECTIVITY = ['portgroup_id', 'pxe_enabled', 'local_link_connection', 'physical_network'];
const PORT_UPDATE_STATES = [S.ENROLL, S.INSPECTING, S.MANAGEABLE];

function changed(decoded: { data: Record<string, unknown>; changes: string[] }): Record<string, unknown> {
  return Object.fromEntries(decoded.changes.filter((c) => c in decoded.data).map((c) => [c, decoded.data[c]]));
}

const nodeIdOf = (data: Record<string, unknown>, existing?: Row): unknown => existing?.node_id ?? data.node_id;

export async function create_port(sim: Sim, a: Args): Promise<unknown> {
  const { data } = fromPrimitive(a.port_obj, 'Port');
  return sim.tasks.with(data.node_id, { purpose: 'port create' }, () => {
    const values = { ...data };
    delete values.id;
    return toPrimitive(PORT, sim.store.createPort(values));
  });
}

export async function update_port(sim: Sim, a: Args): Promise<unknown> {
  const decoded = fromPrimitive(a.port_obj, 'Port');
  const port = sim.store.ports.byUuid(decoded.data.uuid);
  const values = changed(decoded);
  return sim.tasks.with(nodeIdOf(decoded.data, port), { purpose: 'port update' }, (task) => {
    const node = task.node;
    if ((node.provision_state === S.ACTIVE || node.instance_uuid) && 'address' in values && !node.maintenance) {
      throw ironicError(
        'InvalidState',
        `Cannot update hardware address for port ${port.uuid} as node ${node.uuid} is active or has instance UUID assigned`,
      );
    }
    if (
      Object.keys(values).some((k) => CONNECTIVITY.includes(k)) &&
      !(PORT_UPDATE_STATES.includes(String(node.provision_state)) || node.maintenance)
    ) {
      throw ironicError(
        'InvalidState',
        `Port ${port.uuid} can not have any connectivity attributes (${CONNECTIVITY.join(', ')}) updated unless node ${node.uuid} is in a ${PORT_UPDATE_STATES.join(', ')} state or in maintenance mode.`,
      );
    }
    return toPrimitive(PORT, sim.store.updatePort(port, values));
  });
}

export async function destroy_port(sim: Sim, a: Args): Promise<null> {
  const { data } = fromPrimitive(a.port, 'Port');
  const port = sim.store.ports.byUuid(data.uuid);
  return sim.tasks.with(port.node_id, { purpose: 'port deletion' }, () => {
    sim.store.ports.delete(port);
    return null;
  });
}

export async function update_portgroup(sim: Sim, a: Args): Promise<unknown> {
  const decoded = fromPrimitive(a.portgroup_obj, 'Portgroup');
  const pg = sim.store.portgroups.byUuid(decoded.data.uuid);
  const values = changed(decoded);
  return sim.tasks.with(nodeIdOf(decoded.data, pg), { purpose: 'update portgroup' }, (task) => {
    const node = task.node;
    if ('node_id' in values) {
      if (!PORT_UPDATE_STATES.includes(String(node.provision_state)) && !node.maintenance) {
        throw ironicError(
          'InvalidState',
          `Portgroup ${pg.uuid} can not be associated to node ${node.uuid} unless the node is in a ${PORT_UPDATE_STATES.join(', ')} state or in maintenance mode.`,
        );
      }
      if ([...sim.store.ports.rows.values()].some((p) => p.portgroup_id === pg.id)) {
        throw ironicError(
          'PortgroupNotEmpty',
          `Portgroup ${pg.uuid} can not be associated with node ${node.uuid} because there are ports associated with this portgroup.`,
        );
      }
    }
    return toPrimitive(PORTGROUP, sim.store.updatePortgroup(pg, values));
  });
}

/**
 * update_portgroup_physical_network (RPC 1.62, issue 15 slice ports): under the node's lock,
 * Portgroup.update_physical_network — the portgroup's physical network, then each member port's
 * that differs.
 */
export async function update_portgroup_physical_network(sim: Sim, a: Args): Promise<null> {
  const { data } = fromPrimitive(a.portgroup, 'Portgroup');
  const pg = sim.store.portgroups.byUuid(data.uuid);
  const net = a.new_physical_network ?? null;
  return sim.tasks.with(pg.node_id, { purpose: 'portgroup physical_network update' }, () => {
    sim.store.updatePortgroup(pg, { physical_network: net });
    for (const p of [...sim.store.ports.rows.values()])
      if (p.portgroup_id === pg.id && p.physical_network !== net) sim.store.updatePort(p, { physical_network: net });
    return null;
  });
}

export async function destroy_portgroup(sim: Sim, a: Args): Promise<null> {
  const { data } = fromPrimitive(a.portgroup, 'Portgroup');
  const pg = sim.store.portgroups.byUuid(data.uuid);
  return sim.tasks.with(pg.node_id, { purpose: 'portgroup deletion' }, () => {
    sim.store.destroyPortgroup(pg);
    return null;
  });
}

function requirePowerOff(node: NodeRow, action: string): void {
  if (node.power_state !== S.POWER_OFF) {
    throw invalidStateRequested(action, node.uuid, node.power_state);
  }
}

export async function update_volume_connector(sim: Sim, a: Args): Promise<unknown> {
  const decoded = fromPrimitive(a.connector, 'VolumeConnector');
  const row = sim.store.connectors.byUuid(decoded.data.uuid);
  return sim.tasks.with(nodeIdOf(decoded.data, row), { purpose: 'volume connector update' }, (task) => {
    requirePowerOff(task.node, 'volume connector update');
    return toPrimitive(VOLUME_CONNECTOR, sim.store.saveConnector(row, changed(decoded)));
  });
}

export async function destroy_volume_connector(sim: Sim, a: Args): Promise<null> {
  const { data } = fromPrimitive(a.connector, 'VolumeConnector');
  const row = sim.store.connectors.byUuid(data.uuid);
  return sim.tasks.with(row.node_id, { purpose: 'volume connector deletion' }, (task) => {
    requirePowerOff(task.node, 'volume connector deletion');
    sim.store.connectors.delete(row);
    return null;
  });
}

export async function update_volume_target(sim: Sim, a: Args): Promise<unknown> {
  const decoded = fromPrimitive(a.target, 'VolumeTarget');
  const row = sim.store.targets.byUuid(decoded.data.uuid);
  return sim.tasks.with(nodeIdOf(decoded.data, row), { purpose: 'volume target update' }, (task) => {
    requirePowerOff(task.node, 'volume target update');
    return toPrimitive(VOLUME_TARGET, sim.store.saveTarget(row, changed(decoded)));
  });
}

export async function destroy_volume_target(sim: Sim, a: Args): Promise<null> {
  const { data } = fromPrimitive(a.target, 'VolumeTarget');
  const row = sim.store.targets.byUuid(data.uuid);
  return sim.tasks.with(row.node_id, { purpose: 'volume target deletion' }, (task) => {
    requirePowerOff(task.node, 'volume target deletion');
    sim.store.targets.delete(row);
    return null;
  });
}

// ---- VIFs

const attachedVif = (r: Row): unknown => asObject(r.internal_info)[TENANT_VIF_KEY] ?? asObject(r.extra).vif_port_id;

function portLikes(sim: Sim, node: NodeRow): { ports: Row[]; portgroups: Row[] } {
  const mine = (r: Row): boolean => r.node_id === node.id;
  return {
    ports: [...sim.store.ports.rows.values()].filter(mine),
    portgroups: [...sim.store.portgroups.rows.values()].filter(mine),
  };
}

const isFlat = (node: NodeRow): boolean => node.network_interface !== 'noop';

export async function vif_list(sim: Sim, a: Args): Promise<unknown> {
  return sim.tasks.with(a.node_id, { shared: true, purpose: 'list vifs' }, (task) => {
    if (!isFlat(task.node)) return [];
    const { ports, portgroups } = portLikes(sim, task.node);
    return [...ports, ...portgroups]
      .map(attachedVif)
      .filter((v) => v !== undefined && v !== null)
      .map((id) => ({ id }));
  });
}

/** common.get_free_port_like_object: free portgroups before ports, PXE-enabled ports first. */
function freePortLike(sim: Sim, node: NodeRow, vif: string, vifInfo: Record<string, unknown> = {}): Row {
  // 1.67 (issue 14): vif_info may name the port (or else the portgroup) to attach to
  const hasPort = Object.hasOwn(vifInfo, 'port_uuid');
  const portUuid = hasPort ? vifInfo.port_uuid : null;
  const portgroupUuid = !hasPort && Object.hasOwn(vifInfo, 'portgroup_uuid') ? vifInfo.portgroup_uuid : null;
  const { ports, portgroups } = portLikes(sim, node);
  const check = (r: Row, type: string): boolean => {
    const v = attachedVif(r);
    if (v === vif)
      throw ironicError(
        'VifAlreadyAttached',
        `Unable to attach VIF because VIF ${vif} is already attached to Ironic ${type} ${r.uuid}`,
        { object_type: type, vif, object_uuid: r.uuid },
      );
    return v !== undefined && v !== null;
  };
  const free: Array<{ row: Row; pg: boolean; pxe: boolean }> = [];
  const byGroup = new Map<unknown, Row[]>();
  const unusable = new Set<unknown>();
  for (const p of ports) {
    if (portUuid && portUuid !== p.uuid) continue;
    if (check(p, 'Port')) {
      unusable.add(p.portgroup_id);
      continue;
    }
    if (p.portgroup_id === null && !portgroupUuid) free.push({ row: p, pg: false, pxe: Boolean(p.pxe_enabled) });
    else byGroup.set(p.portgroup_id, [...(byGroup.get(p.portgroup_id) ?? []), p]);
  }
  for (const pg of portUuid ? [] : portgroups) {
    if (portgroupUuid && portgroupUuid !== pg.uuid) continue;
    if (check(pg, 'Portgroup')) continue;
    if (unusable.has(pg.id)) {
      if (!portgroupUuid)
        for (const p of byGroup.get(pg.id) ?? []) free.push({ row: p, pg: false, pxe: Boolean(p.pxe_enabled) });
    } else if (byGroup.get(pg.id)?.length) free.push({ row: pg, pg: true, pxe: true });
  }
  if (!free.length)
    throw ironicError('NoFreePhysicalPorts', `Unable to attach VIF ${vif}, not enough free physical ports.`, { vif });
  const rank = (x: { pg: boolean; pxe: boolean }): number => (x.pg ? 2 : 0) + (x.pxe ? 1 : 0);
  return free.reduce((best, x) => (rank(x) > rank(best) ? x : best)).row;
}

export async function vif_attach(sim: Sim, a: Args): Promise<null> {
  const info = asObject(a.vif_info);
  return sim.tasks.with(a.node_id, { purpose: 'attach vif' }, (task) => {
    if (!isFlat(task.node)) return null;
    if (typeof info.id !== 'string' || !info.id) throw ironicError('MissingParameterValue', 'VIF ID is required.');
    const target = freePortLike(sim, task.node, info.id, info);
    target.internal_info = { ...asObject(target.internal_info), [TENANT_VIF_KEY]: info.id };
    target.updated_at = new Date();
    return null;
  });
}

export async function vif_detach(sim: Sim, a: Args): Promise<null> {
  return sim.tasks.with(a.node_id, { shared: true, purpose: 'detach vif' }, (task) => {
    const node = task.node;
    if (!isFlat(node)) return null;
    const { ports, portgroups } = portLikes(sim, node);
    const target = [...ports, ...portgroups].find((r) => attachedVif(r) === a.vif_id);
    if (!target)
      throw ironicError(
        'VifNotAttached',
        `Unable to detach VIF ${String(a.vif_id)} from node ${node.uuid} because it is not attached to it.`,
        { vif: a.vif_id, node: node.uuid },
      );
    const internal = { ...asObject(target.internal_info) };
    delete internal[TENANT_VIF_KEY];
    const extra = { ...asObject(target.extra) };
    delete extra.vif_port_id;
    Object.assign(target, { internal_info: internal, extra, updated_at: new Date() });
    return null;
  });
}
