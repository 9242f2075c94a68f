/** Version discovery: `GET /` and `GET /v1`, as ironic-api answers them. */
import type { FastifyRequest } from 'fastify';
import type { RouteDef } from '../route.ts';
import { MIN_VERSION_STRING, versionString } from '../microversion.ts';
import { baseUrl, link, resourceLinks } from '../links.ts';
import { errorResponses } from '../api-utils/representation.ts';
import {
  allows,
  type Microversion,
  MINOR_1_INITIAL_VERSION,
  MINOR_22_LOOKUP_HEARTBEAT,
  MINOR_23_PORTGROUPS,
  MINOR_32_VOLUME,
  MINOR_49_CONDUCTORS,
  MINOR_52_ALLOCATION,
  MINOR_54_EVENTS,
  MINOR_55_DEPLOY_TEMPLATES,
  MINOR_82_NODE_SHARD,
  MINOR_84_CONTINUE_INSPECTION,
  MINOR_92_RUNBOOKS,
  MINOR_96_INSPECTION_RULES,
} from '../versions.ts';

/** The fields of `GET /v1` besides its links to the resources (and `links`). */
export const V1_FIELDS: readonly string[] = ['id', 'media_types', 'version'];

/**
 * The resources `GET /v1` links to, each from the microversion it appears at, in the order of
 * the body (v1/__init__.py's, its VERSIONED_CONTROLLERS after version): the handler shows by it.
 */
export const V1_RESOURCE_VERSIONS: Readonly<Record<string, Microversion>> = {
  chassis: MINOR_1_INITIAL_VERSION,
  nodes: MINOR_1_INITIAL_VERSION,
  ports: MINOR_1_INITIAL_VERSION,
  drivers: MINOR_1_INITIAL_VERSION,
  // issue 14, the resources slice: conductors before allocations, then events, deploy
  // templates and shards (@21.4); issue 15, slice nodes: 39.0's VERSIONED_CONTROLLERS go on
  // with runbooks, inspection rules and (from 1.84, though it is served at 1.1 too) continue_inspection
  portgroups: MINOR_23_PORTGROUPS,
  volume: MINOR_32_VOLUME,
  lookup: MINOR_22_LOOKUP_HEARTBEAT,
  heartbeat: MINOR_22_LOOKUP_HEARTBEAT,
  conductors: MINOR_49_CONDUCTORS,
  allocations: MINOR_52_ALLOCATION,
  events: MINOR_54_EVENTS,
  deploy_templates: MINOR_55_DEPLOY_TEMPLATES,
  shards: MINOR_82_NODE_SHARD,
  runbooks: MINOR_92_RUNBOOKS,
  inspection_rules: MINOR_96_INSPECTION_RULES,
  continue_inspection: MINOR_84_CONTINUE_INSPECTION,
};

const linkSchema = {
  type: 'object',
  properties: { href: { type: 'string' }, rel: { type: 'string' }, type: { type: 'string' } },
  required: ['href', 'rel'],
} as const;

const versionSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    links: { type: 'array', items: linkSchema },
    status: { type: 'string' },
    min_version: { type: 'string' },
    version: { type: 'string' },
  },
  required: ['id', 'links', 'status', 'min_version', 'version'],
} as const;

function version(request: FastifyRequest) {
  return {
    id: 'v1',
    links: [link('self', `${baseUrl(request)}/v1/`)],
    status: 'CURRENT',
    min_version: MIN_VERSION_STRING,
    version: versionString(request.server.apiMaxMinor),
  };
}

const linkList = { type: 'array', items: linkSchema } as const;

export const rootRoutes: RouteDef[] = [
  {
    method: 'GET',
    url: '/',
    operationId: 'listApiVersions',
    policy: null,
    rpc: [],
    status: 200,
    summary: 'List API versions',
    tags: ['versions'],
    schema: {
      response: {
        200: {
          type: 'object',
          properties: {
            name: { type: 'string' },
            description: { type: 'string' },
            default_version: versionSchema,
            versions: { type: 'array', items: versionSchema },
          },
          required: ['name', 'description', 'default_version', 'versions'],
        },
      },
    },
    handler: async (request) => {
      const v = version(request);
      return {
        name: 'OpenStack Ironic API',
        description:
          'Ironic is an OpenStack project which aims to provision baremetal machines. This endpoint is served by ironic-gateway.',
        default_version: v,
        versions: [v],
      };
    },
  },
  {
    method: 'GET',
    url: '/v1',
    operationId: 'showApiV1',
    policy: null,
    rpc: [],
    status: 200,
    summary: 'The v1 API: resources and media types',
    tags: ['versions'],
    schema: {
      response: {
        200: {
          type: 'object',
          properties: {
            id: { type: 'string' },
            links: linkList,
            media_types: {
              type: 'array',
              items: { type: 'object', properties: { base: { type: 'string' }, type: { type: 'string' } } },
            },
            chassis: linkList,
            nodes: linkList,
            ports: linkList,
            drivers: linkList,
            portgroups: linkList,
            volume: linkList,
            lookup: linkList,
            heartbeat: linkList,
            conductors: { ...linkList, description: '1.49+' },
            allocations: linkList,
            events: { ...linkList, description: '1.54+' },
            deploy_templates: { ...linkList, description: '1.55+' },
            shards: { ...linkList, description: '1.82+' },
            runbooks: { ...linkList, description: '1.92+' },
            inspection_rules: { ...linkList, description: '1.96+' },
            continue_inspection: { ...linkList, description: '1.84+' },
            version: versionSchema,
          },
          required: ['id', 'links', 'media_types', 'chassis', 'nodes', 'ports', 'drivers', 'version'],
        },
        // a malformed or unsupported X-OpenStack-Ironic-API-Version
        ...errorResponses(406),
      },
    },
    handler: async (request) => {
      const base = baseUrl(request);
      // ironic-api builds these with an empty resource argument, hence the trailing slash
      const collection = (name: string) => resourceLinks(base, `${name}/`);
      const body: Record<string, unknown> = {
        id: 'v1',
        links: [
          link('self', `${base}/v1/`),
          link('describedby', 'https://docs.openstack.org/ironic/latest/contributor/webapi.html', 'text/html'),
        ],
        media_types: [{ base: 'application/json', type: 'application/vnd.openstack.ironic.v1+json' }],
      };
      // the resources of 1.1, version, then the newer resources (V1_RESOURCE_VERSIONS)
      const shown = Object.entries(V1_RESOURCE_VERSIONS).filter(([, since]) => allows(request, since));
      for (const [name, since] of shown) if (since === MINOR_1_INITIAL_VERSION) body[name] = collection(name);
      body.version = version(request);
      for (const [name, since] of shown) if (since !== MINOR_1_INITIAL_VERSION) body[name] = collection(name);
      return body;
    },
  },
];
