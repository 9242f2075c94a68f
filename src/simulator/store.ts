/**
 * The simulated conductors' database: every table Ironic's DB-API keeps for the objects served,
 * with its uniqueness rules and errors. Several simulators in one process may share one Store,
 * as several Ironic conductors share one database.
 */
import { ironicError } from '../conductor/exceptions.ts';
import {
  ALLOCATION,
  BIOS_SETTING,
  CHASSIS,
  CONDUCTOR,
  NODE,
  NODE_HISTORY,
  NODE_INVENTORY,
  PORT,
  PORTGROUP,
  VOLUME_CONNECTOR,
  VOLUME_TARGET,
  type Row,
} from './schema.ts';
import { DEPLOY_TEMPLATE, FIRMWARE_COMPONENT, INSPECTION_RULE, RUNBOOK } from './schema.ts';
import { RemoteError } from '../rpc/errors.ts';
import type { TraitRow } from './primitives.ts';
import { INSPECTFAIL, INSPECTING, MANAGEABLE } from '../conductor/states.ts';

const ALLOCATING = 'allocating';
const ALLOCATION_FILTERS = ['state', 'resource_class', 'node_uuid', 'conductor_affinity', 'owner'];
import { isIntLike, Table, UUID_RE, type ListOptions } from './table.ts';

export type NodeRow = Row & {
  name: string | null;
  driver: string;
  reservation: string | null;
  provision_state: string | null;
  target_provision_state: string | null;
  power_state: string | null;
  target_power_state: string | null;
  maintenance: boolean;
  maintenance_reason: string | null;
  instance_uuid: string | null;
  instance_info: Record<string, unknown>;
  driver_info: Record<string, unknown>;
  driver_internal_info: Record<string, unknown>;
  clean_step: Record<string, unknown> | null;
  last_error: string | null;
  console_enabled: boolean;
  traits: TraitRow[];
};

/** Ironic's _add_nodes_filters. */
function nodeFilter(store: Store, filters: Record<string, unknown>): (r: Row) => boolean {
  const checks: Array<(n: NodeRow) => boolean> = [];
  const f = filters;
  if ('chassis_uuid' in f) {
    const chassis = store.chassis.byUuid(f.chassis_uuid);
    checks.push((n) => n.chassis_id === chassis.id);
  }
  if ('associated' in f) checks.push((n) => (n.instance_uuid !== null) === Boolean(f.associated));
  if ('reserved' in f) checks.push((n) => (n.reservation !== null) === Boolean(f.reserved));
  if ('reserved_by_any_of' in f)
    checks.push((n) => Array.isArray(f.reserved_by_any_of) && f.reserved_by_any_of.includes(n.reservation));
  for (const k of ['maintenance', 'driver', 'resource_class', 'provision_state', 'console_enabled']) {
    if (k in f) checks.push((n) => n[k] === f[k]);
  }
  if ('provisioned_before' in f) {
    const limit = Date.now() - Number(f.provisioned_before) * 1000;
    checks.push((n) => n.provision_updated_at instanceof Date && n.provision_updated_at.getTime() < limit);
  }
  if ('inspection_started_before' in f) {
    const limit = Date.now() - Number(f.inspection_started_before) * 1000;
    checks.push((n) => n.inspection_started_at instanceof Date && n.inspection_started_at.getTime() < limit);
  }
  // 21.4's filters (slice nodefields): equality, shard_in, sharded, description_contains, project
  for (const k of ['fault', 'owner', 'lessee', 'retired', 'instance_uuid']) {
    if (k in f) checks.push((n) => (n[k] ?? null) === f[k]);
  }
  // groups are stored lowercased; MariaDB's default collation compares without case
  if (typeof f.conductor_group === 'string') {
    const group = f.conductor_group.toLowerCase();
    checks.push((n) => n.conductor_group === group);
  }
  // the `_in` filters of 21.4 and 39.0: a column's value among a list (SQL IN)
  for (const k of ['uuid', 'provision_state', 'shard']) {
    const values = f[`${k}_in`];
    if (`${k}_in` in f) checks.push((n) => Array.isArray(values) && values.includes(n[k]));
  }
  if ('sharded' in f) checks.push((n) => (n.shard !== null && n.shard !== undefined) === Boolean(f.sharded));
  if (typeof f.description_contains === 'string') {
    // SQL LIKE '%x%' (case-insensitive under MariaDB's default collation)
    const needle = f.description_contains.toLowerCase();
    checks.push((n) => typeof n.description === 'string' && n.description.toLowerCase().includes(needle));
  }
  if ('project' in f) checks.push((n) => n.owner === f.project || n.lessee === f.project);
  // 39.0 (issue 15, slice nodes): instance_name; child nodes only with a truthy
  // include_children (then every node, parent_node ignored), or those of parent_node
  if ('instance_name' in f) checks.push((n) => (n.instance_name ?? null) === f.instance_name);
  if (!f.include_children) {
    if ('parent_node' in f) checks.push((n) => (n.parent_node ?? null) === f.parent_node);
    else checks.push((n) => n.parent_node === null || n.parent_node === undefined);
  }
  return (r) => checks.every((c) => c(r as NodeRow));
}

export class Store {
  // indexed: the lookups and uniqueness checks of every create, and a node's ports (table.ts)
  readonly nodes = new Table(NODE, ['name', 'instance_uuid']);
  readonly ports = new Table(PORT, ['address', 'node_id']);
  readonly portgroups = new Table(PORTGROUP);
  readonly chassis = new Table(CHASSIS);
  readonly connectors = new Table(VOLUME_CONNECTOR);
  readonly targets = new Table(VOLUME_TARGET);
  readonly conductors = new Table(CONDUCTOR);
  // node sub-resources (21.4): a node's BIOS settings, history events and inventory
  readonly biosSettings = new Table(BIOS_SETTING);
  readonly history = new Table(NODE_HISTORY);
  readonly inventories = new Table(NODE_INVENTORY);
  readonly allocations = new Table(ALLOCATION);
  readonly deployTemplates = new Table(DEPLOY_TEMPLATE);
  // issue 15, slice vmedia: a node's firmware components (39.0)
  readonly firmwareComponents = new Table(FIRMWARE_COMPONENT);
  // issue 15, slice runbooks
  readonly runbooks = new Table(RUNBOOK);
  readonly inspectionRules = new Table(INSPECTION_RULE);

  private readonly tables = new Map<string, Table>([
    ['Node', this.nodes],
    ['Port', this.ports],
    ['Portgroup', this.portgroups],
    ['Chassis', this.chassis],
    ['VolumeConnector', this.connectors],
    ['VolumeTarget', this.targets],
    ['Conductor', this.conductors],
    ['BIOSSetting', this.biosSettings],
    ['NodeHistory', this.history],
    ['NodeInventory', this.inventories],
    ['Allocation', this.allocations],
    ['DeployTemplate', this.deployTemplates],
    ['FirmwareComponent', this.firmwareComponents],
    ['Runbook', this.runbooks],
    ['InspectionRule', this.inspectionRules],
  ]);

  /** The table of an object class (a Map: a name from the wire never reaches Object.prototype). */
  table(name: string): Table | undefined {
    return this.tables.get(name);
  }

  /** The table of a class the caller has already checked is stored. */
  tableOf(name: string): Table {
    const table = this.tables.get(name);
    if (!table) throw new Error(`no table for objects of class ${name}`);
    return table;
  }

  // ---- nodes

  /** Node by id or uuid (Node.get, as task_manager.acquire resolves it). */
  node(ident: unknown): NodeRow {
    return this.nodes.get(ident) as NodeRow;
  }

  nodeByName(name: unknown): NodeRow {
    const row = typeof name === 'string' ? this.nodes.byField('name', name) : undefined;
    if (!row) throw this.nodes.notFound(name);
    return row as NodeRow;
  }

  listNodes(opts: ListOptions, filters: unknown): NodeRow[] {
    const f = filters && typeof filters === 'object' ? (filters as Record<string, unknown>) : {};
    // instance_uuid is unique: its index gives the only row that can pass; so do uuids
    let among = typeof f.instance_uuid === 'string' ? this.nodes.rowsWith('instance_uuid', f.instance_uuid) : undefined;
    if (!among && Array.isArray(f.uuid_in)) {
      const rows = new Set<Row>();
      for (const u of f.uuid_in) {
        const row = this.nodes.byField('uuid', u);
        if (row) rows.add(row);
      }
      among = [...rows].sort((a, b) => a.id - b.id);
    }
    return this.nodes.list(opts, nodeFilter(this, f), among) as NodeRow[];
  }

  createNode(values: Record<string, unknown>): NodeRow {
    if (typeof values.uuid === 'string' && this.nodes.byField('uuid', values.uuid))
      throw ironicError('NodeAlreadyExists', `A node with UUID ${values.uuid} already exists.`, { uuid: values.uuid });
    formatConductorGroup(values);
    this.checkNodeUnique(values, null);
    const traits = values.traits;
    const row = this.nodes.insert({ ...values, traits: [] }) as NodeRow;
    if (Array.isArray(traits)) row.traits = traits as TraitRow[];
    if (row.provision_state) row.provision_updated_at = row.created_at;
    return row;
  }

  private checkNodeUnique(values: Record<string, unknown>, self: NodeRow | null): void {
    if (typeof values.name === 'string') {
      const other = this.nodes.byField('name', values.name);
      if (other && other !== self)
        throw ironicError('DuplicateName', `A node with name ${values.name} already exists.`, { name: values.name });
    }
    if (typeof values.instance_uuid === 'string') {
      const other = this.nodes.byField('instance_uuid', values.instance_uuid);
      if (other && other !== self) {
        throw ironicError(
          'InstanceAssociated',
          `Instance ${values.instance_uuid} is already associated with a node, it cannot be associated with this other node ${self?.uuid ?? values.uuid}`,
          { instance_uuid: values.instance_uuid, node: self?.uuid ?? values.uuid },
        );
      }
    }
  }

  /** Ironic's update_node: name/instance checks, provision timestamps and inspection times. */
  updateNode(node: NodeRow, values: Record<string, unknown>): NodeRow {
    if ('uuid' in values && values.uuid !== node.uuid)
      throw ironicError('InvalidParameterValue', 'Cannot overwrite UUID for an existing Node.');
    if (
      'instance_uuid' in values &&
      values.instance_uuid &&
      node.instance_uuid &&
      values.instance_uuid !== node.instance_uuid
    ) {
      throw ironicError('NodeAssociated', `Node ${node.uuid} is associated with instance ${node.instance_uuid}.`, {
        node: node.uuid,
        instance: node.instance_uuid,
      });
    }
    this.checkNodeUnique(values, node);
    const v = { ...values };
    formatConductorGroup(v);
    delete v.id;
    delete v.traits;
    delete v.created_at;
    delete v.updated_at;
    if ('provision_state' in v && v.provision_state !== node.provision_state)
      Object.assign(v, this.provisionTimes(node, v.provision_state as string | null));
    return this.nodes.update(node, v) as NodeRow;
  }

  /** The timestamps Ironic's DB layer sets when provision_state changes. */
  provisionTimes(node: NodeRow, to: string | null): Record<string, unknown> {
    const now = new Date();
    const out: Record<string, unknown> = { provision_updated_at: now };
    if (to === INSPECTING) Object.assign(out, { inspection_started_at: now, inspection_finished_at: null });
    else if (node.provision_state === INSPECTING && to === MANAGEABLE)
      Object.assign(out, { inspection_finished_at: now, inspection_started_at: null });
    else if (node.provision_state === INSPECTING && to === INSPECTFAIL) out.inspection_started_at = null;
    return out;
  }

  /**
   * Ironic's destroy_node: the node's ports, portgroups, traits, volume objects and allocations
   * go with it, and (21.4) its BIOS settings, history and inventory.
   */
  destroyNode(node: NodeRow): void {
    node.allocation_id = null;
    for (const t of [
      this.ports,
      this.portgroups,
      this.connectors,
      this.targets,
      this.allocations,
      ...this.nodeSubresources(),
    ]) {
      for (const r of [...t.rows.values()]) if (r.node_id === node.id) t.delete(r);
    }
    this.nodes.delete(node);
  }

  /** The tables of rows that belong to a node and die with it (21.4's sub-resources). */
  private nodeSubresources(): Table[] {
    return [this.biosSettings, this.history, this.inventories, this.firmwareComponents];
  }

  // ---- ports and portgroups

  createPort(values: Record<string, unknown>): Row {
    if (typeof values.uuid === 'string' && this.ports.byField('uuid', values.uuid))
      throw ironicError('PortAlreadyExists', `A port with UUID ${values.uuid} already exists.`, { uuid: values.uuid });
    this.checkPortMac(values, null);
    // 39.0's create_port: a taken name (uniq_ports0name) is reported as PortAlreadyExists of the uuid
    if (this.portNameTaken(values, null))
      throw ironicError('PortAlreadyExists', `A port with UUID ${String(values.uuid)} already exists.`, {
        uuid: values.uuid,
      });
    return this.withNodeUuid(this.ports.insert(values));
  }

  /**
   * A port's or portgroup's node_uuid (Port 1.11, Portgroup 1.5): Ironic's model reads it through
   * its node relationship, so every object the conductor loads carries it; here it is kept on the
   * row whenever the row is written (a node's uuid never changes).
   */
  private withNodeUuid(row: Row): Row {
    const node =
      row.node_id === null || row.node_id === undefined ? undefined : this.nodes.rows.get(Number(row.node_id));
    row.node_uuid = node ? node.uuid : null;
    return row;
  }

  /** issue 15, slice ports: Port 1.10's name is unique (39.0 lets the API set it). */
  private portNameTaken(values: Record<string, unknown>, self: Row | null): boolean {
    if (typeof values.name !== 'string') return false;
    const other = this.ports.byField('name', values.name);
    return other !== undefined && other !== null && other !== self;
  }

  private checkPortMac(values: Record<string, unknown>, self: Row | null): void {
    if (typeof values.address !== 'string') return;
    const other = this.ports.byField('address', values.address);
    if (other && other !== self)
      throw ironicError('MACAlreadyExists', `A port with MAC address ${values.address} already exists.`, {
        mac: values.address,
      });
  }

  updatePort(port: Row, values: Record<string, unknown>): Row {
    if ('uuid' in values && values.uuid !== port.uuid)
      throw ironicError('InvalidParameterValue', 'Cannot overwrite UUID for an existing Port.');
    this.checkPortMac(values, port);
    if (this.portNameTaken(values, port))
      throw ironicError('PortDuplicateName', `A port with name ${String(values.name)} already exists.`, {
        name: values.name,
      });
    return this.withNodeUuid(this.ports.update(port, strip(values)));
  }

  createPortgroup(values: Record<string, unknown>): Row {
    if (typeof values.uuid === 'string' && this.portgroups.byField('uuid', values.uuid))
      throw ironicError('PortgroupAlreadyExists', `A portgroup with UUID ${values.uuid} already exists.`, {
        uuid: values.uuid,
      });
    this.checkPortgroupUnique(values, null);
    const v = { ...values };
    if (!v.mode) delete v.mode;
    return this.withNodeUuid(this.portgroups.insert(v));
  }

  private checkPortgroupUnique(values: Record<string, unknown>, self: Row | null): void {
    if (typeof values.name === 'string') {
      const other = this.portgroups.byField('name', values.name);
      if (other && other !== self)
        throw ironicError('PortgroupDuplicateName', `A portgroup with name ${values.name} already exists.`, {
          name: values.name,
        });
    }
    if (typeof values.address === 'string') {
      const other = this.portgroups.byField('address', values.address);
      if (other && other !== self)
        throw ironicError(
          'PortgroupMACAlreadyExists',
          `A portgroup with MAC address ${values.address} already exists.`,
          { mac: values.address },
        );
    }
  }

  updatePortgroup(pg: Row, values: Record<string, unknown>): Row {
    if ('uuid' in values && values.uuid !== pg.uuid)
      throw ironicError('InvalidParameterValue', 'Cannot overwrite UUID for an existing portgroup.');
    this.checkPortgroupUnique(values, pg);
    return this.withNodeUuid(this.portgroups.update(pg, strip(values)));
  }

  destroyPortgroup(pg: Row): void {
    if ([...this.ports.rows.values()].some((p) => p.portgroup_id === pg.id)) {
      throw ironicError(
        'PortgroupNotEmpty',
        `Cannot complete the requested action because portgroup ${pg.id} contains ports.`,
        { portgroup: pg.id },
      );
    }
    this.portgroups.delete(pg);
  }

  /** Portgroup.get: id, uuid, or name. */
  portgroup(ident: unknown): Row {
    if (isIntLike(ident) || (typeof ident === 'string' && UUID_RE.test(ident))) return this.portgroups.get(ident);
    const row = typeof ident === 'string' ? this.portgroups.byField('name', ident) : undefined;
    if (!row) throw this.portgroups.notFound(ident);
    return row;
  }

  // ---- chassis and volume objects

  createChassis(values: Record<string, unknown>): Row {
    if (typeof values.uuid === 'string' && this.chassis.byField('uuid', values.uuid))
      throw ironicError('ChassisAlreadyExists', `A chassis with UUID ${values.uuid} already exists.`, {
        uuid: values.uuid,
      });
    return this.chassis.insert(values);
  }

  destroyChassis(chassis: Row): void {
    if ([...this.nodes.rows.values()].some((n) => n.chassis_id === chassis.id)) {
      throw ironicError(
        'ChassisNotEmpty',
        `Cannot complete the requested action because chassis ${chassis.id} contains nodes.`,
        { chassis: chassis.id },
      );
    }
    this.chassis.delete(chassis);
  }

  saveConnector(row: Row | null, values: Record<string, unknown>): Row {
    const merged = { ...(row ?? {}), ...values };
    const dup = [...this.connectors.rows.values()].find(
      (c) => c !== row && c.type === merged.type && c.connector_id === merged.connector_id,
    );
    if (dup) {
      throw ironicError(
        'VolumeConnectorTypeAndIdAlreadyExists',
        `A volume connector with type ${String(merged.type)} and connector ID ${String(merged.connector_id)} already exists.`,
        { type: merged.type, connector_id: merged.connector_id },
      );
    }
    if (!row) {
      if (typeof values.uuid === 'string' && this.connectors.byField('uuid', values.uuid))
        throw ironicError(
          'VolumeConnectorAlreadyExists',
          `A volume connector with UUID ${values.uuid} already exists.`,
          { uuid: values.uuid },
        );
      return this.connectors.insert(values);
    }
    return this.connectors.update(row, strip(values));
  }

  saveTarget(row: Row | null, values: Record<string, unknown>): Row {
    const merged = { ...(row ?? {}), ...values };
    const dup = [...this.targets.rows.values()].find(
      (t) => t !== row && t.node_id === merged.node_id && t.boot_index === merged.boot_index,
    );
    if (dup) {
      throw ironicError(
        'VolumeTargetBootIndexAlreadyExists',
        `A volume target with boot index '${String(merged.boot_index)}' for the same node already exists.`,
        { boot_index: merged.boot_index },
      );
    }
    if (!row) {
      if (typeof values.uuid === 'string' && this.targets.byField('uuid', values.uuid))
        throw ironicError('VolumeTargetAlreadyExists', `A volume target with UUID ${values.uuid} already exists.`, {
          uuid: values.uuid,
        });
      return this.targets.insert(values);
    }
    return this.targets.update(row, strip(values));
  }

  // ---- allocations (Ironic's create/update/destroy_allocation and get_allocation_list)

  /** create_allocation: AllocationAlreadyExists / AllocationDuplicateName; state `allocating` when unset. */
  createAllocation(values: Record<string, unknown>): Row {
    if (typeof values.uuid === 'string' && this.allocations.byField('uuid', values.uuid))
      throw ironicError('AllocationAlreadyExists', `An allocation with UUID ${values.uuid} already exists.`, {
        uuid: values.uuid,
      });
    this.checkAllocationName(values, null);
    const v = jsonColumns(strip(values));
    if (!v.state) v.state = ALLOCATING;
    return this.allocations.insert(v);
  }

  private checkAllocationName(values: Record<string, unknown>, self: Row | null): void {
    if (typeof values.name !== 'string') return;
    const other = this.allocations.byField('name', values.name);
    if (other && other !== self)
      throw ironicError('AllocationDuplicateName', `An allocation with name ${values.name} already exists.`, {
        name: values.name,
      });
  }

  /**
   * update_allocation: a new node_id also reserves the node (allocation_id, instance_uuid = the
   * allocation's uuid, instance_info.traits), NodeAssociated when it holds another instance,
   * InstanceAssociated when another node already holds the allocation's uuid. Checked before
   * anything changes, as the DB transaction rolls back.
   */
  updateAllocation(row: Row, values: Record<string, unknown>): Row {
    if ('uuid' in values && values.uuid !== row.uuid)
      throw ironicError('InvalidParameterValue', 'Cannot overwrite UUID for an existing allocation.');
    this.checkAllocationName(values, row);
    const v = jsonColumns(strip(values));
    const nodeId = v.node_id;
    let node: NodeRow | null = null;
    if (nodeId !== undefined && nodeId !== null && nodeId !== 0) {
      node = this.nodes.byId(nodeId) as NodeRow;
      if (node.instance_uuid && node.instance_uuid !== row.uuid)
        throw ironicError('NodeAssociated', `Node ${node.uuid} is associated with instance ${node.instance_uuid}.`, {
          node: node.uuid,
          instance: node.instance_uuid,
        });
      this.checkNodeUnique({ instance_uuid: row.uuid, uuid: node.uuid }, node);
    }
    this.allocations.update(row, v);
    if (node) {
      const traits = Array.isArray(row.traits) ? row.traits : [];
      this.nodes.update(node, {
        allocation_id: row.id,
        instance_uuid: row.uuid,
        instance_info: { ...(node.instance_info ?? {}), traits },
      });
    }
    return row;
  }

  /** destroy_allocation: the node holding it loses allocation_id and instance_uuid. */
  destroyAllocation(row: Row): void {
    for (const n of this.nodes.rows.values()) {
      if (n.allocation_id === row.id) this.nodes.update(n, { allocation_id: null, instance_uuid: null });
    }
    this.allocations.delete(row);
  }

  /** The allocation of a node, destroyed (a node torn down or losing its instance_uuid); no-op without one. */
  destroyAllocationOfNode(node: NodeRow): void {
    const id = node.allocation_id;
    if (id === null || id === undefined) return;
    const row = this.allocations.rows.get(Number(id));
    if (row) this.destroyAllocation(row);
    else node.allocation_id = null;
  }

  /** get_allocation_list with _add_allocations_filters (node_uuid, state, resource_class, owner, conductor_affinity). */
  listAllocations(opts: ListOptions, filters: unknown): Row[] {
    const f = filters && typeof filters === 'object' ? (filters as Record<string, unknown>) : {};
    const unsupported = Object.keys(f).filter((k) => !ALLOCATION_FILTERS.includes(k));
    if (unsupported.length)
      throw ironicError(
        'InvalidParameterValue',
        `SqlAlchemy API does not support filtering by ${unsupported.join(', ')}`,
      );
    const checks: Array<(r: Row) => boolean> = [];
    if ('node_uuid' in f) {
      const want = f.node_uuid;
      checks.push((r) => {
        if (isIntLike(want)) return r.node_id === Number(want);
        const node = r.node_id === null ? undefined : this.nodes.rows.get(Number(r.node_id));
        return node !== undefined && node.uuid === want;
      });
    }
    if ('conductor_affinity' in f) {
      const want = f.conductor_affinity;
      const id = isIntLike(want) ? Number(want) : this.conductors.byField('hostname', want)?.id;
      checks.push((r) => r.conductor_affinity === id);
    }
    for (const k of ['state', 'resource_class', 'owner']) if (k in f) checks.push((r) => r[k] === f[k]);
    return this.allocations.list(opts, (r) => checks.every((c) => c(r)));
  }

  // ---- deploy templates (21.4's create/update_deploy_template: unique uuid and name)

  createDeployTemplate(values: Record<string, unknown>): Row {
    const v: Record<string, unknown> = { ...strip(values), steps: templateSteps(values.steps) };
    if (typeof v.uuid === 'string' && this.deployTemplates.byField('uuid', v.uuid))
      throw ironicError('DeployTemplateAlreadyExists', `A deploy template with UUID ${v.uuid} already exists.`, {
        uuid: v.uuid,
      });
    this.checkTemplateName(v, null);
    if (v.extra === null) v.extra = {};
    return this.deployTemplates.insert(v);
  }

  updateDeployTemplate(row: Row, values: Record<string, unknown>): Row {
    if ('uuid' in values && values.uuid !== row.uuid)
      throw ironicError('InvalidParameterValue', 'Cannot overwrite UUID for an existing deploy template.');
    const v = strip(values);
    if ('steps' in v) v.steps = templateSteps(v.steps);
    if (v.extra === null) v.extra = {};
    this.checkTemplateName(v, row);
    return this.deployTemplates.update(row, v);
  }

  private checkTemplateName(values: Record<string, unknown>, self: Row | null): void {
    if (typeof values.name !== 'string') return;
    const other = this.deployTemplates.byField('name', values.name);
    if (other && other !== self)
      throw ironicError('DeployTemplateDuplicateName', `A deploy template with name ${values.name} already exists.`, {
        name: values.name,
      });
  }

  // ---- issue 15, slice runbooks: 39.0's create/update_runbook, runbook traits, inspection rules

  /** create_runbook: unique uuid and name; the traits deduplicated in their order. */
  createRunbook(values: Record<string, unknown>): Row {
    const v: Record<string, unknown> = { ...strip(values), steps: runbookSteps(values.steps) };
    if (typeof v.uuid === 'string' && this.runbooks.byField('uuid', v.uuid))
      throw ironicError('RunbookAlreadyExists', `A runbook with UUID ${v.uuid} already exists.`, { uuid: v.uuid });
    this.checkRunbookName(v, null);
    v.traits = [...new Set(Array.isArray(v.traits) ? (v.traits as string[]) : [])];
    if (v.extra === null || v.extra === undefined) v.extra = {};
    return this.runbooks.insert(v);
  }

  /** Runbook.save: traits are not written by save (the traits endpoints manage them). */
  updateRunbook(row: Row, values: Record<string, unknown>): Row {
    if ('uuid' in values && values.uuid !== row.uuid)
      throw ironicError('InvalidParameterValue', 'Cannot overwrite UUID for an existing runbook.');
    const v = strip(values);
    delete v.traits;
    if ('steps' in v) v.steps = runbookSteps(v.steps);
    if ('extra' in v && v.extra === null) v.extra = {};
    this.checkRunbookName(v, row);
    return this.runbooks.update(row, v);
  }

  private checkRunbookName(values: Record<string, unknown>, self: Row | null): void {
    if (typeof values.name !== 'string') return;
    const other = this.runbooks.byField('name', values.name);
    if (other && other !== self)
      throw ironicError('RunbookDuplicateName', `A runbook with name ${values.name} already exists.`, {
        name: values.name,
      });
  }

  /** get_runbook_list's filters (ValueError for any other, as the DB API raises). */
  listRunbooks(opts: ListOptions, filters: unknown): Row[] {
    const f = filters && typeof filters === 'object' ? (filters as Record<string, unknown>) : {};
    const known = [
      'project',
      'id',
      'uuid',
      'name',
      'public',
      'owner',
      'disable_ramdisk',
      'id_in',
      'uuid_in',
      'name_in',
    ];
    const unknown = Object.keys(f).filter((k) => !known.includes(k));
    if (unknown.length)
      throw new RemoteError(
        'ValueError',
        `SqlAlchemy API does not support filtering by ${unknown.join(', ')}`,
        {},
        'builtins',
      );
    const checks: ((r: Row) => boolean)[] = [];
    for (const k of ['id', 'uuid', 'name', 'public', 'owner', 'disable_ramdisk'])
      if (k in f) checks.push((r) => r[k] === f[k]);
    for (const k of ['id', 'uuid', 'name'])
      if (`${k}_in` in f) {
        const want = Array.isArray(f[`${k}_in`]) ? (f[`${k}_in`] as unknown[]) : [];
        checks.push((r) => want.includes(r[k]));
      }
    if ('project' in f) checks.push((r) => r.owner === f.project || r.public === true);
    return this.runbooks.list(opts, (r) => checks.every((c) => c(r)));
  }

  /** add_runbook_trait (a duplicate is ignored), set_runbook_traits, unset_runbook_traits, delete_runbook_trait. */
  addRunbookTrait(runbookId: unknown, trait: unknown): Row {
    const row = this.runbooks.byId(runbookId);
    const traits = row.traits as string[];
    if (!traits.includes(String(trait))) this.runbooks.update(row, { traits: [...traits, String(trait)] });
    return row;
  }

  setRunbookTraits(runbookId: unknown, traits: unknown): Row {
    const row = this.runbooks.byId(runbookId);
    return this.runbooks.update(row, { traits: [...new Set(Array.isArray(traits) ? traits.map(String) : [])] });
  }

  removeRunbookTrait(runbookId: unknown, trait: unknown | null): void {
    const row = this.runbooks.byId(runbookId);
    if (trait === null) {
      this.runbooks.update(row, { traits: [] });
      return;
    }
    const traits = row.traits as string[];
    if (!traits.includes(String(trait)))
      throw ironicError(
        'RunbookTraitNotFound',
        `Runbook ${String(runbookId)} doesn't have a trait '${String(trait)}'`,
        {
          runbook_id: runbookId,
          trait,
        },
      );
    this.runbooks.update(row, { traits: traits.filter((t) => t !== String(trait)) });
  }

  createInspectionRule(values: Record<string, unknown>): Row {
    const v = strip(values);
    if (typeof v.uuid === 'string' && this.inspectionRules.byField('uuid', v.uuid))
      throw ironicError('InspectionRuleAlreadyExists', `A rule with UUID ${v.uuid} already exists.`, { uuid: v.uuid });
    return this.inspectionRules.insert(v);
  }

  /** get_inspection_rule_list: filters phase and scope only. */
  listInspectionRules(opts: ListOptions, filters: unknown): Row[] {
    const f = filters && typeof filters === 'object' ? (filters as Record<string, unknown>) : {};
    const unknown = Object.keys(f).filter((k) => k !== 'phase' && k !== 'scope');
    if (unknown.length)
      throw new RemoteError(
        'ValueError',
        `SqlAlchemy API does not support filtering by ${unknown.join(', ')}`,
        {},
        'builtins',
      );
    return this.inspectionRules.list(opts, (r) => Object.entries(f).every(([k, v]) => r[k] === v));
  }

  // ---- conductors

  /** Registers (or refreshes) a live conductor, as Ironic's register_conductor/touch. */
  registerConductor(hostname: string, drivers: string[], group = ''): Row {
    const row = this.conductors.byField('hostname', hostname);
    if (row) return this.conductors.update(row, { drivers, conductor_group: group, online: true });
    // register_conductor always sets updated_at (ironic-api's `alive` reads it)
    const added = this.conductors.insert({ hostname, drivers, conductor_group: group, online: true });
    return this.conductors.update(added, {});
  }

  unregisterConductor(hostname: string): void {
    const row = this.conductors.byField('hostname', hostname);
    if (row) this.conductors.delete(row);
  }
}

/** Node._validate_and_format_conductor_group: InvalidConductorGroup, else lowercased. */
function formatConductorGroup(values: Record<string, unknown>): void {
  if (!('conductor_group' in values)) return;
  const group = values.conductor_group;
  if (typeof group !== 'string' || !/^[a-zA-Z0-9_\-.]*$/.test(group))
    throw ironicError('InvalidConductorGroup', `Expected a conductor group but received ${String(group)}.`, { group });
  values.conductor_group = group.toLowerCase();
}

/** Runbook steps as their table stores them: interface, step, args, order (an integer). */
function runbookSteps(steps: unknown): Record<string, unknown>[] {
  return (Array.isArray(steps) ? steps : []).map((s: Record<string, unknown>) => ({
    interface: s?.interface,
    step: s?.step,
    args: s?.args ?? {},
    order: Number(s?.order),
  }));
}

/** Deploy template steps as their table stores them: the four columns, the priority an integer. */
function templateSteps(steps: unknown): Record<string, unknown>[] {
  return (Array.isArray(steps) ? steps : []).map((s: Record<string, unknown>) => ({
    interface: s?.interface,
    step: s?.step,
    args: s?.args ?? {},
    priority: Number(s?.priority),
  }));
}

function strip(values: Record<string, unknown>): Record<string, unknown> {
  const v = { ...values };
  delete v.id;
  delete v.created_at;
  delete v.updated_at;
  return v;
}

/** oslo.db's JsonEncodedList/Dict columns store None as [] / {} (an allocation's traits, candidate_nodes, extra). */
function jsonColumns(values: Record<string, unknown>): Record<string, unknown> {
  for (const k of ['traits', 'candidate_nodes']) if (k in values && values[k] == null) values[k] = [];
  if ('extra' in values && values.extra == null) values.extra = {};
  return values;
}
