/**
 * A node's sub-resources that 21.4 reads from its database and the gateway reads through the
 * conductor's indirection API: BIOS settings (1.40; registry fields, `detail` and `fields`
 * 1.74), history (1.78) and inventory (1.81). Below its microversion each answers as 21.4's
 * node router does (webob 404, §5.8), not as a controller.
 */
import { ironicError } from '../../../conductor/exceptions.ts';
import type { BIOSSettingFields, IronicObject, NodeHistoryFields } from '../../../conductor/objects.ts';
import { route, type RouteDef } from '../../route.ts';
import { collection, nextLink, validateLimit, validateSortDir } from '../../api-utils/collection.ts';
import { checkForInvalidFields } from '../../api-utils/fields.ts';
import { classAction, getRpcNode, listObjects } from '../../api-utils/lookup.ts';
import { dict, linksSchema, nullableDateTime, nullableString } from '../../api-utils/representation.ts';
import {
  BIOS_DEFAULT_FIELDS,
  BIOS_FIELDS,
  BIOS_REGISTRY_FIELDS,
  biosFieldsAt,
  biosSettingToDict,
  booleanArg,
  checkArguments,
  checkNodeIdentRouted,
  historyEventToDict,
  integerArg,
  nameArg,
  pyListRepr,
  stringListArg,
  subresourceBelowVersion,
  uuidArg,
  uuidOrNameArg,
} from '../../api-utils/subresources.ts';
import { NODE_ERRORS, TAGS, identOf, nodeIdentParams } from './common.ts';
import {
  allowQueryBios,
  MINOR_40_BIOS_INTERFACE,
  MINOR_78_NODE_HISTORY,
  MINOR_81_NODE_INVENTORY,
} from '../../versions.ts';
import {
  MINOR_83_PARENT_CHILD_NODES,
  MINOR_113_NODE_HISTORY_PROJECT,
  servesHibiscus,
  servesRelease,
} from '../../versions.ts';
import { baseUrl, link } from '../../links.ts';
import { checkListPolicy } from '../../auth/enforce.ts';

const remoteClass = (err: unknown): string | undefined => (err as { exc_type?: string }).exc_type;

const biosSettingSchema = {
  type: 'object',
  properties: {
    created_at: nullableDateTime,
    updated_at: nullableDateTime,
    name: { type: 'string' },
    value: nullableString,
    attribute_type: nullableString,
    allowable_values: { type: 'array', items: { type: 'string' } },
    lower_bound: { type: ['integer', 'null'] },
    max_length: { type: ['integer', 'null'] },
    min_length: { type: ['integer', 'null'] },
    read_only: { type: ['boolean', 'null'] },
    reset_required: { type: ['boolean', 'null'] },
    unique: { type: ['boolean', 'null'] },
    upper_bound: { type: ['integer', 'null'] },
    node_id: { type: 'integer', description: "the node's database id: only when `fields` names it (1.74+)" },
    links: linksSchema,
  },
  additionalProperties: true,
} as const;

const historyEventSchema = {
  type: 'object',
  properties: {
    uuid: { type: 'string' },
    created_at: nullableDateTime,
    severity: nullableString,
    event_type: nullableString,
    event: nullableString,
    conductor: nullableString,
    user: nullableString,
    // 1.113, 1.115
    project: nullableString,
    state: nullableString,
    target_provision_state: nullableString,
    duration_seconds: { type: ['integer', 'null'] },
    links: linksSchema,
  },
  additionalProperties: true,
} as const;

/**
 * Query parameters are checked by the handler, not the schema, so that an unknown one is
 * refused with args.validate's words (`Unexpected arguments: x`) after the router's checks.
 */
const biosListQuery = {
  type: 'object',
  properties: {
    detail: { type: 'string', description: '1.74: boolean, every registry field of each setting' },
    fields: { type: 'string', description: '1.74: comma-separated fields to return' },
  },
  additionalProperties: true,
} as const;
const historyListQuery = {
  type: 'object',
  properties: {
    detail: { type: 'string', description: 'boolean: event_type, conductor, user and the full event' },
    marker: { type: 'string', description: 'uuid of the last event of the previous page' },
    limit: { type: 'string', description: 'page size (at most max_limit)' },
    sort_key: { type: 'string', description: '39.0: field to sort by (default created_at)' },
    sort_dir: { type: 'string', description: '39.0: asc (default) or desc' },
  },
  additionalProperties: true,
} as const;
const noArguments = { type: 'object', properties: {}, additionalProperties: true } as const;

const settingParams = {
  type: 'object',
  properties: { ...nodeIdentParams.properties, setting_name: { type: 'string', description: 'a BIOS setting name' } },
  required: ['node_ident', 'setting_name'],
} as const;
const eventParams = {
  type: 'object',
  properties: { ...nodeIdentParams.properties, event_ident: { type: 'string', description: 'a history event uuid' } },
  required: ['node_ident', 'event_ident'],
} as const;

/** get_request_return_fields with allow_query_bios for both checks (bios.py get_all). */
function biosReturnFields(
  request: Parameters<typeof allowQueryBios>[0],
  fields: string[] | undefined,
  detail: boolean | undefined,
): readonly string[] {
  if (detail !== undefined && !allowQueryBios(request))
    throw ironicError(
      'InvalidParameterValue',
      `Invalid query parameter ?detail=${detail ? 'True' : 'False'} received.`,
    );
  if (fields !== undefined && !allowQueryBios(request))
    throw ironicError('InvalidParameterValue', `Invalid query parameter ?fields=${pyListRepr(fields)} received.`);
  if (fields !== undefined && detail)
    throw ironicError('InvalidParameterValue', 'Can not specify ?detail=True and fields in the same request.');
  if (detail) return BIOS_REGISTRY_FIELDS;
  if (fields === undefined) return BIOS_DEFAULT_FIELDS;
  // 21.4 answers a field BIOSSetting does not have with 500 (AttributeError in object_to_dict):
  // fixed here as the 400 the other resources give for an unknown field.
  checkForInvalidFields(fields, BIOS_FIELDS);
  return fields;
}

export const subresourceRoutes: RouteDef[] = [
  route({
    method: 'GET',
    url: '/v1/nodes/:node_ident/bios',
    operationId: 'listNodeBiosSettings',
    minVersion: MINOR_40_BIOS_INTERFACE,
    belowMinVersion: subresourceBelowVersion,
    policy: 'baremetal:node:bios:get',
    rpc: ['Node.get_by_name', 'Node.get_by_uuid', 'BIOSSettingList.get_by_node_id'],
    status: 200,
    summary: 'List the BIOS settings of a node (1.40; detail and fields 1.74)',
    tags: TAGS,
    schema: {
      params: nodeIdentParams,
      querystring: biosListQuery,
      response: {
        200: {
          type: 'object',
          properties: { bios: { type: 'array', items: biosSettingSchema } },
          required: ['bios'],
        },
        ...NODE_ERRORS,
      },
    },
    handler: async (request) => {
      checkNodeIdentRouted(request);
      checkArguments(request.query, ['detail', 'fields']);
      const fields = stringListArg(request.query.fields);
      const detail = booleanArg('detail', request.query.detail);
      const node = await getRpcNode(request, identOf(request));
      const shown = biosReturnFields(request, fields, detail);
      const list = (await classAction(request, 'BIOSSettingList', 'get_by_node_id', [node.get('id')])) as IronicObject<{
        objects?: IronicObject<BIOSSettingFields>[];
      }> | null;
      const settings = list?.get('objects') ?? [];
      // item links name the node as the request did (uuid or name), as 21.4's do
      return { bios: settings.map((s) => biosSettingToDict(request, s, identOf(request), shown)) };
    },
  }),
  route({
    method: 'GET',
    url: '/v1/nodes/:node_ident/bios/:setting_name',
    operationId: 'showNodeBiosSetting',
    minVersion: MINOR_40_BIOS_INTERFACE,
    belowMinVersion: subresourceBelowVersion,
    policy: 'baremetal:node:bios:get',
    rpc: ['Node.get_by_name', 'Node.get_by_uuid', 'BIOSSetting.get'],
    status: 200,
    summary: 'Show one BIOS setting of a node (1.40; registry fields 1.74)',
    tags: TAGS,
    schema: {
      params: settingParams,
      querystring: noArguments,
      response: {
        200: { type: 'object', description: 'setting name → the setting', additionalProperties: biosSettingSchema },
        ...NODE_ERRORS,
      },
    },
    handler: async (request) => {
      checkNodeIdentRouted(request);
      checkArguments(request.query, []);
      const name = nameArg('setting_name', request.params.setting_name);
      const node = await getRpcNode(request, identOf(request));
      const uuid = String(node.get('uuid'));
      let setting: IronicObject<BIOSSettingFields>;
      try {
        setting = (await classAction(request, 'BIOSSetting', 'get', [
          node.get('id'),
          name,
        ])) as IronicObject<BIOSSettingFields>;
      } catch (err) {
        // the conductor names the node by its database id; ironic-api names it by its uuid
        if (remoteClass(err) !== 'BIOSSettingNotFound') throw err;
        throw ironicError('BIOSSettingNotFound', `Node ${uuid} doesn't have a BIOS setting '${name}'`, {
          node: uuid,
          name,
        });
      }
      // the registry's fields from 1.74 (BIOS_FIELD_SINCE): name and value below
      return { [name]: biosSettingToDict(request, setting, uuid, biosFieldsAt(request, BIOS_REGISTRY_FIELDS)) };
    },
  }),
  route({
    method: 'GET',
    url: '/v1/nodes/:node_ident/history',
    operationId: 'listNodeHistory',
    minVersion: MINOR_78_NODE_HISTORY,
    belowMinVersion: subresourceBelowVersion,
    policy: 'baremetal:node:history:get',
    rpc: ['Node.get_by_name', 'Node.get_by_uuid', 'NodeHistory.get_by_uuid', 'NodeHistory.list_by_node_id'],
    status: 200,
    summary: 'List the history events of a node, oldest first (1.78)',
    tags: TAGS,
    schema: {
      params: nodeIdentParams,
      querystring: historyListQuery,
      response: {
        200: {
          type: 'object',
          properties: { history: { type: 'array', items: historyEventSchema }, next: { type: 'string' } },
          required: ['history'],
        },
        ...NODE_ERRORS,
      },
    },
    handler: async (request) => {
      checkNodeIdentRouted(request);
      // 39.0 (issue 15, slice nodes) also takes sort_key (default created_at) and sort_dir, at
      // every microversion; a gateway pinned older than 38.0 (1.113) keeps 21.4's arguments
      const sorts = servesRelease(request, MINOR_113_NODE_HISTORY_PROJECT);
      checkArguments(request.query, ['detail', 'marker', 'limit', ...(sorts ? ['sort_key', 'sort_dir'] : [])]);
      const detail = booleanArg('detail', request.query.detail) ?? false;
      const markerUuid = uuidArg('marker', request.query.marker);
      const rawLimit = integerArg('limit', request.query.limit);
      const sortKey = typeof request.query.sort_key === 'string' ? request.query.sort_key : 'created_at';
      const rawSortDir = typeof request.query.sort_dir === 'string' ? request.query.sort_dir : 'asc';
      const node = await getRpcNode(request, identOf(request));
      const marker = markerUuid ? await classAction(request, 'NodeHistory', 'get_by_uuid', [markerUuid]) : null;
      const limit = validateLimit(rawLimit, request.server.gatewayConfig.max_limit);
      const sort: Record<string, string> = sorts ? { sort_key: sortKey, sort_dir: validateSortDir(rawSortDir) } : {};
      const events = await listObjects(request, 'NodeHistory', 'list_by_node_id', [node.get('id')], {
        marker,
        limit,
        ...sort,
      });
      const uuid = String(node.get('uuid'));
      const items = events.map((e) => historyEventToDict(request, e, uuid, detail));
      // 21.4.4's next link is malformed (reference §7 Q4): `?marker=<None or the marker
      // object's repr>&fields=<the field list>&limit=N&marker=<uuid>`, which its own controller
      // refuses (400 Unexpected arguments: fields). Fixed here: the link that works, carrying
      // `detail` as the other collections carry it.
      const next = nextLink(
        request,
        `nodes/${identOf(request)}/history`,
        events.map((e) => ({ uuid: e.get('uuid') })),
        limit,
        { ...sort, ...(detail ? { detail: true } : {}) },
      );
      return collection('history', items, next);
    },
  }),
  route({
    method: 'GET',
    url: '/v1/nodes/:node_ident/history/:event_ident',
    operationId: 'showNodeHistoryEvent',
    minVersion: MINOR_78_NODE_HISTORY,
    belowMinVersion: subresourceBelowVersion,
    policy: 'baremetal:node:history:get',
    rpc: ['Node.get_by_name', 'Node.get_by_uuid', 'NodeHistory.get_by_uuid'],
    status: 200,
    summary: 'Show one history event of a node (1.78)',
    tags: TAGS,
    schema: {
      params: eventParams,
      querystring: noArguments,
      response: { 200: historyEventSchema, ...NODE_ERRORS },
    },
    handler: async (request) => {
      checkNodeIdentRouted(request);
      checkArguments(request.query, []);
      const ident = uuidOrNameArg('event', request.params.event_ident);
      const node = await getRpcNode(request, identOf(request));
      const event = (await classAction(request, 'NodeHistory', 'get_by_uuid', [
        ident,
      ])) as IronicObject<NodeHistoryFields>;
      // 21.4 returns another node's event here (no check, reference §7 Q5); not copied: an
      // event of another node is not found under this one.
      if (event.get('node_id') !== node.get('id'))
        throw ironicError('NodeHistoryNotFound', `Node history record ${ident} could not be found.`, {
          history: ident,
        });
      return historyEventToDict(request, event, String(node.get('uuid')), true);
    },
  }),
  route({
    method: 'GET',
    url: '/v1/nodes/:node_ident/inventory',
    operationId: 'showNodeInventory',
    minVersion: MINOR_81_NODE_INVENTORY,
    belowMinVersion: subresourceBelowVersion,
    policy: 'baremetal:node:inventory:get',
    rpc: ['Node.get_by_name', 'Node.get_by_uuid', 'NodeInventory.get_by_node_id'],
    status: 200,
    summary: 'Show the inventory and plugin data inspection stored for a node (1.81)',
    tags: TAGS,
    schema: {
      params: nodeIdentParams,
      querystring: noArguments,
      response: {
        200: {
          type: 'object',
          properties: {
            inventory: { ...dict, type: ['object', 'null'] },
            plugin_data: { ...dict, type: ['object', 'null'] },
          },
          required: ['inventory', 'plugin_data'],
        },
        ...NODE_ERRORS,
      },
    },
    handler: async (request) => {
      checkNodeIdentRouted(request);
      checkArguments(request.query, []);
      const node = await getRpcNode(request, identOf(request));
      // [inventory]data_backend=database, 21.4's default: the conductor's row. With `none`
      // 21.4 always answers NodeInventoryNotFound; `swift` would need Swift access, which a
      // gateway that reads only through the conductor does not have. A missing row is the
      // conductor's NodeInventoryNotFound, passed on as 21.4 does: its message names the
      // node's integer database id (reference §7 Q11, copied: it is the conductor's text).
      const inventory = (await classAction(request, 'NodeInventory', 'get_by_node_id', [
        node.get('id'),
      ])) as IronicObject<{ inventory_data?: unknown; plugin_data?: unknown }>;
      return { inventory: inventory.get('inventory_data') ?? null, plugin_data: inventory.get('plugin_data') ?? null };
    },
  }),
  // 1.83 (issue 15, slice nodes): the uuids of a node's children
  route({
    method: 'GET',
    url: '/v1/nodes/:node_ident/children',
    operationId: 'listNodeChildren',
    minVersion: MINOR_83_PARENT_CHILD_NODES,
    // 39.0 raises HTTPNotFound in the controller's constructor, which pecan turns into a 500
    // with an empty body (reference §7 R4): fixed, the 404 it meant. Pinned older than 22.0,
    // the node router knows no `children` (webob 404).
    belowMinVersion: (request) =>
      servesHibiscus(request)
        ? ironicError('HTTPNotFound', 'Resource could not be found.')
        : subresourceBelowVersion(request),
    policy: 'baremetal:node:get',
    rpc: ['Node.get_by_name', 'Node.get_by_uuid', 'Node.list'],
    status: 200,
    summary: "List the uuids of a node's child nodes (1.83)",
    tags: TAGS,
    schema: {
      params: nodeIdentParams,
      querystring: noArguments,
      response: {
        200: {
          type: 'object',
          properties: {
            children: { type: 'array', items: { type: 'string' } },
            links: {
              type: 'object',
              properties: { href: { type: 'string' }, rel: { type: 'string' } },
              required: ['href', 'rel'],
            },
          },
          required: ['children', 'links'],
        },
        ...NODE_ERRORS,
      },
    },
    handler: async (request) => {
      checkNodeIdentRouted(request);
      checkArguments(request.query, []);
      const node = await getRpcNode(request, identOf(request));
      const uuid = String(node.get('uuid'));
      // check_list_policy('node'): a caller without node:list_all sees its project's children
      const project = checkListPolicy(request, 'node');
      const children = await listObjects(request, 'Node', 'list', [], {
        filters: { ...(project ? { project } : {}), parent_node: uuid },
        fields: ['uuid'],
      });
      // `links` is one link, not a list, as 39.0 answers
      return {
        children: children.map((c) => String(c.get('uuid'))),
        links: link('children', `${baseUrl(request)}/v1/nodes?parent_node=${uuid}`),
      };
    },
  }),
];
