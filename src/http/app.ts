/**
 * The Fastify application: request ids, microversions, Ironic's error format, OpenAPI, and the
 * route table. `buildApp` knows nothing of transports: it is handed the services it calls.
 */
import { settlePendingRule } from './auth/enforce.ts';
import { CONDUCTOR_API_HELPERS, CONDUCTOR_RPC_METHODS } from '../conductor/rpc-methods.ts';
import Fastify, {
  LogController,
  errorCodes,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
} from 'fastify';
import type { TlsOptions } from 'node:tls';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import FindMyWay, { type HTTPMethod } from 'find-my-way';
import pino, { type Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Config } from '../config.ts';
import { HttpError, RETRY_AFTER_SECONDS, errorBody, handleError } from './errors.ts';
import { TOO_DEEP_MESSAGE, nestsDeeperThan } from './json-depth.ts';
import {
  INSPECTION_BODY_LIMIT_39,
  MAX_JSON_DEPTH_39,
  PROVISION_BODY_LIMIT_39,
  RawFault,
  TOO_DEEP_39,
  servesJsonLimits,
} from './json-depth.ts';
import { serverTimeouts } from './server-timeouts.ts';
import {
  MAX_PARAM_LENGTH,
  clientErrorHandler,
  onConnectMethod,
  onFrameworkError,
  onUnmetExpectation,
} from './framework-errors.ts';
import { stripJsonSuffix } from './json-suffix.ts';
import {
  MAX_VERSION_STRING,
  MIN_VERSION_STRING,
  isVersionedPath,
  microversionHook,
  versionHeaders,
} from './microversion.ts';
import { genReqId, requestIdHeaders } from './request-id.ts';
import { registerRoutes, type RouteDef } from './route.ts';
import { rootRoutes } from './routes/root.ts';
import { openapiRoutes } from './routes/openapi.ts';
import { withVersionedSchemas } from './openapi-versions.ts';
import { withSharedComponents } from './openapi-components.ts';
import { healthRoutes, type HealthSource } from './routes/health.ts';
import type { ConductorAPI } from '../conductor/api.ts';
import { gatewayProfile } from '../release-profile.ts';
import { recordCalls } from '../conductor/calls.ts';
import { makeContext, type RequestContext } from '../conductor/context.ts';
import { incomingRequestId } from './request-id.ts';
import { TransportUnavailable } from '../rpc/errors.ts';
import { installMetrics, metricsRoutes } from './metrics.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** the conductor RPC client every resource route calls */
    conductor: ConductorAPI;
    /** the gateway's settings */
    gatewayConfig: Config;
    /**
     * Starts shutting down while still listening: every request from now on is answered 503
     * (Ironic's format, Retry-After, Connection: close), /healthz included, and every answer
     * closes its connection. `close()` does the same, then stops listening.
     */
    drain(): void;
  }
  interface FastifyRequest {
    /** the caller's request context, sent to the conductor as the RPC context */
    ctx: RequestContext;
    /** the ConductorAPI for this request: every call made through it is recorded in `conductorCalls` */
    readonly conductor: ConductorAPI;
    /** what this request called on the conductor, in call order (ConductorCall names) */
    conductorCalls: string[];
  }
}

export interface AppServices {
  /** the conductor RPC client; when absent, routes that call it answer 503 (no conductor is reachable) */
  conductor?: ConductorAPI;
  /** reports whether the conductors' transport is up (health endpoint) */
  health?: HealthSource;
  /** extra route tables (resources), registered after the built-in ones */
  routes?: readonly RouteDef[];
  /** a pino logger to use instead of a new one */
  logger?: Logger;
  /** the Prometheus registry /metrics exposes (shared with the RPC client's metrics) */
  metrics?: Registry;
  /** registers plugins that must wrap every route (auth, policy) before routes are added */
  plugins?: ReadonlyArray<(app: FastifyInstance) => Promise<void> | void>;
  /** serve HTTPS with these options (src/http/tls.ts) instead of plain HTTP */
  https?: TlsOptions;
}

export function createLogger(config: Pick<Config, 'log_level'>): Logger {
  return pino({
    level: config.log_level,
    base: { service: 'ironic-gateway' },
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers["x-auth-token"]',
        'req.headers["x-service-token"]',
        'req.headers["x-storage-token"]',
        '*.password',
        '*.auth_token',
      ],
      censor: '[redacted]',
    },
  });
}

/**
 * Stands in for an absent conductor client (an app built without one): every ConductorAPI call
 * fails as an unreachable conductor does, so a route answers 503 with Retry-After, not 500.
 */
function noConductor(): ConductorAPI {
  const unavailable = (): never => {
    throw new TransportUnavailable('no conductor RPC client is configured');
  };
  return new Proxy({} as ConductorAPI, {
    get: (_target, key) => (typeof key === 'string' && key !== 'then' ? unavailable : undefined),
  });
}

const ALL_METHODS: HTTPMethod[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/**
 * One access line per request, when it completes (as ironic-api's WSGI server logs one):
 * method, URL, client, status and time, under the request id. Fastify's own "incoming request"
 * line, which doubled the log volume and the logging cost of every answer, is debug: at that
 * level a request that never completes still shows up.
 */
class AccessLog extends LogController {
  /**
   * @param lines the gateway's pino logger (not Fastify's child of it, whose `req` serializer
   *   would read the built fields as a request) without redaction, for the access line
   */
  constructor(
    private readonly lines: Logger,
    options: ConstructorParameters<typeof LogController>[0],
  ) {
    super(options);
  }

  override incomingRequest(request: FastifyRequest): void {
    request.log.debug({ req: request }, 'incoming request');
  }

  /**
   * The access line: the fields of Fastify's req/res serializers, built here, under the request
   * id. It goes through a child of the root logger without redaction: it carries no header and
   * no body, only what is written below, and the redaction's wildcard paths (`*.password`) cost
   * more than the rest of the line (about 6 of 9 µs a line, a tenth of a `GET /v1` load's CPU).
   * Every other line, the failed request's included, is redacted as before.
   */
  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (error) {
      reply.log.error({ req: request, res: reply, err: error, responseTime: reply.elapsedTime }, 'request errored');
      return;
    }
    this.lines.info(
      {
        request_id: request.id,
        req: {
          method: request.method,
          url: request.url,
          host: request.host,
          remoteAddress: request.ip,
          remotePort: request.socket?.remotePort,
        },
        res: { statusCode: reply.statusCode },
        responseTime: reply.elapsedTime,
      },
      'request completed',
    );
  }
}

/** Builds the gateway's Fastify instance (not listening). */
export async function buildApp(config: Config, services: AppServices = {}): Promise<FastifyInstance> {
  const logger = services.logger ?? createLogger(config);
  const options: FastifyServerOptions & { https?: TlsOptions } = {
    ...(services.https ? { https: services.https } : {}),
    loggerInstance: logger as FastifyBaseLogger,
    genReqId,
    logController: new AccessLog(logger.child({}, { redact: [] }), { requestIdLogLabel: 'request_id' }),
    bodyLimit: config.body_limit,
    // Slow clients (README, "Limits"): each phase of a connection has its own deadline.
    ...serverTimeouts(config),
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: MAX_PARAM_LENGTH },
    // the answers Fastify and Node would write themselves, in Ironic's format (framework-errors.ts)
    frameworkErrors: onFrameworkError,
    clientErrorHandler: clientErrorHandler(logger),
    // Unknown body attributes are refused (as ironic-api does), not silently dropped.
    ajv: { customOptions: { removeAdditional: false, allowUnionTypes: true } },
    // refused below in Ironic's error format, with Retry-After (Fastify's own 503 has neither)
    return503OnClosing: false,
    rewriteUrl: stripJsonSuffix,
  };
  // An HTTPS instance differs from an HTTP one in its server's type only; the app is the same.
  const app = Fastify(options) as unknown as FastifyInstance;

  // The API speaks JSON only: any other body media type is 415. A request without a body
  // has nothing to parse whatever it declares, as in ironic-api: python-ironicclient sends
  // its DELETEs (VIF detach, maintenance unset …) as application/octet-stream with no body.
  app.removeContentTypeParser('text/plain');
  // python-ironicclient also sends body-less PUTs (`node add trait`) as application/json.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') done(null, undefined);
    // issue 15 (slice nodes): 39.0's JSON limits middleware refuses deeper than 25 levels
    else if (servesJsonLimits(app) && nestsDeeperThan(body as string, MAX_JSON_DEPTH_39))
      done(new RawFault(400, TOO_DEEP_39), undefined);
    else if (nestsDeeperThan(body as string)) done(new HttpError(400, TOO_DEEP_MESSAGE), undefined);
    else void parseJson(request, body as string, done);
  });
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => {
    if ((body as Buffer).length === 0) done(null, undefined);
    else done(new errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE(), undefined);
  });
  app.server.on('checkExpectation', onUnmetExpectation);
  app.server.on('connect', onConnectMethod);
  app.decorate('publicEndpoint', config.public_endpoint ?? null);
  app.decorate('gatewayConfig', config);
  app.decorate('apiMaxMinor', gatewayProfile(config).apiMinor);
  app.decorate('conductor', services.conductor ?? noConductor());
  app.decorateRequest('ctx', null as never);
  app.decorateRequest('apiVersion', null as never);
  app.decorateRequest('conductorCalls', null as never);
  const recorded = new WeakMap<object, ConductorAPI>();
  app.decorateRequest('conductor', {
    getter(this: FastifyRequest): ConductorAPI {
      let api = recorded.get(this);
      if (!api) {
        this.conductorCalls ??= [];
        api = guardCalls(recordCalls(this.server.conductor, this.conductorCalls), () => settlePendingRule(this));
        recorded.set(this, api);
      }
      return api;
    },
  });

  // issue 15 (slice nodes): 39.0's body size limits of the provision and inspection routes.
  // Pinned to an older release too: its ironic-api reads any body, and a configdrive in a
  // provision request (cloud-init user data, Metal3's network data) often passes 1 MiB; the
  // refusal's shape is the pin's (errors.ts)
  app.addHook('onRoute', (route) => {
    if (route.url.endsWith('/states/provision'))
      route.bodyLimit = Math.max(route.bodyLimit ?? config.body_limit, PROVISION_BODY_LIMIT_39);
    else if (route.url.endsWith('/continue_inspection'))
      route.bodyLimit = Math.max(route.bodyLimit ?? config.body_limit, INSPECTION_BODY_LIMIT_39);
  });

  // Every (method, url) pattern, to tell 405 from 404 for a path no route answers.
  const known = FindMyWay({ ignoreTrailingSlash: true, maxParamLength: MAX_PARAM_LENGTH });
  app.addHook('onRoute', (route) => {
    // a catch-all (CORS preflight's OPTIONS *) says nothing about which methods a path has
    if (route.url === '*' || route.url === '/*') return;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const m of methods) {
      if (!known.hasRoute(m as HTTPMethod, route.url)) known.on(m as HTTPMethod, route.url, () => undefined);
    }
  });

  // Shutting down: requests still arriving on open keep-alive connections are refused with 503
  // and `Connection: close`, so the client retries elsewhere; those in flight finish, and their
  // answers close their connections too: a kept-alive connection would otherwise hold the
  // server (and the process) open until its keep-alive timeout, 72 s.
  let closing = false;
  app.decorate('drain', () => {
    closing = true;
  });
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });
  app.addHook('onRequest', async (request, reply) => {
    reply.headers(requestIdHeaders(request.id));
    if (closing) {
      // (the onSend hook above adds Connection: close to this answer as to every other; a /v1
      // answer has the version range, as the document says every /v1 answer has)
      if (isVersionedPath(request.url)) reply.headers(versionHeaders(null, app.apiMaxMinor));
      return reply
        .code(503)
        .header('retry-after', String(RETRY_AFTER_SECONDS))
        .send(errorBody(503, 'The gateway is shutting down; retry the request.'));
    }
    // The context of an unauthenticated caller; an auth plugin replaces the identity fields.
    request.ctx = makeContext({ request_id: request.id, global_request_id: incomingRequestId(request.headers) });
  });
  app.addHook('onRequest', microversionHook);

  installMetrics(app, services.metrics);
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0];
    const allowed = ALL_METHODS.filter((m) => m !== request.method && known.find(m, path) !== null);
    if (isVersionedPath(request.url) && !reply.hasHeader('x-openstack-ironic-api-minimum-version'))
      reply.headers(versionHeaders(null, app.apiMaxMinor));
    if (allowed.length > 0) {
      return reply
        .code(405)
        .header('allow', allowed.join(', '))
        .send(
          errorBody(405, `The method ${request.method} is not allowed for ${path}; allowed: ${allowed.join(', ')}.`),
        );
    }
    return reply.code(404).send(errorBody(404, `The resource could not be found: ${path}`));
  });

  await app.register(swagger, {
    // the error body, the version and request-id headers and the collection parameters become
    // shared components (openapi-components.ts), keyed on their shapes: no route names them; the
    // microversioned resources become oneOf variants read from their field tables (openapi-versions.ts)
    transformObject: (documents) =>
      'openapiObject' in documents
        ? withVersionedSchemas(withSharedComponents(documents.openapiObject))
        : documents.swaggerObject,
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'OpenStack Bare Metal (Ironic) API — ironic-gateway',
        description:
          `The Ironic Bare Metal REST API v1 (microversions ${MIN_VERSION_STRING}–${MAX_VERSION_STRING}), served by ironic-gateway over conductor RPC. ` +
          'Send `X-OpenStack-Ironic-API-Version: 1.N` (or `latest`) to choose a microversion; 1.1 when absent.',
        version: MAX_VERSION_STRING,
        license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
      },
      // relative: the document is served by (and describes) the gateway it came from
      servers: [{ url: '/', description: 'this gateway' }],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'auth_strategy jwt' },
          authToken: {
            type: 'apiKey',
            in: 'header',
            name: 'X-Auth-Token',
            description: 'auth_strategy jwt (as python-ironicclient sends a token) or keystone',
          },
          basic: { type: 'http', scheme: 'basic', description: 'auth_strategy http_basic' },
        },
      },
    },
  });

  // The docs page's routes come from its plugin, without our route config: they are public
  // (marked before the auth plugin looks at them) and kept out of the document they show.
  if (config.api_docs) {
    app.addHook('onRoute', (options) => {
      if (options.url !== DOCS_PREFIX && !options.url.startsWith(`${DOCS_PREFIX}/`)) return;
      options.config = { ...options.config, policy: null };
      options.schema = { ...options.schema, hide: true };
    });
  }
  for (const plugin of services.plugins ?? []) await plugin(app);

  registerRoutes(app, rootRoutes);
  registerRoutes(app, healthRoutes(services.health));
  registerRoutes(app, metricsRoutes);
  if (services.routes) registerRoutes(app, services.routes);
  if (config.api_docs) await serveApiDocs(app);
  return app;
}

/**
 * /openapi.json, /openapi.yaml and the docs page /docs (@fastify/swagger-ui, its assets served
 * from the package: no CDN). Public, like /v1.
 */
async function serveApiDocs(app: FastifyInstance): Promise<void> {
  registerRoutes(app, openapiRoutes);
  await app.register(swaggerUi, {
    routePrefix: DOCS_PREFIX,
    staticCSP: true,
    uiConfig: { docExpansion: 'list', deepLinking: true, displayOperationId: true },
  });
}

const DOCS_PREFIX = '/docs';

/** The calls that reach a conductor (RPC methods and topic helpers), reads through the indirection API aside. */
const GUARDED = (name: string): boolean =>
  name !== 'object_class_action_versions' &&
  !name.startsWith('can_send_') &&
  (Object.hasOwn(CONDUCTOR_RPC_METHODS, name) || (CONDUCTOR_API_HELPERS as readonly string[]).includes(name));

/**
 * Every conductor call but a read through the indirection API first settles a route rule still
 * waiting for its node (auth/enforce.ts): no action reaches the conductor unauthorised.
 */
function guardCalls(api: ConductorAPI, settle: () => void): ConductorAPI {
  return new Proxy(api, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || typeof prop !== 'string' || !GUARDED(prop)) return value;
      return (...args: unknown[]) => {
        settle();
        return value.apply(target, args);
      };
    },
  });
}
