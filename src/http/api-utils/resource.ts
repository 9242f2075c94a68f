/**
 * What the collections of ports, portgroups, chassis and volume connectors/targets share: the
 * page parameters (limit, marker, sort), the API representation of an object (public fields,
 * datetimes, microversion hiding, `fields=`, links) and query-string schemas. Built on the
 * other helpers of this folder.
 */
import type { FastifyRequest } from 'fastify';
import { ironicError } from '../../conductor/exceptions.ts';
import type { ClassesWith, IronicObject } from '../../conductor/objects.ts';
import { collection, nextLink, validateLimit, validateSortDir, validateSortKey, type SortDir } from './collection.ts';
import {
  checkAllowSpecifyFields,
  checkAllowedFields,
  checkForInvalidFields,
  hideFields,
  selectFields,
  type FieldVersions,
} from './fields.ts';
import { checkUuid, parseList } from './ident.ts';
import { classAction } from './lookup.ts';
import { checkResourceListPolicy } from '../auth/enforce.ts';
import { apiDateTime, linksOf } from './representation.ts';

/** How one resource type is shown: ironic-api's `<Resource>.convert_with_links`. */
export interface ResourceSpec {
  /** collection name in URLs and list bodies (`ports`, `chassis`, `volume/connectors` …) */
  readonly path: string;
  /** the key of the list body */
  readonly key: string;
  /** the API fields at the newest microversion, in ironic-api's order (links excluded) */
  readonly fields: readonly string[];
  /** fields a list shows without `fields=` */
  readonly defaultFields: readonly string[];
  readonly versions: FieldVersions;
  /** columns that can not be sorted on */
  readonly invalidSortKeys: readonly string[];
}

const DATETIME_FIELDS = ['created_at', 'updated_at'];

/**
 * The object as the API shows it at the request's microversion. `extra` holds the API-only
 * fields computed by the caller (node_uuid, portgroup_uuid); `more` adds links besides
 * `links` for full representations (chassis' nodes).
 */
export function convert(
  request: FastifyRequest,
  spec: ResourceSpec,
  obj: IronicObject,
  apiOnly: Record<string, unknown> = {},
  fields?: readonly string[],
  more?: (out: Record<string, unknown>) => void,
): Record<string, unknown> {
  const data = obj.toPlain();
  let out: Record<string, unknown> = {};
  for (const f of spec.fields) out[f] = f in apiOnly ? apiOnly[f] : (data[f] ?? null);
  for (const f of DATETIME_FIELDS) if (f in out) out[f] = apiDateTime(data[f]);
  if (fields !== undefined) checkForInvalidFields(fields, spec.fields);
  hideFields(out, spec.versions, request);
  const uuid = String(data.uuid);
  if (fields !== undefined) out = selectFields(out, fields);
  else more?.(out);
  out.links = linksOf(request, spec.path, uuid);
  return out;
}

/** `fields=` of a request, checked for the microversion (1.8; fields newer than the version → 406). */
export function requestedFields(
  request: FastifyRequest,
  spec: ResourceSpec,
  raw: string | undefined,
): string[] | undefined {
  const fields = raw === undefined ? undefined : parseList(raw);
  checkAllowSpecifyFields(fields, request);
  checkAllowedFields(fields, spec.versions, request);
  return fields;
}

export interface PageQuery {
  marker?: string;
  limit?: string;
  sort_key?: string;
  sort_dir?: string;
}

export interface Page {
  limit: number;
  sort_key: string;
  sort_dir: SortDir;
  /** the marker object (as Ironic passes it to the list), or null */
  marker: IronicObject | null;
  /**
   * Ironic's owner/lessee policy: the project whose nodes' objects the caller may list, decided
   * when the list is asked for (after a parent node or portgroup was found visible)
   */
  project?: () => string | undefined;
}

/** The page's project filter (check_port_list_policy / check_volume_list_policy), undefined: none. */
export function pageProject(page: Page): string | undefined {
  return page.project?.();
}

/** The list policy type of the classes whose lists are scoped by their node's owner and lessee. */
const LIST_POLICY: Readonly<Record<string, string>> = {
  Port: 'port',
  Portgroup: 'portgroup',
  VolumeConnector: 'volume',
  VolumeTarget: 'volume',
};

/** validate_limit, validate_sort_dir, the marker object and the sort key check, in ironic-api's order. */
export async function pageOf(
  request: FastifyRequest,
  spec: ResourceSpec,
  objname: ClassesWith<'get_by_uuid'>,
  q: PageQuery,
): Promise<Page> {
  // check_port_list_policy / check_volume_list_policy: <type>:list_all, else <type>:list for
  // the caller's project (no project: 403)
  const type = Object.hasOwn(LIST_POLICY, objname) ? LIST_POLICY[objname] : undefined;
  let decided: { project: string | undefined } | undefined;
  const project =
    type === undefined
      ? undefined
      : () => {
          decided ??= { project: checkResourceListPolicy(request, type) };
          return decided.project;
        };
  const limit = validateLimit(q.limit, request.server.gatewayConfig.max_limit);
  const sortDir = validateSortDir(q.sort_dir);
  const marker = q.marker
    ? ((await classAction(request, objname, 'get_by_uuid', [checkUuid(q.marker)])) as IronicObject)
    : null;
  const sortKey = validateSortKey(q.sort_key ?? 'id', spec.invalidSortKeys);
  return { limit, sort_key: sortKey, sort_dir: sortDir, marker, ...(project !== undefined && { project }) };
}

/** The kwargs of a `list`/`list_by_*` class method for a page. */
export function pageKwargs(page: Page): Record<string, unknown> {
  const project = pageProject(page);
  return {
    limit: page.limit,
    marker: page.marker,
    sort_key: page.sort_key,
    sort_dir: page.sort_dir,
    ...(project !== undefined && { project }),
  };
}

/** `{<key>: items, next?}` with the next link at `<path>?sort_key=…&sort_dir=…&limit=…&marker=…`. */
export function pageBody(
  request: FastifyRequest,
  spec: ResourceSpec,
  page: Page,
  objects: readonly IronicObject[],
  items: unknown[],
  path: string = spec.path,
  params: Record<string, string> = {},
): Record<string, unknown> {
  pageProject(page); // the list policy, decided even when no list method was called
  const next = nextLink(
    request,
    path,
    objects.map((o) => ({ uuid: o.get('uuid') })),
    page.limit,
    { ...params, sort_key: page.sort_key, sort_dir: page.sort_dir },
  );
  return collection(spec.key, items, next);
}

/**
 * The path parameter `name` of a request, read without trusting its type: for helpers shared
 * by routes with and without that parameter (a node's sub-collection and the top-level one).
 */
export function pathParam(request: FastifyRequest, name: string): string | undefined {
  const params: unknown = request.params;
  if (typeof params !== 'object' || params === null) return undefined;
  const value: unknown = Reflect.get(params, name);
  return typeof value === 'string' ? value : undefined;
}

/** A path parameter holding a uuid (or a name, as the description says). */
export function identParam<const N extends string>(name: N, description: string) {
  // spelt out: a computed key would lose the parameter's name from the type handlers see
  const properties = { [name]: { type: 'string', description } } as {
    readonly [K in N]: { readonly type: 'string'; readonly description: string };
  };
  return { type: 'object', properties, required: [name] as readonly [N] } as const;
}

/** List query parameters every collection takes. */
export const pageQuery = {
  marker: { type: 'string', description: 'UUID of the last item of the previous page' },
  limit: { type: 'string', description: 'page size (at most max_limit)' },
  sort_key: { type: 'string', description: 'field to sort by (default id)' },
  sort_dir: { type: 'string', description: 'asc (default) or desc' },
} as const;

/** `fields=a,b` (1.8+). */
export const fieldsQuery = {
  fields: { type: 'string', description: 'comma-separated fields to return (1.8+)' },
} as const;

/** `{<key>: [items], next?}`. */
export function collectionSchema(key: string, item: object) {
  return {
    type: 'object',
    properties: { [key]: { type: 'array', items: item }, next: { type: 'string' } },
    required: [key],
  } as const;
}

/** A response object whose documented properties depend on the microversion and `fields`. */
export function resourceSchema(properties: Record<string, object>) {
  return { type: 'object', properties, additionalProperties: true } as const;
}

/** Resolves ids (node_id, portgroup_id, chassis_id) to uuids through the conductor, once per id per request. */
export class UuidsById {
  private readonly cache = new Map<number, Promise<string>>();
  constructor(
    private readonly request: FastifyRequest,
    private readonly objname: ClassesWith<'get_by_id'>,
  ) {}

  get(id: unknown): Promise<string | null> {
    if (typeof id !== 'number') return Promise.resolve(null);
    let p = this.cache.get(id);
    if (!p) {
      p = classAction(this.request, this.objname, 'get_by_id', [id]).then((o) =>
        String((o as IronicObject).get('uuid' as never)),
      );
      this.cache.set(id, p);
    }
    return p;
  }
}

const MAC_RE = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

/** utils.validate_and_normalize_mac: lower case; InvalidMAC (400) otherwise. */
export function normalizeMac(address: unknown): string {
  const mac = String(address).toLowerCase();
  if (typeof address !== 'string' || !MAC_RE.test(mac))
    throw ironicError('InvalidMAC', `Expected a MAC address but received ${String(address)}.`, { mac: address });
  return mac;
}
