/** Node management: boot device (get, set, supported) and NMI injection. */
import { route, type RouteDef } from '../../route.ts';
import { parseBoolean } from '../../api-utils/ident.ts';
import { withNodeTopic } from '../../api-utils/lookup.ts';
import { emptyResponse } from '../../api-utils/representation.ts';
import { NODE_ERRORS, TAGS, identOf, nodeIdentParams, noQuery } from './common.ts';
import { MINOR_29_INJECT_NMI } from '../../versions.ts';

export const managementRoutes: RouteDef[] = [
  route({
    method: 'GET',
    url: '/v1/nodes/:node_ident/management/boot_device',
    operationId: 'showNodeBootDevice',
    policy: 'baremetal:node:get_boot_device',
    rpc: ['Node.get_by_name', 'Node.get_by_uuid', 'get_topic_for', 'get_boot_device'],
    status: 200,
    summary: 'Show the boot device of a node',
    tags: TAGS,
    schema: {
      params: nodeIdentParams,
      querystring: noQuery,
      response: {
        200: {
          type: 'object',
          properties: { boot_device: { type: ['string', 'null'] }, persistent: { type: ['boolean', 'null'] } },
          required: ['boot_device', 'persistent'],
        },
        ...NODE_ERRORS,
      },
    },
    handler: async (request) => {
      return withNodeTopic(request, identOf(request), (uuid, topic) =>
        request.conductor.get_boot_device(request.ctx, uuid, topic),
      );
    },
  }),
  route({
    method: 'PUT',
    url: '/v1/nodes/:node_ident/management/boot_device',
    operationId: 'setNodeBootDevice',
    policy: 'baremetal:node:set_boot_device',
    rpc: ['Node.get_by_name', 'Node.get_by_uuid', 'get_topic_for', 'set_boot_device'],
    status: 204,
    summary: 'Set the boot device of a node',
    tags: TAGS,
    schema: {
      params: nodeIdentParams,
      querystring: noQuery,
      body: {
        type: 'object',
        properties: {
          boot_device: { type: 'string', description: 'pxe, disk, cdrom, bios, safe …' },
          persistent: { anyOf: [{ type: 'boolean' }, { type: 'string' }], description: 'default false' },
        },
        required: ['boot_device'],
        additionalProperties: false,
      },
      response: { 204: emptyResponse, ...NODE_ERRORS },
    },
    handler: async (request) => {
      const body = request.body;
      const persistent = body.persistent === undefined ? false : parseBoolean(body.persistent);
      await withNodeTopic(request, identOf(request), (uuid, topic) =>
        request.conductor.set_boot_device(request.ctx, uuid, body.boot_device, persistent, topic),
      );
    },
  }),
  route({
    method: 'GET',
    url: '/v1/nodes/:node_ident/management/boot_device/supported',
    operationId: 'listNodeSupportedBootDevices',
    policy: 'baremetal:node:get_boot_device',
    rpc: ['Node.get_by_name', 'Node.get_by_uuid', 'get_topic_for', 'get_supported_boot_devices'],
    status: 200,
    summary: 'List the boot devices a node supports',
    tags: TAGS,
    schema: {
      params: nodeIdentParams,
      querystring: noQuery,
      response: {
        200: {
          type: 'object',
          properties: { supported_boot_devices: { type: 'array', items: { type: 'string' } } },
          required: ['supported_boot_devices'],
        },
        ...NODE_ERRORS,
      },
    },
    handler: async (request) => {
      return {
        supported_boot_devices: await withNodeTopic(request, identOf(request), (uuid, topic) =>
          request.conductor.get_supported_boot_devices(request.ctx, uuid, topic),
        ),
      };
    },
  }),
  route({
    method: 'PUT',
    url: '/v1/nodes/:node_ident/management/inject_nmi',
    operationId: 'injectNodeNmi',
    minVersion: MINOR_29_INJECT_NMI,
    policy: 'baremetal:node:inject_nmi',
    rpc: ['Node.get_by_name', 'Node.get_by_uuid', 'get_topic_for', 'inject_nmi'],
    status: 204,
    summary: 'Inject a non-maskable interrupt into a node (1.29)',
    tags: TAGS,
    schema: {
      params: nodeIdentParams,
      querystring: noQuery,
      body: { type: ['object', 'null'], properties: {}, additionalProperties: false },
      response: { 204: emptyResponse, ...NODE_ERRORS },
    },
    handler: async (request) => {
      await withNodeTopic(request, identOf(request), (uuid, topic) =>
        request.conductor.inject_nmi(request.ctx, uuid, topic),
      );
    },
  }),
];
