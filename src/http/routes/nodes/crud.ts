/** Node create, update (JSON Patch), delete, and the maintenance flag. */
import {
  allowSelfOwnedNodeDelete,
  authorizeNodeCreate,
  nodeVisible,
  policyRelease,
  replacePendingRules,
} from '../../auth/enforce.ts';
import { isDeepStrictEqual } from 'node:util';
import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { ironicError, pyRepr } from '../../../conductor/exceptions.ts';
import type { IronicObject, NodeFields } from '../../../conductor/objects.ts';
import { INSPECTING, UPDATE_ALLOWED_STATES } from '../../../conductor/states.ts';
import { route, type RouteDef } from '../../route.ts';
import { checkUuid } from '../../api-utils/ident.ts';
import { compareVersions } from '../../../rpc/version.ts';
import { classAction, getRpcNode, getRpcNodeWithSuffix, topicFor } from '../../api-utils/lookup.ts';
import { NEWER_NODE_FIELDS, convertNode, nodeSchema } from '../../api-utils/node.ts';
import {
  PATCH_COPIED_FIELDS,
  booleanArg,
  checkNewerPatch,
  checkNewerPatchValues,
  newerCreateFields,
} from '../../api-utils/node-newer.ts';
import {
  NODE_PATCH_INTERNAL,
  checkInputVersions,
  checkNamesAcceptable,
  checkNodeTypes,
  checkReadonly,
  nodeCreateSchema,
} from '../../api-utils/node-input.ts';
import { applyPatch, getPatchValues, patchBodySchema, validatePatch, type PatchOp } from '../../api-utils/patch.ts';
import { emptyResponse, locationOf } from '../../api-utils/representation.ts';
import { UuidsById } from '../../api-utils/resource.ts';
import { NODE_ERRORS, TAGS, identOf, nodeIdentParams, noQuery, type NodeRequest } from './common.ts';
import {
  allowEnrollState,
  allowRemoveChassisUuid,
  allowResetInterfaces,
  allows,
  MINOR_39_INSPECT_WAIT,
  notAcceptable,
} from '../../versions.ts';
import { MINOR_104_NODE_INSTANCE_NAME, servesRelease } from '../../versions.ts';

/** A chassis uuid to its id; ChassisNotFound is the client's mistake here (400). */
async function chassisIdOf(request: FastifyRequest, uuid: string): Promise<number> {
  checkUuid(uuid);
  try {
    const chassis = (await classAction(request, 'Chassis', 'get_by_uuid', [uuid])) as IronicObject<{ id: number }>;
    return Number(chassis.get('id'));
  } catch (err) {
    if ((err as { exc_type?: string }).exc_type === 'ChassisNotFound')
      throw ironicError('InvalidParameterValue', (err as Error).message);
    throw err;
  }
}

/** POST /v1/nodes: the Node object to create from the client's body. */
async function newNode(
  request: FastifyRequest,
  body: Record<string, unknown>,
  owner: string | null | undefined,
): Promise<IronicObject<NodeFields>> {
  checkReadonly(body);
  checkInputVersions(request, (f) => f in body);
  if ('traits' in body)
    throw ironicError(
      'Invalid',
      'Cannot specify node traits on node creation. Traits must be set via the node traits API.',
    );
  const newer = newerCreateFields(request, body);
  // a Node before 1.27 (a pinned Queens release) has no conductor_group to send
  if (compareVersions(request.conductor.objectVersions.Node ?? '1.0', '1.27') < 0) delete newer.conductor_group;
  const fields: Record<string, unknown> = { ...checkNodeTypes(body), ...newer };
  fields.uuid = body.uuid === undefined ? randomUUID() : checkUuid(String(body.uuid));
  delete fields.chassis_uuid;
  if (typeof body.chassis_uuid === 'string') fields.chassis_id = await chassisIdOf(request, body.chassis_uuid);
  if (body.name !== undefined && body.name !== null) {
    checkNamesAcceptable(request, [body.name], (name) => `Cannot create node with invalid name '${name}'`);
  }
  fields.provision_state = allowEnrollState(request) ? 'enroll' : 'available';
  if (!fields.resource_class) fields.resource_class = null;
  // a self-owned node: its owner set after the body's version checks, before the parent's
  // owner is compared with it (node.py's post)
  if (owner !== undefined) fields.owner = owner;
  // 1.83: the parent, a uuid or a name, resolved to its uuid after the caller's access to it
  if (fields.parent_node) fields.parent_node = await authorizeNodeLink(request, fields, fields.parent_node);
  return request.conductor.newObject('Node', fields as Partial<NodeFields>);
}

/**
 * authorize_node_link (39.0): the node named as `parent_node` must be visible to the caller
 * (node lookup, `baremetal:node:get`) and have the same owner as the node, else 400 in one
 * wording for every reason (so that it tells nothing of nodes the caller cannot see). Its uuid.
 */
async function authorizeNodeLink(
  request: FastifyRequest,
  orig: { owner?: unknown },
  ident: unknown,
  field = 'parent_node',
): Promise<string> {
  const invalid = () =>
    ironicError('Invalid', `Unable to apply the requested ${field} '${String(ident)}'. Requested value was invalid.`);
  let parent: IronicObject<NodeFields>;
  try {
    parent = await getRpcNode(request, String(ident));
  } catch (err) {
    if ((err as { exc_type?: string }).exc_type === undefined) throw err;
    throw invalid();
  }
  // check_node_policy_and_retrieve('baremetal:node:get', …): a node the caller cannot see
  if (!nodeVisible(request, { owner: parent.get('owner'), lessee: parent.get('lessee') })) throw invalid();
  if ((orig.owner ?? null) !== (parent.get('owner') ?? null)) throw invalid();
  return String(parent.get('uuid'));
}

/** The patch checks ironic-api makes before it reads the node. */
function checkPatchVersions(request: FastifyRequest, patch: readonly PatchOp[], resetInterfaces: boolean | null): void {
  checkNewerPatch(request, patch);
  validatePatch(patch, { internal: NODE_PATCH_INTERNAL, nonRemovable: ['/driver'] });
  checkInputVersions(request, (f) => getPatchValues(patch, `/${f}`).some(Boolean));
  if (getPatchValues(patch, '/traits').length > 0) {
    throw ironicError(
      'Invalid',
      'Cannot update node traits via node patch. Node traits should be updated via the node traits API.',
    );
  }
  if (resetInterfaces && getPatchValues(patch, '/driver').length === 0)
    throw ironicError('Invalid', "The reset_interfaces parameter can only be used when changing the node's driver.");
  checkNewerPatchValues(patch);
}

function checkNotTransitioning(node: IronicObject<NodeFields>, patch: readonly PatchOp[], ident: string): void {
  const removesInstanceOnly =
    patch.length === 1 &&
    patch[0].op === 'remove' &&
    patch[0].path === '/instance_uuid' &&
    Object.keys(patch[0]).length === 2;
  if (node.get('maintenance') && removesInstanceOnly) return;
  if (node.get('target_provision_state') && !UPDATE_ALLOWED_STATES.includes(node.get('provision_state') ?? '')) {
    throw ironicError('Conflict', `Node ${ident} can not be updated while a state transition is in progress.`);
  }
}

/**
 * The 409s 21.4 adds after the transition check (node.py patch): a node in `inspecting` from
 * 1.39; a new owner for a node whose allocation has an owner (Allocation.get_by_id through the
 * indirection API; an allocation gone meanwhile does not count). Not done: `/owner` on an
 * `active` node also needs `baremetal:node:update_owner_provisioned` in 21.4 (else 409); the
 * gateway's policy has no such rule yet (21.4's rules are issue 16), and ironic-api under
 * noauth lets it pass, as the gateway does.
 */
async function checkNewerConflicts(
  request: FastifyRequest,
  node: IronicObject<NodeFields>,
  patch: readonly PatchOp[],
): Promise<void> {
  const removesInstanceOnly = patch.length === 1 && patch[0].op === 'remove' && patch[0].path === '/instance_uuid';
  if (node.get('maintenance') && removesInstanceOnly) return;
  const uuid = String(node.get('uuid'));
  if (node.get('provision_state') === INSPECTING && allows(request, MINOR_39_INSPECT_WAIT))
    throw ironicError('Conflict', `Cannot update node "${uuid}" while it is in state "${INSPECTING}".`);
  const allocationId = node.get('allocation_id');
  if (getPatchValues(patch, '/owner').length > 0 && typeof allocationId === 'number') {
    let owner: unknown = null;
    try {
      const allocation = (await classAction(request, 'Allocation', 'get_by_id', [allocationId])) as IronicObject;
      owner = allocation.get('owner' as never);
    } catch (err) {
      if ((err as { exc_type?: string }).exc_type !== 'AllocationNotFound') throw err;
    }
    // the two spaces are 21.4's
    if (owner !== null && owner !== undefined)
      throw ironicError(
        'Conflict',
        `Cannot update owner of node "${uuid}" while it is allocated to an allocation with an  owner.`,
      );
  }
}

/** _update_changed_fields: copies what the patch changed onto the Node object (so only that is sent). */
async function applyChanges(
  request: FastifyRequest,
  node: IronicObject<NodeFields>,
  patched: Record<string, unknown>,
  currentChassis: string | null,
): Promise<void> {
  // 21.4's fields (PATCH_ALLOWED_FIELDS): only those a client may change are copied, so a
  // write never resets another field (the conductor saves only what changed)
  for (const f of PATCH_COPIED_FIELDS) {
    const since = NEWER_NODE_FIELDS[f];
    if (since !== undefined && !allows(request, since)) continue; // hidden below its version: untouched
    let value = patched[f] === undefined ? null : patched[f];
    if (f === 'conductor_group') value = typeof value === 'string' ? value.toLowerCase() : '';
    if (f === 'protected') value = value ?? false; // not nullable: null means False (node.py)
    if (!isDeepStrictEqual(node.get(f as keyof NodeFields) ?? null, value))
      node.set(f as keyof NodeFields & string, value as never);
  }
  const chassis = (patched.chassis_uuid ?? null) as string | null;
  if (chassis === currentChassis) return;
  if (chassis === null) {
    if (!allowRemoveChassisUuid(request)) throw notAcceptable();
    node.set('chassis_id', null);
  } else {
    node.set('chassis_id', await chassisIdOf(request, chassis));
  }
}

/**
 * 39.0 (at every microversion): a PATCH that changes instance_info while the node has no
 * instance_name copies `instance_info.display_name` into it. Only when the gateway answers as
 * a release that has instance_name (1.104, 33.0): a Node sent to an older conductor has no such
 * field.
 */
function copyDisplayName(request: FastifyRequest, node: IronicObject<NodeFields>): void {
  if (!servesRelease(request, MINOR_104_NODE_INSTANCE_NAME)) return;
  if (!node.whatChanged().includes('instance_info') || node.get('instance_name')) return;
  const display = (node.get('instance_info') as Record<string, unknown> | null)?.display_name;
  if (typeof display === 'string' || typeof display === 'number') node.set('instance_name', String(display) as never);
  else if (display) node.set('instance_name', JSON.stringify(display) as never);
}

const DRIVER_INTERFACES = new Set([
  'bios',
  'boot',
  'console',
  'deploy',
  'firmware',
  'inspect',
  'management',
  'network',
  'power',
  'raid',
  'rescue',
  'storage',
  'vendor',
]);

/**
 * _authorize_patch_and_get_node: the rule of each patched path, node:update for any other.
 * 21.4's order; with 39.0's policy, 39.0's table (first matching prefix: /instance_name,
 * /parent_node, /disable_power_off and /maintenance* have their own rules; the interfaces and
 * disabling automated_clean only when no prefix matched).
 */
function patchPolicies(patch: PatchOp[], ironic39: boolean): string[] {
  const N = 'baremetal:node:';
  const rules: string[] = [];
  let generic = false;
  const disablesCleaning = (p: string, value: unknown) =>
    p.startsWith('/automated_clean') && (value === false || /^(f|false|off|n|no|0)$/i.test(String(value)));
  const isInterface = (p: string) =>
    p.endsWith('_interface') && DRIVER_INTERFACES.has(p.slice(1, -'_interface'.length));
  for (const op of patch) {
    const p = op.path;
    const value = (op as { value?: unknown }).value;
    if (ironic39) {
      const match = PATCH_POLICIES_39.find(([prefix]) => p.startsWith(prefix));
      if (match) rules.push(match[1]);
      else if (isInterface(p)) rules.push(`${N}update:driver_interfaces`);
      else if (disablesCleaning(p, value)) rules.push(`${N}disable_cleaning`);
      else generic = true;
      continue;
    }
    if (p.startsWith('/instance_info')) rules.push(`${N}update_instance_info`);
    else if (p.startsWith('/extra')) rules.push(`${N}update_extra`);
    else if (disablesCleaning(p, value)) rules.push(`${N}disable_cleaning`);
    else if (p.startsWith('/driver_info')) rules.push(`${N}update:driver_info`);
    else if (p.startsWith('/properties')) rules.push(`${N}update:properties`);
    else if (p.startsWith('/chassis_uuid')) rules.push(`${N}update:chassis_uuid`);
    else if (p.startsWith('/instance_uuid')) rules.push(`${N}update:instance_uuid`);
    else if (p.startsWith('/lessee')) rules.push(`${N}update:lessee`);
    else if (p.startsWith('/owner')) rules.push(`${N}update:owner`);
    else if (p.startsWith('/driver')) rules.push(`${N}update:driver_interfaces`);
    else if (isInterface(p)) rules.push(`${N}update:driver_interfaces`);
    else if (p.startsWith('/network_data')) rules.push(`${N}update:network_data`);
    else if (p.startsWith('/conductor_group')) rules.push(`${N}update:conductor_group`);
    else if (p.startsWith('/name')) rules.push(`${N}update:name`);
    else if (p.startsWith('/retired')) rules.push(`${N}update:retired`);
    else if (p.startsWith('/shard')) rules.push(`${N}update:shard`);
    else generic = true;
  }
  if (generic || rules.length === 0) rules.push(`${N}update`);
  return rules;
}

/** 39.0's paths_to_policy: a patched path's rule, by the first prefix it starts with. */
const PATCH_POLICIES_39: ReadonlyArray<readonly [string, string]> = [
  ['/instance_info', 'baremetal:node:update_instance_info'],
  ['/extra', 'baremetal:node:update_extra'],
  ['/driver_info', 'baremetal:node:update:driver_info'],
  ['/properties', 'baremetal:node:update:properties'],
  ['/chassis_uuid', 'baremetal:node:update:chassis_uuid'],
  ['/instance_uuid', 'baremetal:node:update:instance_uuid'],
  ['/instance_name', 'baremetal:node:update_instance_info'],
  ['/lessee', 'baremetal:node:update:lessee'],
  ['/owner', 'baremetal:node:update:owner'],
  ['/driver', 'baremetal:node:update:driver_interfaces'],
  ['/network_data', 'baremetal:node:update:network_data'],
  ['/conductor_group', 'baremetal:node:update:conductor_group'],
  ['/name', 'baremetal:node:update:name'],
  ['/retired', 'baremetal:node:update:retired'],
  ['/shard', 'baremetal:node:update:shard'],
  ['/parent_node', 'baremetal:node:update:parent_node'],
  ['/disable_power_off', 'baremetal:node:update:disable_power_off'],
  ['/maintenance', 'baremetal:node:set_maintenance'],
  ['/maintenance_reason', 'baremetal:node:set_maintenance'],
];

/** PATCH /v1/nodes/{ident}: the updated Node, after update_node. */
async function patchNode(
  request: NodeRequest,
  ident: string,
  patch: PatchOp[],
  rawReset: string | undefined,
): Promise<Record<string, unknown>> {
  // ?reset_interfaces (1.45): a boolean, 406 below its version
  const resetInterfaces = booleanArg('reset_interfaces', rawReset);
  if (resetInterfaces !== null && !allowResetInterfaces(request)) throw notAcceptable();
  checkPatchVersions(request, patch, resetInterfaces);
  replacePendingRules(request, patchPolicies(patch, policyRelease(request) === '39.0'));
  const node = await getRpcNodeWithSuffix(request, ident);
  checkNotTransitioning(node, patch, ident);
  await checkNewerConflicts(request, node, patch);
  const names = getPatchValues(patch, '/name');
  if (names.length > 0)
    checkNamesAcceptable(request, names, (name) => `Node ${ident}: Cannot change name to invalid name '${name}'`);
  const chassisUuid = await new UuidsById(request, 'Chassis').get(node.get('chassis_id'));
  const doc: Record<string, unknown> = { ...node.toPlain(), chassis_uuid: chassisUuid };
  delete doc.chassis_id;
  // the document a client patches has the fields of its microversion (Queens' had none newer)
  for (const [f, v] of Object.entries(NEWER_NODE_FIELDS)) if (!allows(request, v)) delete doc[f];
  // 1.83: authorize_node_link_patch, the new parent's uuid replacing a name
  const parents = getPatchValues(patch, '/parent_node');
  let parentUuid: string | undefined;
  if (parents.length > 0) parentUuid = await authorizeNodeLink(request, node.toPlain(), parents[0]);
  const patched = checkNodeTypes(applyPatch(doc, patch));
  if (parentUuid !== undefined && parentUuid !== node.get('uuid')) patched.parent_node = parentUuid;
  for (const f of ['automated_clean', 'protected', 'retired', 'disable_power_off'] as const)
    if (f in patched) patched[f] = booleanArg(f, patched[f]);
  checkPatchedTypes(patched);
  await applyChanges(request, node, patched, chassisUuid);
  copyDisplayName(request, node);
  const topic = await topicFor(request, node, true);
  if (node.whatChanged().includes('driver') && node.get('console_enabled')) {
    throw ironicError(
      'Conflict',
      `Node ${ident} can not update the driver while the console is enabled. Please stop the console first.`,
    );
  }
  const updated = await request.conductor.update_node(request.ctx, node, topic, resetInterfaces ?? false);
  return convertNode(request, updated);
}

/** node_patch_schema's types for the newer fields of the patched node (400 as a schema error). */
function checkPatchedTypes(patched: Record<string, unknown>): void {
  const strings = [
    'bios_interface',
    'conductor_group',
    'owner',
    'description',
    'lessee',
    'retired_reason',
    'protected_reason',
    'shard',
    // 39.0 (issue 15, slice nodes)
    'firmware_interface',
    'instance_name',
    'parent_node',
  ];
  for (const f of strings) {
    const v = patched[f];
    if (v !== null && v !== undefined && typeof v !== 'string')
      throw ironicError(
        'InvalidParameterValue',
        `Schema error for patch: ${JSON.stringify(v)} is not of type 'string', 'null'`,
      );
  }
  // node_patch_schema's lengths of 39.0 (jsonschema 4.26's wording)
  const tooLong = (f: string, max: number): void => {
    const v = patched[f];
    if (typeof v === 'string' && v.length > max)
      throw ironicError('InvalidParameterValue', `Schema error for patch: ${pyRepr(v)} is too long`);
  };
  if (patched.instance_name === '')
    throw ironicError('InvalidParameterValue', "Schema error for patch: '' should be non-empty");
  tooLong('instance_name', 255);
  tooLong('parent_node', 36);
  const nd = patched.network_data;
  if (nd !== null && nd !== undefined && (typeof nd !== 'object' || Array.isArray(nd)))
    throw ironicError(
      'InvalidParameterValue',
      `Schema error for patch: ${JSON.stringify(nd)} is not valid under any of the given schemas`,
    );
}

/** Sets or clears maintenance through update_node (NodeMaintenanceController._set_maintenance). */
async function setMaintenance(request: NodeRequest, on: boolean, reason: string | null): Promise<void> {
  const node = await getRpcNode(request, identOf(request));
  node.set('maintenance', on);
  node.set('maintenance_reason', reason);
  const topic = await topicFor(request, node, true);
  await request.conductor.update_node(request.ctx, node, topic);
}

export const crudRoutes: RouteDef[] = [
  route({
    method: 'POST',
    url: '/v1/nodes',
    operationId: 'createNode',
    policy: 'baremetal:node:create',
    // a new node has no allocation: its allocation_uuid is null without a call
    rpc: [
      'Chassis.get_by_id',
      'Chassis.get_by_uuid',
      'Node.get_by_name', // 1.83: the parent node
      'Node.get_by_uuid',
      'get_conductor_for',
      'get_topic_for',
      'create_node',
    ],
    status: 201,
    summary: 'Create a node',
    tags: TAGS,
    schema: { querystring: noQuery, body: nodeCreateSchema, response: { 201: nodeSchema, ...NODE_ERRORS } },
    handler: async (request, reply) => {
      const { owner } = authorizeNodeCreate(request, request.body.owner);
      const node = await newNode(request, request.body, owner);
      const topic = await topicFor(request, node, true);
      const created = await request.conductor.create_node(request.ctx, node, topic);
      reply.header('location', locationOf(request, `nodes/${String(created.get('uuid'))}`));
      return convertNode(request, created);
    },
  }),
  route({
    method: 'PATCH',
    url: '/v1/nodes/:node_ident',
    operationId: 'updateNode',
    policy: 'baremetal:node:update',
    rpc: [
      'Allocation.get_by_id',
      'Chassis.get_by_id',
      'Node.get_by_name',
      'Node.get_by_uuid',
      'get_conductor_for',
      'get_topic_for',
      'update_node',
    ],
    status: 200,
    summary: 'Update a node (JSON Patch)',
    tags: TAGS,
    schema: {
      params: nodeIdentParams,
      querystring: {
        type: 'object',
        properties: {
          reset_interfaces: { type: 'string', description: "1.45: boolean, reset the interfaces with the driver's" },
        },
        additionalProperties: false,
      },
      body: patchBodySchema,
      response: { 200: nodeSchema, ...NODE_ERRORS },
    },
    handler: async (request) => patchNode(request, identOf(request), request.body, request.query.reset_interfaces),
  }),
  route({
    method: 'DELETE',
    url: '/v1/nodes/:node_ident',
    operationId: 'deleteNode',
    policy: 'baremetal:node:delete',
    rpc: ['Node.get_by_name', 'Node.get_by_uuid', 'get_topic_for', 'destroy_node'],
    status: 204,
    summary: 'Delete a node',
    tags: TAGS,
    schema: { params: nodeIdentParams, querystring: noQuery, response: { 204: emptyResponse, ...NODE_ERRORS } },
    handler: async (request) => {
      allowSelfOwnedNodeDelete(request);
      const node = await getRpcNodeWithSuffix(request, identOf(request));
      const topic = await topicFor(request, node, true);
      await request.conductor.destroy_node(request.ctx, String(node.get('uuid')), topic);
    },
  }),
  route({
    method: 'PUT',
    url: '/v1/nodes/:node_ident/maintenance',
    operationId: 'setNodeMaintenance',
    policy: 'baremetal:node:set_maintenance',
    rpc: ['Node.get_by_name', 'Node.get_by_uuid', 'get_topic_for', 'update_node'],
    status: 202,
    summary: 'Put a node in maintenance',
    tags: TAGS,
    schema: {
      params: nodeIdentParams,
      querystring: { type: 'object', properties: { reason: { type: 'string' } }, additionalProperties: false },
      body: {
        type: ['object', 'null'],
        properties: { reason: { type: ['string', 'null'] } },
        additionalProperties: false,
      },
      response: { 202: emptyResponse, ...NODE_ERRORS },
    },
    handler: async (request) => {
      const reason = request.body?.reason ?? request.query.reason ?? null;
      await setMaintenance(request, true, reason);
    },
  }),
  route({
    method: 'DELETE',
    url: '/v1/nodes/:node_ident/maintenance',
    operationId: 'clearNodeMaintenance',
    policy: 'baremetal:node:clear_maintenance',
    rpc: ['Node.get_by_name', 'Node.get_by_uuid', 'get_topic_for', 'update_node'],
    status: 202,
    summary: 'Take a node out of maintenance',
    tags: TAGS,
    schema: { params: nodeIdentParams, querystring: noQuery, response: { 202: emptyResponse, ...NODE_ERRORS } },
    handler: async (request) => setMaintenance(request, false, null),
  }),
];
