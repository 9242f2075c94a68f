/**
 * A route is data: method, url, schemas, minimum microversion, policy rule, the ConductorAPI
 * methods it calls, success status and a handler. The REST ⇄ RPC map reads as the list of these.
 */
import type { IncomingMessage } from 'node:http';
import type { SwaggerTransform } from '@fastify/swagger';
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  FastifySchema,
  HTTPMethods,
  RawServerDefault,
  RouteGenericInterface,
} from 'fastify';
import { ironicError } from '../conductor/exceptions.ts';
import { allows, MINOR_MIN_VERSION, servesHibiscus, type Microversion } from './versions.ts';
import { publicByDefault, type PolicyRule } from './auth/policy.ts';
import type { ConductorCall } from '../conductor/calls.ts';

/**
 * A request whose `body`, `query` and `params` are typed from the route's JSON schemas (the
 * json-schema-to-ts type provider): the schema that validates the request is its type.
 */
export type RouteRequest<S extends FastifySchema = FastifySchema> = FastifyRequest<
  RouteGenericInterface,
  RawServerDefault,
  IncomingMessage,
  S,
  JsonSchemaToTsProvider
>;

/**
 * What a helper needs of a typed request: any route's request whose path parameters include
 * `P` (structural, so a helper serves every route that has those parameters).
 */
export type WithParams<P> = FastifyRequest & { readonly params: P };
/** A request whose query string includes `Q`. */
export type WithQuery<Q> = FastifyRequest & { readonly query: Q };

export interface RouteDef<S extends FastifySchema = FastifySchema> {
  method: HTTPMethods | HTTPMethods[];
  url: string;
  /**
   * The OpenAPI operationId, in Ironic's API reference vocabulary (listNodes, setNodePowerState):
   * a generated client's method name, so a change is a breaking change (a test pins them). A
   * route of several methods gets one per method, the method appended (callNodeVendorMethodPost).
   */
  operationId: string;
  /** the route exists from this microversion on (404 below, as ironic-api) */
  minVersion?: Microversion;
  /**
   * the last microversion the route exists at (404 above it), for a route a later microversion
   * removes; the document's `x-openstack` then carries it as max-ver
   */
  maxVersion?: Microversion;
  /**
   * The error below `minVersion`, when it is not the controller's 404: a node sub-resource
   * behind a version-gated router answers with webob's body (reference §5.8).
   */
  belowMinVersion?: (request: FastifyRequest) => Error;
  /**
   * Checks ironic-api makes before its microversion check (issue 14, the ramdisk endpoints: the
   * argument checks of its args.validate, Debian's [api]enable_ramdisk_endpoints). They run once
   * the body is parsed and before the schema validates it (preValidation), the microversion gate
   * right after them; a route without them has its gate in onRequest, before the body is read.
   */
  beforeVersion?: (request: FastifyRequest) => void;
  /** Ironic policy rule name checked before the handler; null for a public route */
  policy: PolicyRule | null;
  /**
   * What the handler calls on the conductor: RPC methods and helpers by name, indirection calls
   * as `Class.method` (test/unit/http/route-calls.test.ts runs every route and holds this to it)
   */
  rpc: readonly ConductorCall[];
  /** success status */
  status: number;
  summary: string;
  tags?: string[];
  schema?: S;
  handler: (request: RouteRequest<S>, reply: FastifyReply) => Promise<unknown>;
}

/**
 * A route definition whose handler sees its request typed from `schema` (write schemas inline
 * or `as const` so that their literal types reach the handler). The result is the untyped
 * RouteDef every table holds: the schema still validates each request before the handler runs.
 */
export function route<const S extends FastifySchema>(def: RouteDef<S>): RouteDef {
  return def as unknown as RouteDef;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    policy?: PolicyRule | null;
    rpc?: readonly ConductorCall[];
    minVersion?: Microversion;
  }
}

/** Registers route definitions on `app`, wiring the microversion gate and the success status. */
export function registerRoutes(app: FastifyInstance, routes: readonly RouteDef[]): void {
  for (const def of routes) {
    const methods = [def.method].flat();
    for (const method of methods) registerRoute(app, def, method, methods.length > 1);
  }
}

const capitalized = (m: string): string => m.charAt(0) + m.slice(1).toLowerCase();

/** The OpenAPI security of a route: none when public, else any one of the gateway's strategies. */
function securityOf(policy: PolicyRule | null): Record<string, string[]>[] {
  if (policy === null || publicByDefault(policy)) return [];
  return [{ bearer: [] }, { authToken: [] }, { basic: [] }];
}

/** The request header that chooses a microversion, as the document describes it on every /v1 operation. */
const VERSION_HEADER_SCHEMA = {
  type: 'object',
  properties: {
    'x-openstack-ironic-api-version': {
      type: 'string',
      description:
        'The microversion: 1.N or latest (1.1 when absent). OpenStack-API-Version: baremetal 1.N also works.',
    },
  },
} as const;

const isVersioned = (def: RouteDef): boolean => def.url === '/v1' || def.url.startsWith('/v1/');

/**
 * What the document says of a /v1 operation's microversions, as the OpenStack SDK team's
 * OpenAPI documents write it (`x-openstack: {min-ver}`, and max-ver for a route that stops).
 */
function versionedSchema(def: RouteDef): Record<string, unknown> {
  if (!isVersioned(def)) return {};
  const range: Record<string, string> = { 'min-ver': `1.${def.minVersion ?? MINOR_MIN_VERSION}` };
  if (def.maxVersion !== undefined) range['max-ver'] = `1.${def.maxVersion}`;
  return { 'x-openstack': range };
}

/**
 * The document's copy of a /v1 route's schema gets the version header; the route's own schema
 * does not, so that no request pays for validating a header the negotiation hook reads anyway.
 */
function documentedVersionHeader(def: RouteDef): { swaggerTransform?: SwaggerTransform } {
  if (!isVersioned(def) || def.schema?.headers) return {};
  return { swaggerTransform: ({ schema, url }) => ({ schema: { ...schema, headers: VERSION_HEADER_SCHEMA }, url }) };
}

/**
 * ironic-api answers a resource that does not exist at this version with 404 (the route's own
 * `belowMinVersion` error where its router answers differently).
 */
function versionGate(def: RouteDef): (request: FastifyRequest) => Promise<void> {
  const { minVersion, maxVersion } = def;
  return async (request) => {
    // (39.0's controllers word it "The API is not supported for this version"; Queens' and
    // 21.4's "Resource could not be found.")
    if (minVersion && !allows(request, minVersion))
      throw (
        def.belowMinVersion?.(request) ??
        ironicError(
          'NotFound',
          servesHibiscus(request) ? 'The API is not supported for this version' : 'Resource could not be found.',
        )
      );
    if (maxVersion !== undefined && request.apiVersion.minor > maxVersion)
      throw ironicError('NotFound', 'Resource could not be found.');
  };
}

function registerRoute(app: FastifyInstance, def: RouteDef, method: HTTPMethods, suffixed: boolean): void {
  const gated = Boolean(def.minVersion) || def.maxVersion !== undefined;
  const operationId = suffixed ? `${def.operationId}${capitalized(method)}` : def.operationId;
  app.route({
    method,
    url: def.url,
    schema: {
      summary: def.summary,
      tags: def.tags,
      operationId,
      security: securityOf(def.policy),
      ...versionedSchema(def),
      ...def.schema,
    },
    config: { policy: def.policy, rpc: def.rpc, minVersion: def.minVersion, ...documentedVersionHeader(def) },
    onRequest: gated && !def.beforeVersion ? versionGate(def) : undefined,
    preValidation: def.beforeVersion
      ? async (request) => {
          def.beforeVersion?.(request);
          if (gated) await versionGate(def)(request);
        }
      : undefined,
    handler: async (request, reply) => {
      const result = await def.handler(request, reply);
      if (reply.sent) return reply;
      reply.code(reply.statusCode === 200 ? def.status : reply.statusCode);
      return def.status === 204 || result === undefined ? reply.send() : result;
    },
  });
}
