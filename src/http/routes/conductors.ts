/**
 * /v1/conductors (1.49; ironic/api/controllers/v1/conductor.py @21.4): the conductors as the
 * database lists them, read through the indirection API (Conductor.list, and
 * Conductor.get_by_hostname with online=None, so an offline row is shown too). `alive` is
 * computed as 21.4 computes it: the row's updated_at is younger than [conductor]
 * heartbeat_timeout. Below 1.49 both routes answer NotFound (404, faultstring shape).
 */
import type { FastifyRequest } from 'fastify';
import { ironicError } from '../../conductor/exceptions.ts';
import type { ConductorFields, IronicObject } from '../../conductor/objects.ts';
import { validateLimit, validateSortDir, validateSortKey } from '../api-utils/collection.ts';
import { detailNextLink, returnFields } from '../api-utils/detail-list.ts';
import { checkAllowSpecifyFields, checkForInvalidFields } from '../api-utils/fields.ts';
import { parseList } from '../api-utils/ident.ts';
import { classAction, listObjects } from '../api-utils/lookup.ts';
import { apiDateTime, errorResponses, linksOf, linksSchema, nullableDateTime } from '../api-utils/representation.ts';
import { collectionSchema, resourceSchema } from '../api-utils/resource.ts';
import { route, type RouteDef } from '../route.ts';
import { MINOR_49_CONDUCTORS } from '../versions.ts';

const TAGS = ['conductors'];
const ERRORS = errorResponses(400, 404, 406, 503);
/** conductor.py's DEFAULT_RETURN_FIELDS */
const DEFAULT_FIELDS = ['hostname', 'conductor_group', 'alive'] as const;
/** [conductor]heartbeat_timeout's default (seconds): the ring uses the same (src/conductor/hash-ring.ts) */
const HEARTBEAT_TIMEOUT_S = 60;

// in the order ironic-api writes them (the response serializer follows the schema's order)
const conductorSchema = resourceSchema({
  created_at: nullableDateTime,
  updated_at: nullableDateTime,
  hostname: { type: 'string' },
  conductor_group: { type: 'string' },
  drivers: { type: 'array', items: { type: 'string' } },
  links: linksSchema,
  alive: { type: 'boolean' },
});

const queryProps = {
  fields: { type: 'string', description: 'comma-separated fields to return' },
} as const;

/** args.name: a logical name (RFC 3986 unreserved characters, at most 255). */
function checkName(what: string, value: string): string {
  if (value.length > 255 || !/^[A-Z0-9\-._~]+$/i.test(value))
    throw ironicError('InvalidParameterValue', `Expected name for ${what}: ${value}`);
  return value;
}

/** timeutils.is_older_than(updated_at, heartbeat_timeout), negated; a row never touched is not alive. */
function isAlive(updatedAt: unknown): boolean {
  if (typeof updatedAt !== 'string') return false;
  const t = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(updatedAt) ? updatedAt : `${updatedAt}Z`);
  return !Number.isNaN(t) && Date.now() - t <= HEARTBEAT_TIMEOUT_S * 1000;
}

/** conductor.convert_with_links: every field, then `fields` kept (unknown ones are 400). */
function conductorBody(
  request: FastifyRequest,
  c: IronicObject<ConductorFields>,
  fields: readonly string[] | undefined,
): Record<string, unknown> {
  const hostname = String(c.get('hostname'));
  const out: Record<string, unknown> = {
    created_at: apiDateTime(c.get('created_at')),
    updated_at: apiDateTime(c.get('updated_at')),
    hostname,
    conductor_group: c.get('conductor_group') ?? '',
    drivers: c.get('drivers') ?? [],
    links: linksOf(request, 'conductors', hostname),
    // 39.0 (Conductor 1.4's online, issue 15 slice ports): alive also needs the conductor
    // online (a stopped conductor unregisters by clearing it); an older object has no `online`
    alive: c.get('online') !== false && isAlive(c.get('updated_at')),
  };
  if (fields === undefined) return out;
  checkForInvalidFields(fields, Object.keys(out));
  // api_utils.sanitize_dict: the fields asked for and links, in the representation's order
  return Object.fromEntries(Object.entries(out).filter(([k]) => k === 'links' || fields.includes(k)));
}

export const conductorRoutes: RouteDef[] = [
  route({
    method: 'GET',
    url: '/v1/conductors',
    operationId: 'listConductors',
    minVersion: MINOR_49_CONDUCTORS,
    policy: 'baremetal:conductor:get',
    rpc: ['Conductor.get_by_hostname', 'Conductor.list'],
    status: 200,
    summary: 'List conductors (1.49)',
    tags: TAGS,
    schema: {
      querystring: {
        type: 'object',
        properties: {
          marker: { type: 'string', description: 'hostname of the last conductor of the previous page' },
          limit: { type: 'string' },
          sort_key: { type: 'string', description: 'default id; alive and drivers can not be sorted on' },
          sort_dir: { type: 'string' },
          detail: { type: 'string', description: 'every field (not with fields)' },
          ...queryProps,
        },
        additionalProperties: false,
      },
      response: { 200: collectionSchema('conductors', conductorSchema), ...ERRORS },
    },
    handler: async (request) => {
      const q = request.query;
      if (q.marker !== undefined) checkName('marker', q.marker);
      checkAllowSpecifyFields(q.fields === undefined ? undefined : parseList(q.fields), request);
      const { fields, detail } = returnFields(request, q.fields, q.detail, DEFAULT_FIELDS);
      const limit = validateLimit(q.limit, request.server.gatewayConfig.max_limit);
      const sortDir = validateSortDir(q.sort_dir);
      const sortKey = validateSortKey(q.sort_key ?? 'id', ['alive', 'drivers']);
      const marker = q.marker
        ? await classAction(request, 'Conductor', 'get_by_hostname', [q.marker], { online: null })
        : null;
      const conductors = await listObjects(request, 'Conductor', 'list', [], {
        limit,
        marker,
        sort_key: sortKey,
        sort_dir: sortDir,
      });
      const items = conductors.map((c) => conductorBody(request, c, fields));
      const body: Record<string, unknown> = { conductors: items };
      const next = detailNextLink(
        request,
        'conductors',
        conductors.length,
        limit,
        conductors.length ? String(conductors[conductors.length - 1].get('hostname')) : undefined,
        { sort_key: sortKey, sort_dir: sortDir, detail, fields },
      );
      if (next !== undefined) body.next = next;
      return body;
    },
  }),
  route({
    method: 'GET',
    url: '/v1/conductors/:hostname',
    operationId: 'showConductor',
    minVersion: MINOR_49_CONDUCTORS,
    policy: 'baremetal:conductor:get',
    rpc: ['Conductor.get_by_hostname'],
    status: 200,
    summary: 'Show a conductor (1.49), offline ones too',
    tags: TAGS,
    schema: {
      params: {
        type: 'object',
        properties: { hostname: { type: 'string', description: 'the conductor host name' } },
        required: ['hostname'],
      },
      querystring: { type: 'object', properties: queryProps, additionalProperties: false },
      response: { 200: conductorSchema, ...ERRORS },
    },
    handler: async (request) => {
      const hostname = checkName('hostname', request.params.hostname);
      const fields = request.query.fields === undefined ? undefined : parseList(request.query.fields);
      checkAllowSpecifyFields(fields, request);
      const c = (await classAction(request, 'Conductor', 'get_by_hostname', [hostname], {
        online: null,
      })) as IronicObject<ConductorFields>;
      return conductorBody(request, c, fields);
    },
  }),
];
