/**
 * /v1/chassis (ironic/api/controllers/v1/chassis.py @10.1.0): every read and write goes
 * through the conductor's indirection API (Chassis.list/get_by_uuid, chassis.create/save/
 * destroy), as ironic-api does; deleting a chassis that still holds nodes is ChassisNotEmpty
 * (400). `/v1/chassis/{uuid}/nodes` is the node list filtered on the chassis.
 */
import { randomUUID } from 'node:crypto';
import { collection } from '../api-utils/collection.ts';
import { detailNextLink, listReturnFields } from '../api-utils/detail-list.ts';
import { servesAntelope } from '../api-utils/port.ts';
import type { FastifyRequest } from 'fastify';
import { ironicError } from '../../conductor/exceptions.ts';
import type { IronicObject, ChassisFields } from '../../conductor/objects.ts';
import { checkUuid } from '../api-utils/ident.ts';
import { classAction, listObjects } from '../api-utils/lookup.ts';
import { applyPatch, BASE_INTERNAL_ATTRS, patchBodySchema, validatePatch } from '../api-utils/patch.ts';
import {
  dict,
  emptyResponse,
  errorResponses,
  linksOf,
  linksSchema,
  locationOf,
  nullableDateTime,
  nullableString,
} from '../api-utils/representation.ts';
import { route, type RouteDef, type RouteRequest } from '../route.ts';
import {
  detailProperty as nodeDetailProperty,
  fieldsProperty as nodeFieldsProperty,
  listQueryProperties as nodeListQueryProperties,
  nodeList,
  readRoutes as nodeReadRoutes,
} from './nodes/reads.ts';
import { objectAction } from '../api-utils/object-actions.ts';
import {
  collectionSchema,
  convert,
  fieldsQuery,
  identParam,
  pageBody,
  pageKwargs,
  pageOf,
  pageQuery,
  requestedFields,
  resourceSchema,
  type PageQuery,
  type ResourceSpec,
} from '../api-utils/resource.ts';

const TAGS = ['chassis'];

export const CHASSIS: ResourceSpec = {
  path: 'chassis',
  key: 'chassis',
  fields: ['uuid', 'description', 'extra', 'created_at', 'updated_at'],
  defaultFields: ['uuid', 'description'],
  versions: { since: {}, refuseBelow: [] },
  invalidSortKeys: ['extra'],
};

const chassisSchema = resourceSchema({
  uuid: { type: 'string' },
  description: nullableString,
  extra: dict,
  created_at: nullableDateTime,
  updated_at: nullableDateTime,
  links: linksSchema,
  nodes: linksSchema,
});

const ERRORS = errorResponses(400, 404, 406, 409, 503);
const uuidParams = identParam('chassis_uuid', 'chassis uuid');

/** Chassis.convert_with_links: a full chassis also links to its nodes. */
function chassisBody(
  request: FastifyRequest,
  chassis: IronicObject<ChassisFields>,
  fields?: readonly string[],
): Record<string, unknown> {
  return convert(request, CHASSIS, chassis, {}, fields, (out) => {
    out.nodes = linksOf(request, 'chassis', String(chassis.get('uuid')), '/nodes');
  });
}

async function getChassis(request: RouteRequest<{ params: typeof uuidParams }>): Promise<IronicObject<ChassisFields>> {
  const uuid = checkUuid(request.params.chassis_uuid);
  return (await classAction(request, 'Chassis', 'get_by_uuid', [uuid])) as IronicObject<ChassisFields>;
}

async function listChassis(
  request: FastifyRequest,
  q: PageQuery & { fields?: string; detail?: string },
  path: string,
  fields: readonly string[] | undefined,
) {
  if (servesAntelope(request)) return listChassisAntelope(request, q, path, fields);
  const page = await pageOf(request, CHASSIS, 'Chassis', q);
  const chassis = await listObjects(request, 'Chassis', 'list', [], pageKwargs(page));
  // the next page keeps a requested field set (the default one needs no `fields`, refused below 1.8)
  const params: Record<string, string> = fields && q.fields !== undefined ? { fields: fields.join(',') } : {};
  return pageBody(
    request,
    CHASSIS,
    page,
    chassis,
    chassis.map((c) => chassisBody(request, c, fields)),
    path,
    params,
  );
}

/**
 * 21.4's ChassisController.get_all / detail (unless pinned to Queens): `?detail` (1.43), and the
 * next link with sort_key, sort_dir, detail and the returned fields.
 */
async function listChassisAntelope(
  request: FastifyRequest,
  q: PageQuery & { fields?: string; detail?: string },
  path: string,
  requested: readonly string[] | undefined,
) {
  const detailRoute = path === 'chassis/detail';
  const asked = q.fields === undefined ? undefined : requested;
  const { fields, detail } = listReturnFields(request, asked, q.detail, CHASSIS.defaultFields, detailRoute);
  const page = await pageOf(request, CHASSIS, 'Chassis', q);
  const chassis = await listObjects(request, 'Chassis', 'list', [], pageKwargs(page));
  const last = chassis[chassis.length - 1];
  const next = detailNextLink(request, path, chassis.length, page.limit, String(last?.get('uuid')), {
    sort_key: page.sort_key,
    sort_dir: page.sort_dir,
    detail,
    fields,
  });
  return collection(
    CHASSIS.key,
    chassis.map((c) => chassisBody(request, c, fields)),
    next,
  );
}

/** The API values of a chassis body or patched document, checked as wsme's Chassis type does. */
function checkValues(values: Record<string, unknown>): void {
  const d = values.description;
  if (d !== undefined && d !== null && (typeof d !== 'string' || d.length > 255)) {
    throw ironicError(
      'Invalid',
      `Invalid input for field/attribute description. Value: '${String(d)}'. Value should have a maximum character requirement of 255`,
    );
  }
  const e = values.extra;
  if (e !== undefined && e !== null && (typeof e !== 'object' || Array.isArray(e))) {
    throw ironicError(
      'Invalid',
      `Invalid input for field/attribute extra. Value: '${JSON.stringify(e)}'. Wrong type. Expected '<class 'dict'>', got '<class '${typeof e}'>'`,
    );
  }
}

/** The node list and its detail form under a chassis: the chassis in the path is the chassis_uuid filter. */
function nodeListRoute(detail: boolean): RouteDef {
  const url = detail ? '/v1/nodes/detail' : '/v1/nodes';
  const nodeRoute = nodeReadRoutes.find((r) => r.url === url && r.method === 'GET');
  if (!nodeRoute) throw new Error(`the node route GET ${url} is missing`);
  const { chassis_uuid: _filter, ...filters } = nodeListQueryProperties;
  return route({
    ...nodeRoute,
    url: `/v1/chassis/:chassis_uuid/nodes${detail ? '/detail' : ''}`,
    operationId: detail ? 'listChassisNodesDetailed' : 'listChassisNodes',
    summary: `${nodeRoute.summary} of a chassis`,
    tags: TAGS,
    schema: {
      params: uuidParams,
      querystring: {
        type: 'object',
        properties: detail ? filters : { ...filters, ...nodeFieldsProperty, ...nodeDetailProperty },
        additionalProperties: false,
      },
      response: nodeRoute.schema?.response,
    },
    handler: async (request) => {
      // NodesController(from_chassis=True).get_all
      const chassisUuid = checkUuid(request.params.chassis_uuid);
      // next links point at /v1/nodes, as ironic-api's resource_url does
      return nodeList(request, { ...request.query, chassis_uuid: chassisUuid }, detail, 'nodes');
    },
  });
}

export const chassisRoutes: RouteDef[] = [
  route({
    method: 'GET',
    url: '/v1/chassis',
    operationId: 'listChassis',
    policy: 'baremetal:chassis:get',
    rpc: ['Chassis.get_by_uuid', 'Chassis.list'],
    status: 200,
    summary: 'List chassis',
    tags: TAGS,
    schema: {
      querystring: {
        type: 'object',
        properties: {
          ...pageQuery,
          ...fieldsQuery,
          detail: { type: 'string', description: 'every field (1.43+, not with fields)' },
        },
        additionalProperties: false,
      },
      response: { 200: collectionSchema('chassis', chassisSchema), ...ERRORS },
    },
    handler: async (request) => {
      const fields = requestedFields(request, CHASSIS, request.query.fields);
      return listChassis(request, request.query, 'chassis', fields ?? CHASSIS.defaultFields);
    },
  }),
  route({
    method: 'GET',
    url: '/v1/chassis/detail',
    operationId: 'listChassisDetailed',
    policy: 'baremetal:chassis:get',
    rpc: ['Chassis.get_by_uuid', 'Chassis.list'],
    status: 200,
    summary: 'List chassis with every field',
    tags: TAGS,
    schema: {
      querystring: { type: 'object', properties: pageQuery, additionalProperties: false },
      response: { 200: collectionSchema('chassis', chassisSchema), ...ERRORS },
    },
    handler: (request) => listChassis(request, request.query, 'chassis/detail', undefined),
  }),
  route({
    method: 'GET',
    url: '/v1/chassis/:chassis_uuid',
    operationId: 'showChassis',
    policy: 'baremetal:chassis:get',
    rpc: ['Chassis.get_by_uuid'],
    status: 200,
    summary: 'Show a chassis',
    tags: TAGS,
    schema: {
      params: uuidParams,
      querystring: { type: 'object', properties: fieldsQuery, additionalProperties: false },
      response: { 200: chassisSchema, ...ERRORS },
    },
    handler: async (request) => {
      const fields = requestedFields(request, CHASSIS, request.query.fields);
      return chassisBody(request, await getChassis(request), fields);
    },
  }),
  route({
    method: 'POST',
    url: '/v1/chassis',
    operationId: 'createChassis',
    policy: 'baremetal:chassis:create',
    rpc: ['Chassis.create'],
    status: 201,
    summary: 'Create a chassis',
    tags: TAGS,
    schema: {
      body: {
        type: 'object',
        properties: {
          uuid: { type: 'string' },
          description: nullableString,
          extra: { type: ['object', 'null'], additionalProperties: true },
        },
        additionalProperties: false,
      },
      response: { 201: chassisSchema, ...ERRORS },
    },
    handler: async (request, reply) => {
      const body = request.body;
      checkValues(body);
      const uuid = body.uuid ? checkUuid(body.uuid) : randomUUID();
      const chassis = request.conductor.newObject('Chassis', {
        uuid,
        description: body.description,
        extra: body.extra ?? undefined,
      });
      await objectAction(request, chassis, 'create');
      reply.header('location', locationOf(request, `chassis/${uuid}`));
      return chassisBody(request, chassis);
    },
  }),
  route({
    method: 'PATCH',
    url: '/v1/chassis/:chassis_uuid',
    operationId: 'updateChassis',
    policy: 'baremetal:chassis:update',
    rpc: ['Chassis.get_by_uuid', 'Chassis.save'],
    status: 200,
    summary: 'Update a chassis (JSON Patch)',
    tags: TAGS,
    schema: { params: uuidParams, body: patchBodySchema, response: { 200: chassisSchema, ...ERRORS } },
    handler: async (request) => {
      const patch = request.body;
      validatePatch(patch, { internal: BASE_INTERNAL_ATTRS, nonRemovable: [] });
      const chassis = await getChassis(request);
      const doc = chassis.toPlain();
      const patched = applyPatch(doc, patch);
      checkValues(patched);
      for (const f of ['description', 'extra'] as const) {
        const v = patched[f] ?? null;
        if (JSON.stringify(v) !== JSON.stringify(doc[f] ?? null)) chassis.set(f, v as never);
      }
      await objectAction(request, chassis, 'save');
      return chassisBody(request, chassis);
    },
  }),
  route({
    method: 'DELETE',
    url: '/v1/chassis/:chassis_uuid',
    operationId: 'deleteChassis',
    policy: 'baremetal:chassis:delete',
    rpc: ['Chassis.destroy', 'Chassis.get_by_uuid'],
    status: 204,
    summary: 'Delete a chassis (ChassisNotEmpty, 400, while it holds nodes)',
    tags: TAGS,
    schema: { params: uuidParams, response: { 204: emptyResponse, ...ERRORS } },
    handler: async (request) => {
      await objectAction(request, await getChassis(request), 'destroy');
      return undefined;
    },
  }),
  nodeListRoute(false),
  nodeListRoute(true),
];
