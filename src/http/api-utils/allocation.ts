/**
 * What the allocation routes share (ironic/api/controllers/v1/allocation.py and the allocation
 * helpers of utils.py at 21.4): the representation, the lookup by uuid or name, the owner rules
 * of 21.4's default policy, the POST body's JSON schema with jsonschema's wording, and the
 * resolution of `candidate_nodes` (dbapi.check_node_list, which has no object method).
 */
import type { FastifyRequest } from 'fastify';
import { pyRepr, ironicError } from '../../conductor/exceptions.ts';
import type { AllocationFields, IronicObject, NodeFields } from '../../conductor/objects.ts';
import { RemoteError } from '../../rpc/errors.ts';
import { allowed } from '../auth/index.ts';
import { forbidden } from '../auth/failure.ts';
import { checkRule, nodeVisible, ownerScoped } from '../auth/enforce.ts';
import type { PolicyRule } from '../auth/policy.ts';
import { HttpError } from '../errors.ts';
import {
  allowAllocationOwner,
  allows,
  MINOR_60_ALLOCATION_OWNER,
  type Microversion,
  notAcceptable,
} from '../versions.ts';
import { isUuidLike } from './ident.ts';
import { classAction, getByUuidOrNameWithSuffix, getRpcNode, type LookupSpec } from './lookup.ts';
import { apiDateTime, linksOf } from './representation.ts';
import { isValidTrait } from './traits.ts';
import { MINOR_52_ALLOCATION } from '../versions.ts';

export type Allocation = IronicObject<AllocationFields>;

/** Allocation states (common/states.py). */
export const ALLOCATING = 'allocating';

/** The API fields of an allocation, in object_to_dict's order (uuid and the dates first). */
const OBJECT_FIELDS = [
  'candidate_nodes',
  'extra',
  'last_error',
  'name',
  'owner',
  'resource_class',
  'state',
  'traits',
] as const;
const LIST_FIELDS: ReadonlySet<string> = new Set(['candidate_nodes', 'traits']);

/** Every API field of an allocation (links excluded), in the order of its body. */
export const ALLOCATION_FIELDS = ['uuid', 'created_at', 'updated_at', ...OBJECT_FIELDS, 'node_uuid'] as const;

/** The allocation fields newer than allocations (1.52), each with the microversion it appears from. */
export const ALLOCATION_FIELD_SINCE: Readonly<Record<string, Microversion>> = { owner: MINOR_60_ALLOCATION_OWNER };

/** Columns of the allocation table that cannot be sorted on. */
export const INVALID_SORT_KEYS = ['extra', 'candidate_nodes', 'traits'];

// ---- policy ------------------------------------------------------------------------------------

/**
 * policy.check_policy for a rule checked inside a handler. Without an auth plugin (an app built
 * bare) there is no policy to deny anything, as 21.4's check_policy answers True for any
 * auth_strategy but keystone.
 */
export function passes(request: FastifyRequest, rule: PolicyRule): boolean {
  if (!request.server.authPolicy) return true;
  return allowed(request, rule);
}

/**
 * check_owner_policy('allocation', …, owner) as the defaults decide it: a caller that may list
 * every allocation (SYSTEM_READER, or an admin through the legacy rules) sees any; another sees
 * those its project owns (ALLOCATION_OWNER_READER / _MEMBER). The route's own rule (reader,
 * member) was checked before the handler.
 */
export function ownsOrSeesAll(request: FastifyRequest, owner: unknown): boolean {
  if (passes(request, 'baremetal:allocation:list_all')) return true;
  const project = request.ctx.project_id;
  return project !== null && project !== undefined && owner === project;
}

/**
 * check_list_policy('allocation', owner): the owner filter to apply — the one asked for when
 * the caller may list everything, else the caller's project (403 without a project, or when it
 * asks for another project's allocations).
 */
export function listOwner(request: FastifyRequest, owner: string | undefined): string | undefined {
  if (passes(request, 'baremetal:allocation:list_all')) return owner;
  const project = request.ctx.project_id;
  if (!project || (owner && owner !== project)) throw forbidden('baremetal:allocation:list_all');
  return project;
}

// ---- lookup ------------------------------------------------------------------------------------

export const ALLOCATION_LOOKUP: LookupSpec<'Allocation'> = {
  objname: 'Allocation',
  notFound: 'AllocationNotFound',
  notFoundMessage: (ident) => `Allocation ${ident} could not be found.`,
  // allocations always had names
  namesFrom: MINOR_52_ALLOCATION,
};

/** args.uuid_or_name: InvalidParameterValue `Expected UUID or name for <name>: <value>`. */
export function checkUuidOrName21(name: string, value: string): string {
  if (!isUuidLike(value) && !isLogicalName(value))
    throw ironicError('InvalidParameterValue', `Expected UUID or name for ${name}: ${value}`);
  return value;
}

/** args.uuid: InvalidParameterValue `Expected UUID for <name>: <value>`. */
export function checkUuid21(name: string, value: string): string {
  if (!isUuidLike(value)) throw ironicError('InvalidParameterValue', `Expected UUID for ${name}: ${value}`);
  return value;
}

/** args.integer: InvalidParameterValue `Expected an integer for <name>: <value>`. */
export function parseInteger21(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\s*[+-]?\d+\s*$/.test(value))
    throw ironicError('InvalidParameterValue', `Expected an integer for ${name}: ${value}`);
  return Number(value);
}

/** common.utils.is_valid_logical_name (21.4: RFC 3986 unreserved characters, at most 255). */
export function isLogicalName(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 255 && /^[A-Z0-9\-._~]+$/i.test(value);
}

/**
 * check_allocation_policy_and_retrieve: the allocation by uuid or name (`.json` suffix
 * tolerated); one the caller may not see is AllocationNotFound, as if it did not exist.
 */
export async function allocationForRequest(request: FastifyRequest, ident: string): Promise<Allocation> {
  if (!isUuidLike(ident) && !isLogicalName(ident))
    throw ironicError('InvalidUuidOrName', `Expected a logical name or UUID but received ${ident}.`, { name: ident });
  const allocation = await getByUuidOrNameWithSuffix(request, ALLOCATION_LOOKUP, ident);
  if (!ownsOrSeesAll(request, allocation.get('owner')))
    throw ironicError('AllocationNotFound', `Allocation ${ident} could not be found.`, { allocation: ident });
  return allocation;
}

/** A node by uuid or name whose NodeNotFound is the client's mistake (400), as allocation.py sets `exc.code`. */
export async function nodeOr400(request: FastifyRequest, ident: string): Promise<IronicObject<NodeFields>> {
  let node: IronicObject<NodeFields>;
  try {
    node = await getRpcNode(request, ident);
  } catch (err) {
    // the route's own node hidden by the owner/lessee policy: 404, as for any route on a node
    if ((err as { concealed?: boolean }).concealed) throw err;
    if (err instanceof RemoteError && err.exc_type === 'NodeNotFound') throw new HttpError(400, err.message);
    throw err;
  }
  // a node named in the query or the body that the caller may not see: as if missing (400)
  if (!nodeVisible(request, { owner: node.get('owner'), lessee: node.get('lessee') }))
    throw new HttpError(400, `Node ${ident} could not be found.`);
  return node;
}

/**
 * check_owner_policy('allocation', rule, owner) under Ironic's owner/lessee policy; without it,
 * the gateway's own reading of the defaults (ownsOrSeesAll).
 */
export function allocationAllowed(request: FastifyRequest, rule: PolicyRule, owner: unknown): boolean {
  if (!ownerScoped(request)) return ownsOrSeesAll(request, owner);
  return checkRule(request, rule, { 'allocation.owner': owner ?? null });
}

// ---- representation ----------------------------------------------------------------------------

/** `fields=` of an allocation request: 1.60's `owner` is refused below it (_check_allowed_allocation_fields). */
export function checkAllowedAllocationFields(request: FastifyRequest, fields: Iterable<string> | undefined): void {
  if (fields === undefined) return;
  for (const f of fields) if (f === 'owner' && !allowAllocationOwner(request)) throw notAcceptable();
}

/** Node uuids by node id, read once per request (populate_node_uuid; a missing node is null). */
export class NodeUuids {
  private readonly cache = new Map<number, Promise<string | null>>();
  constructor(private readonly request: FastifyRequest) {}

  get(id: unknown): Promise<string | null> {
    if (typeof id !== 'number' || id === 0) return Promise.resolve(null);
    let p = this.cache.get(id);
    if (!p) {
      p = classAction(this.request, 'Node', 'get_by_id', [id]).then(
        (node) => String((node as IronicObject<NodeFields>).get('uuid')),
        (err: unknown) => {
          if (err instanceof RemoteError && err.exc_type === 'NodeNotFound') return null;
          throw err;
        },
      );
      this.cache.set(id, p);
    }
    return p;
  }
}

/**
 * convert_with_links: uuid, dates, the object fields (empty lists and dicts for unset ones),
 * links, node_uuid; `fields` checked against every key (400 `Field(s) "x" are not valid`);
 * owner hidden below 1.60; with `fields`, only those and the links.
 */
export async function allocationBody(
  request: FastifyRequest,
  allocation: Allocation,
  fields?: readonly string[],
  nodes: NodeUuids = new NodeUuids(request),
): Promise<Record<string, unknown>> {
  const data = allocation.toPlain();
  const uuid = String(data.uuid);
  const out: Record<string, unknown> = {
    uuid,
    created_at: apiDateTime(data.created_at),
    updated_at: apiDateTime(data.updated_at),
  };
  for (const f of OBJECT_FIELDS) {
    const v = data[f];
    out[f] = v ?? (LIST_FIELDS.has(f) ? [] : f === 'extra' ? {} : null);
  }
  out.links = linksOf(request, 'allocations', uuid);
  out.node_uuid = await nodes.get(data.node_id);
  if (fields !== undefined) {
    const invalid = fields.filter((f) => !Object.hasOwn(out, f));
    if (invalid.length) throw ironicError('InvalidParameterValue', `Field(s) "${invalid.join(', ')}" are not valid`);
  }
  for (const [f, since] of Object.entries(ALLOCATION_FIELD_SINCE)) if (!allows(request, since)) delete out[f];
  if (fields === undefined) return out;
  const kept: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(out)) if (k === 'links' || fields.includes(k)) kept[k] = v;
  return kept;
}

// ---- the POST body (ALLOCATION_SCHEMA with jsonschema's messages) ------------------------------

type JsonType = 'string' | 'array' | 'object' | 'null';
const typeOf = (v: unknown): JsonType | 'other' =>
  v === null
    ? 'null'
    : Array.isArray(v)
      ? 'array'
      : typeof v === 'string'
        ? 'string'
        : typeof v === 'object'
          ? 'object'
          : 'other';

/** The body's properties and their JSON types (ALLOCATION_SCHEMA). */
const BODY_TYPES: Readonly<Record<string, readonly JsonType[]>> = {
  candidate_nodes: ['array', 'null'],
  extra: ['object', 'null'],
  name: ['string', 'null'],
  node: ['string', 'null'],
  owner: ['string', 'null'],
  resource_class: ['string', 'null'],
  traits: ['array', 'null'],
  uuid: ['string', 'null'],
};

/** The POST body as ironic-api types it after validation. */
export interface AllocationBody {
  candidate_nodes?: string[] | null;
  extra?: Record<string, unknown> | null;
  name?: string | null;
  node?: string | null;
  owner?: string | null;
  resource_class?: string | null;
  traits?: string[] | null;
  uuid?: string | null;
}

const schemaError = (message: string): Error =>
  ironicError('InvalidParameterValue', `Schema error for allocation: ${message}`);

const CUSTOM_TRAIT = '^CUSTOM_[A-Z0-9_]+$';

/**
 * ALLOCATION_VALIDATOR: the JSON schema (additionalProperties false, types, resource_class ≤
 * 80, traits as TRAITS_SCHEMA), then `uuid` as args.uuid. Messages as jsonschema words them.
 */
export function validateAllocationBody(body: unknown): AllocationBody {
  if (typeOf(body) !== 'object') throw schemaError(`${pyRepr(body)} is not of type 'object'`);
  const b = body as Record<string, unknown>;
  const extra = Object.keys(b).filter((k) => !Object.hasOwn(BODY_TYPES, k));
  if (extra.length) {
    extra.sort();
    const list = extra.map(pyRepr).join(', ');
    throw schemaError(
      `Additional properties are not allowed (${list} ${extra.length === 1 ? 'was' : 'were'} unexpected)`,
    );
  }
  // property by property in the schema's order, as jsonschema reports the first error
  for (const [k, types] of Object.entries(BODY_TYPES)) {
    if (!Object.hasOwn(b, k)) continue;
    const v = b[k];
    if (!types.includes(typeOf(v) as JsonType))
      throw schemaError(`${pyRepr(v)} is not of type ${types.map((t) => `'${t}'`).join(', ')}`);
    if (k === 'resource_class' && typeof v === 'string' && v.length > 80) throw schemaError(`${pyRepr(v)} is too long`);
    if (k === 'candidate_nodes' && Array.isArray(v)) {
      for (const c of v) if (typeof c !== 'string') throw schemaError(`${pyRepr(c)} is not of type 'string'`);
    }
    if (k === 'traits' && Array.isArray(v)) {
      for (const t of v) {
        if (typeof t !== 'string') throw schemaError(`${pyRepr(t)} is not of type 'string'`);
        if (t.length < 1) throw schemaError(`${pyRepr(t)} is too short`);
        if (t.length > 255) throw schemaError(`${pyRepr(t)} is too long`);
        if (!isValidTrait(t))
          throw schemaError(
            `${pyRepr(t)} is not valid under any of the given schemas. Possible root cause: ${pyRepr(t)} does not match ${pyRepr(CUSTOM_TRAIT)}`,
          );
      }
    }
  }
  if (typeof b.uuid === 'string' && !isUuidLike(b.uuid))
    throw ironicError('InvalidParameterValue', `Expected UUID for uuid: ${b.uuid}`);
  return b as AllocationBody;
}

// ---- candidate nodes ---------------------------------------------------------------------------

/**
 * dbapi.check_node_list(idents, project) without a database: each distinct identifier is read
 * with Node.get_by_uuid or Node.get_by_name through the indirection API (one RPC per distinct
 * candidate, where ironic-api runs one SQL query); with `project`, a node that neither that
 * project owns nor leases is missing. Any miss is NodeNotFound `Nodes cannot be found: …`
 * (400 here). Answers the uuids in the order given.
 */
export async function resolveCandidateNodes(
  request: FastifyRequest,
  idents: readonly string[],
  project: string | null,
): Promise<string[]> {
  const distinct = [...new Set(idents)];
  const notFound = (missing: string[]) => new HttpError(400, `Nodes cannot be found: ${missing.join(', ')}`);
  // identifiers that can name no node fail before any read
  const impossible = distinct.filter((i) => !isUuidLike(i) && !isLogicalName(i));
  if (impossible.length) throw notFound(impossible);
  const mapping = new Map<string, string>();
  const missing: string[] = [];
  for (const ident of distinct) {
    try {
      const method = isUuidLike(ident) ? 'get_by_uuid' : 'get_by_name';
      const node = (await classAction(request, 'Node', method, [ident])) as IronicObject<NodeFields>;
      if (project && node.get('owner') !== project && node.get('lessee') !== project) missing.push(ident);
      else mapping.set(ident, String(node.get('uuid')));
    } catch (err) {
      if (err instanceof RemoteError && err.exc_type === 'NodeNotFound') missing.push(ident);
      else throw err;
    }
  }
  if (missing.length) throw notFound(missing);
  return idents.map((i) => mapping.get(i) as string);
}
