/**
 * What the node sub-resources of 21.4 (BIOS settings 1.40, history 1.78, inventory 1.81)
 * share: the node router's answers before any controller runs (webob bodies, §5.8), the
 * argument checks of ironic's `args.validate` with its messages, and the representations of
 * a BIOS setting and of a history event (bios.py convert_with_links; node.py
 * NodeHistoryController).
 */
import type { FastifyRequest } from 'fastify';
import { ironicError } from '../../conductor/exceptions.ts';
import type { BIOSSettingFields, IronicObject, NodeHistoryFields } from '../../conductor/objects.ts';
import { HttpError } from '../errors.ts';
import { baseUrl, link, type Link } from '../links.ts';
import { isUuidLike, parseBoolean } from './ident.ts';
import { apiDateTime, linksOf } from './representation.ts';
import { pathParam } from './resource.ts';
import { own } from '../../own.ts';
import {
  allows,
  MINOR_74_BIOS_REGISTRY,
  MINOR_113_NODE_HISTORY_PROJECT,
  MINOR_115_NODE_HISTORY_FIELDS,
  type Microversion,
} from '../versions.ts';

const WEBOB_TITLES: Readonly<Record<number, string>> = { 400: 'Bad Request', 404: 'Not Found' };

/** webob's HTTPException as pecan.abort raises it in a router: `{code, title, description}`. */
export function webobError(status: 400 | 404, description = ''): HttpError {
  return new HttpError(status, description, {}, { code: status, title: WEBOB_TITLES[status], description });
}

/** common/utils.py is_valid_logical_name: RFC 3986 unreserved characters, at most 255. */
function isLogicalName(value: string): boolean {
  return value.length <= 255 && /^[A-Z0-9\-._~]+$/i.test(value);
}

/**
 * NodesController._lookup: the node identifier is checked before anything else (webob 400),
 * whatever the microversion; then a sub-resource newer than the request is webob's 404.
 */
function checkRoutedIdent(request: FastifyRequest): void {
  const ident = pathParam(request, 'node_ident') ?? '';
  if (!isUuidLike(ident) && !isLogicalName(ident)) throw webobError(400, `Expected UUID or name for node: ${ident}`);
}

/** `belowMinVersion` of a node sub-resource route: the router's answer (400 or 404, webob's body). */
export function subresourceBelowVersion(request: FastifyRequest): Error {
  checkRoutedIdent(request);
  return webobError(404);
}

/** The router's identifier check at a version that has the sub-resource. */
export const checkNodeIdentRouted = checkRoutedIdent;

// ---- args.validate ----------------------------------------------------------------------------

/** args.validate's refusal of query parameters the controller method does not take. */
export function checkArguments(query: unknown, allowed: readonly string[]): void {
  if (typeof query !== 'object' || query === null) return;
  const extra = Object.keys(query).filter((k) => !allowed.includes(k));
  if (extra.length > 0) throw ironicError('InvalidParameterValue', `Unexpected arguments: ${extra.join(', ')}`);
}

/** args.boolean */
export function booleanArg(name: string, value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  try {
    return parseBoolean(value);
  } catch (err) {
    throw ironicError('InvalidParameterValue', `Invalid ${name}: ${(err as Error).message}`);
  }
}

/** args.integer (Python's int() of a string) */
export function integerArg(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const s = value.trim().replace(/(\d)_(?=\d)/g, '$1');
  if (!/^[+-]?\d+$/.test(s)) throw ironicError('InvalidParameterValue', `Expected an integer for ${name}: ${value}`);
  return Number(s);
}

/** args.uuid */
export function uuidArg(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!isUuidLike(value)) throw ironicError('InvalidParameterValue', `Expected UUID for ${name}: ${value}`);
  return value;
}

/** args.name */
export function nameArg(name: string, value: string): string {
  if (!isLogicalName(value)) throw ironicError('InvalidParameterValue', `Expected name for ${name}: ${value}`);
  return value;
}

/** args.uuid_or_name */
export function uuidOrNameArg(name: string, value: string): string {
  if (!isUuidLike(value) && !isLogicalName(value))
    throw ironicError('InvalidParameterValue', `Expected UUID or name for ${name}: ${value}`);
  return value;
}

/** args.string_list: comma-separated, lower-cased, de-duplicated, order kept. */
export function stringListArg(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const items: string[] = [];
  for (const part of value.split(',')) {
    const v = part.trim().toLowerCase();
    if (v && !items.includes(v)) items.push(v);
  }
  return items;
}

/** Python's repr() of a list of strings, as 21.4's messages print `?fields=%s`. */
export function pyListRepr(items: readonly string[]): string {
  const repr = (s: string): string =>
    s.includes("'") && !s.includes('"') ? `"${s}"` : `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  return `[${items.map(repr).join(', ')}]`;
}

// ---- BIOS settings (bios.py) --------------------------------------------------------------------

export const BIOS_DEFAULT_FIELDS = ['name', 'value'] as const;
export const BIOS_REGISTRY_FIELDS = [
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
] as const;
/** Every field of BIOSSetting 1.1 (what `?fields=` may name). */
export const BIOS_FIELDS: readonly string[] = ['node_id', ...BIOS_REGISTRY_FIELDS, 'created_at', 'updated_at'];

/** Every field a BIOS setting's API representation may have (links excluded), in the order of its body. */
export const BIOS_API_FIELDS: readonly string[] = ['created_at', 'updated_at', ...BIOS_REGISTRY_FIELDS, 'node_id'];

/**
 * The BIOS setting fields newer than 1.40 (created_at, updated_at, name and value), each with the
 * microversion it appears from: the registry's (1.74, allow_query_bios), and node_id, which
 * only `?fields=` (1.74) shows. The show route keeps the registry fields by it.
 */
export const BIOS_FIELD_SINCE: Readonly<Record<string, Microversion>> = Object.fromEntries(
  BIOS_API_FIELDS.filter((f) => !['created_at', 'updated_at', ...BIOS_DEFAULT_FIELDS].includes(f)).map((f) => [
    f,
    MINOR_74_BIOS_REGISTRY,
  ]),
);

/** The BIOS setting fields the microversion shows (the registry's from 1.74). */
export function biosFieldsAt(request: FastifyRequest, fields: readonly string[]): readonly string[] {
  return fields.filter((f) => {
    const since = own(BIOS_FIELD_SINCE, f);
    return since === undefined || allows(request, since);
  });
}

/**
 * api_utils.object_to_dict of a BIOSSetting: created_at, updated_at, then `fields` (a list
 * field unset is `[]`, anything else unset is null), then self/bookmark links to
 * `nodes/<nodePath>/bios/<name>`.
 */
export function biosSettingToDict(
  request: FastifyRequest,
  setting: IronicObject<BIOSSettingFields>,
  nodePath: string,
  fields: readonly string[],
): Record<string, unknown> {
  const data = setting.toPlain();
  const out: Record<string, unknown> = {
    created_at: apiDateTime(data.created_at),
    updated_at: apiDateTime(data.updated_at),
  };
  for (const f of fields) {
    if (f === 'created_at' || f === 'updated_at') continue;
    const v = data[f];
    out[f] = v === undefined || v === null ? (f === 'allowable_values' ? [] : null) : v;
  }
  out.links = linksOf(request, 'nodes', nodePath, `/bios/${String(data.name)}`);
  return out;
}

// ---- node history (node.py NodeHistoryController) -----------------------------------------------

export const HISTORY_STANDARD_FIELDS = ['uuid', 'created_at', 'severity', 'event'] as const;
export const HISTORY_DETAIL_FIELDS = [
  'uuid',
  'created_at',
  'severity',
  'event_type',
  'event',
  'conductor',
  'user',
  // 39.0 (issue 15, slice nodes): project from 1.113; state, target_provision_state and
  // duration_seconds from 1.115 (NodeHistory 1.2 and 1.3)
  'project',
  'state',
  'target_provision_state',
  'duration_seconds',
] as const;

/**
 * The detail fields of 1.113 and 1.115, each with the microversion it appears from
 * (allow_node_history_project, allow_node_history_fields); historyEventToDict hides by it.
 */
export const HISTORY_FIELD_SINCE: Readonly<Record<string, Microversion>> = {
  project: MINOR_113_NODE_HISTORY_PROJECT,
  state: MINOR_115_NODE_HISTORY_FIELDS,
  target_provision_state: MINOR_115_NODE_HISTORY_FIELDS,
  duration_seconds: MINOR_115_NODE_HISTORY_FIELDS,
};

/** An event longer than 255 characters is cut to 251 and `...` in the standard form. */
function truncated(event: string): string {
  const chars = Array.from(event); // Python counts code points
  return chars.length > 255 ? `${chars.slice(0, 251).join('')}...` : event;
}

/**
 * One history event: the standard fields (event truncated) or the detail fields, no
 * updated_at, and a single self link under the node's uuid.
 */
export function historyEventToDict(
  request: FastifyRequest,
  event: IronicObject<NodeHistoryFields>,
  nodeUuid: string,
  detail: boolean,
): Record<string, unknown> {
  const data = event.toPlain();
  const out: Record<string, unknown> = {};
  for (const f of detail ? HISTORY_DETAIL_FIELDS : HISTORY_STANDARD_FIELDS) {
    const since = own(HISTORY_FIELD_SINCE, f);
    if (since !== undefined && !allows(request, since)) continue;
    const v = data[f];
    out[f] = f === 'created_at' ? apiDateTime(v) : (v ?? null);
  }
  if (!detail && typeof out.event === 'string') out.event = truncated(out.event);
  const self: Link = link('self', `${baseUrl(request)}/v1/nodes/${nodeUuid}/history/${String(data.uuid)}`);
  out.links = [self];
  return out;
}
