/** Version discovery: `GET /` and `GET /v1`, as ironic-api answers them. */
import type { FastifyRequest } from 'fastify';
import type { RouteDef } from '../route.ts';
import { MIN_VERSION_STRING, versionString } from '../microversion.ts';
import { baseUrl, link, resourceLinks } from '../links.ts';
import { errorResponses } from '../api-utils/representation.ts';
import { allowAllocations, allowPortgroups, allowRamdiskEndpoints, allowVolume } from '../versions.ts';
import { allowDeployTemplates, allowExposeConductors, allowExposeEvents, allowShardsEndpoint } from '../versions.ts';
import { allowInspectionRules, allowRunbooks, newContinueInspectionEndpoint } from '../versions.ts';

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
        chassis: collection('chassis'),
        nodes: collection('nodes'),
        ports: collection('ports'),
        drivers: collection('drivers'),
        version: version(request),
      };
      if (allowPortgroups(request)) body.portgroups = collection('portgroups');
      if (allowVolume(request)) body.volume = collection('volume');
      if (allowRamdiskEndpoints(request)) {
        body.lookup = collection('lookup');
        body.heartbeat = collection('heartbeat');
      }
      // issue 14, the resources slice: conductors before allocations, then events, deploy
      // templates and shards, in v1/__init__.py's order (@21.4)
      if (allowExposeConductors(request)) body.conductors = collection('conductors');
      if (allowAllocations(request)) body.allocations = collection('allocations');
      if (allowExposeEvents(request)) body.events = collection('events');
      if (allowDeployTemplates(request)) body.deploy_templates = collection('deploy_templates');
      if (allowShardsEndpoint(request)) body.shards = collection('shards');
      // issue 15, slice nodes: 39.0's VERSIONED_CONTROLLERS go on with runbooks, inspection
      // rules and (from 1.84, though it is served at 1.1 too) continue_inspection
      if (allowRunbooks(request)) body.runbooks = collection('runbooks');
      if (allowInspectionRules(request)) body.inspection_rules = collection('inspection_rules');
      if (newContinueInspectionEndpoint(request)) body.continue_inspection = collection('continue_inspection');
      return body;
    },
  },
];
