/**
 * The shared components of the OpenAPI document, made by rewriting what @fastify/swagger
 * generates from the route schemas (its `transformObject` hook), keyed on well-known shapes, so
 * that no route file has to know about them:
 *
 * - Ironic's error body (`{error_message}`, a JSON string of `{faultstring, faultcode,
 *   debuginfo}`) is `components.schemas.Error`, referenced by every 4xx/5xx response of that
 *   shape; `Fault` describes the string's content;
 * - the microversion headers of every /v1 response (406 included) and the request id of every
 *   response are `components.headers`; 503 and 504 carry `Retry-After`;
 * - the version request header and the collection parameters (limit, marker, sort_key,
 *   sort_dir, fields, and the volume collections' detail) are `components.parameters`; the
 *   `next` link of a collection is `components.schemas.Next`;
 * - every /v1 operation documents 406 (the version negotiation), every operation that needs a
 *   token 401 and 403 (authentication, policy), every operation that may carry a body 413 and
 *   415 (too large, a content type not JSON), every operation under /v1 that may reach a
 *   conductor 500 (its unexpected failure, or a conductor older than the pin), and every
 *   operation 503 (the gateway shutting down, the conductors unreachable), all in Ironic's
 *   error body.
 *
 * Responses that fastify-swagger calls "Default Response" get their status's reason phrase.
 */
import { STATUS_CODES } from 'node:http';

type Json = Record<string, unknown>;

interface Parameter {
  in?: string;
  name?: string;
  $ref?: string;
  [k: string]: unknown;
}

interface Response {
  description?: string;
  headers?: Record<string, unknown>;
  content?: Record<string, { schema?: Json }>;
  [k: string]: unknown;
}

interface Operation {
  parameters?: Parameter[];
  responses?: Record<string, Response>;
  security?: unknown[];
  [k: string]: unknown;
}

interface Document {
  paths?: Record<string, Record<string, Operation>>;
  components?: {
    schemas?: Record<string, unknown>;
    parameters?: Record<string, unknown>;
    headers?: Record<string, unknown>;
    [k: string]: unknown;
  };
  [k: string]: unknown;
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

const FAULT = {
  type: 'object',
  description: 'What `error_message` holds, as JSON (wsme’s fault format).',
  properties: {
    faultstring: { type: 'string', description: 'the error, in words' },
    faultcode: { type: 'string', enum: ['Client', 'Server'], description: 'Client for 4xx, Server for 5xx' },
    debuginfo: { type: ['string', 'null'], description: 'always null: no traceback reaches a client' },
  },
  required: ['faultstring', 'faultcode', 'debuginfo'],
} as const;

const ERROR = {
  type: 'object',
  description: 'Ironic’s error body: `error_message` is a JSON string of a Fault.',
  properties: {
    error_message: {
      type: 'string',
      description: 'JSON string: {faultstring, faultcode, debuginfo}',
      contentMediaType: 'application/json',
      contentSchema: { $ref: '#/components/schemas/Fault' },
    },
  },
  required: ['error_message'],
} as const;

/** 39.0's JSON limits middleware's body: raw, not wrapped in error_message (issue 15). */
const RAW_FAULT = {
  type: 'object',
  description:
    'The refusal of a JSON body nested too deeply (400) or too large (413) by the JSON limits, before the API (39.0).',
  properties: {
    faultcode: { type: 'string', enum: ['Client'] },
    faultstring: { type: 'string' },
  },
  required: ['faultcode', 'faultstring'],
  additionalProperties: false,
} as const;

const NEXT = {
  type: 'string',
  description:
    'The link to the next page (`…?limit=N&marker=<uuid of the last item>`), present when this page is full.',
} as const;

const VERSION_VALUE = { type: 'string', pattern: '^1\\.\\d+$' } as const;
const REQUEST_ID = '^req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';

/** components.headers, by component name: [header name, header object]. */
const HEADERS = {
  MinimumVersion: [
    'X-OpenStack-Ironic-API-Minimum-Version',
    { description: 'The oldest microversion served.', required: true, schema: VERSION_VALUE },
  ],
  MaximumVersion: [
    'X-OpenStack-Ironic-API-Maximum-Version',
    { description: 'The newest microversion served.', required: true, schema: VERSION_VALUE },
  ],
  Version: [
    'X-OpenStack-Ironic-API-Version',
    { description: 'The microversion this request was served at.', required: true, schema: VERSION_VALUE },
  ],
  VersionIfNegotiated: [
    'X-OpenStack-Ironic-API-Version',
    {
      description:
        'The microversion this request was served at; absent when the request was refused before its version was read (a malformed URL, an unacceptable version, a gateway shutting down).',
      required: false,
      schema: VERSION_VALUE,
    },
  ],
  // issue 15: 39.0's JSON limits middleware refuses a body (400, 413) before the API, without
  // the version headers
  MinimumVersionUnlessRefused: [
    'X-OpenStack-Ironic-API-Minimum-Version',
    {
      description: 'The oldest microversion served; absent when the JSON limits refused the body (39.0).',
      required: false,
      schema: VERSION_VALUE,
    },
  ],
  MaximumVersionUnlessRefused: [
    'X-OpenStack-Ironic-API-Maximum-Version',
    {
      description: 'The newest microversion served; absent when the JSON limits refused the body (39.0).',
      required: false,
      schema: VERSION_VALUE,
    },
  ],
  RequestId: [
    'X-Openstack-Request-Id',
    {
      description: 'The request id (`req-<uuid>`): the one the client sent when valid, else a new one.',
      required: true,
      schema: { type: 'string', pattern: REQUEST_ID },
    },
  ],
  RetryAfter: [
    'Retry-After',
    {
      description: 'Seconds to wait before retrying (the conductors are unreachable or slow).',
      required: false,
      schema: { type: 'string', pattern: '^\\d+$' },
    },
  ],
} as const;
type HeaderName = keyof typeof HEADERS;

/** components.parameters, by component name; `query` ones replace a query parameter of that name. */
const PARAMETERS = {
  ApiVersion: {
    in: 'header',
    name: 'X-OpenStack-Ironic-API-Version',
    required: false,
    description: 'The microversion: 1.N or latest (1.1 when absent). OpenStack-API-Version: baremetal 1.N also works.',
    schema: { type: 'string' },
  },
  Limit: {
    in: 'query',
    name: 'limit',
    required: false,
    description: 'The page size: a positive integer, at most (and by default) the max_limit setting.',
    schema: { type: 'integer', minimum: 1 },
  },
  Marker: {
    in: 'query',
    name: 'marker',
    required: false,
    description: 'The UUID of the last item of the previous page.',
    schema: { type: 'string' },
  },
  SortKey: {
    in: 'query',
    name: 'sort_key',
    required: false,
    description: 'The field to sort by (default id); JSON fields cannot be sorted by.',
    schema: { type: 'string' },
  },
  SortDir: {
    in: 'query',
    name: 'sort_dir',
    required: false,
    description: 'The sort direction (default asc).',
    schema: { type: 'string', enum: ['asc', 'desc'] },
  },
  Fields: {
    in: 'query',
    name: 'fields',
    required: false,
    description: 'Comma-separated fields to return (1.8 and later).',
    schema: { type: 'string' },
  },
  Detail: {
    in: 'query',
    name: 'detail',
    required: false,
    description: 'Boolean: return every field (not together with `fields`).',
    schema: { type: 'boolean' },
  },
} as const;
type ParameterName = keyof typeof PARAMETERS;

/** Query parameters replaced by a component wherever an operation takes them. */
const QUERY_COMPONENTS: Record<string, ParameterName> = {
  limit: 'Limit',
  marker: 'Marker',
  sort_key: 'SortKey',
  sort_dir: 'SortDir',
  fields: 'Fields',
};

const ref = (section: string, name: string): { $ref: string } => ({ $ref: `#/components/${section}/${name}` });

const isVersioned = (path: string): boolean => path === '/v1' || path.startsWith('/v1/');

const jsonSchemaOf = (response: Response): Json | undefined => response.content?.['application/json']?.schema;

/** The error body as the routes write it (api-utils/representation.ts errorSchema). */
function isErrorShape(schema: Json | undefined): boolean {
  if (schema?.type !== 'object') return false;
  const props = schema.properties as Json | undefined;
  return (
    props !== undefined &&
    Object.keys(props).length === 1 &&
    (props.error_message as Json | undefined)?.type === 'string'
  );
}

const ERROR_REF = '#/components/schemas/Error';

const errorResponse = (status: string): Response => ({
  description: STATUS_CODES[Number(status)] ?? status,
  content: { 'application/json': { schema: ref('schemas', 'Error') } },
});

/**
 * Statuses a request can get before its microversion is negotiated: a malformed URL (400), the
 * version itself (406), a gateway that is shutting down (503).
 */
const BEFORE_NEGOTIATION = new Set(['400', '406', '503']);
/** Methods whose requests may carry a body, and so be refused for its size or content type. */
const BODY_METHODS = new Set(['post', 'put', 'patch', 'delete']);

function headersFor(path: string, status: string): Record<string, { $ref: string }> {
  const names: HeaderName[] = ['RequestId'];
  if (isVersioned(path))
    names.push('MinimumVersion', 'MaximumVersion', BEFORE_NEGOTIATION.has(status) ? 'VersionIfNegotiated' : 'Version');
  if (status === '503' || status === '504') names.push('RetryAfter');
  const out: Record<string, { $ref: string }> = {};
  for (const name of names) out[HEADERS[name][0]] = ref('headers', name);
  return out;
}

function rewriteParameters(op: Operation): void {
  if (!op.parameters) return;
  const paginated = op.parameters.some((p) => p.in === 'query' && p.name === 'limit');
  op.parameters = op.parameters.map((p) => {
    if (p.in === 'header' && p.name?.toLowerCase() === 'x-openstack-ironic-api-version')
      return ref('parameters', 'ApiVersion');
    if (p.in !== 'query' || p.name === undefined) return p;
    const component = Object.hasOwn(QUERY_COMPONENTS, p.name) ? QUERY_COMPONENTS[p.name] : undefined;
    if (component) return ref('parameters', component);
    // `detail` is the collection's boolean on paginated collections only (GET /v1/drivers has
    // its own `detail`, which means something else)
    if (p.name === 'detail' && paginated) return ref('parameters', 'Detail');
    return p;
  });
}

function rewriteResponses(path: string, method: string, op: Operation): void {
  const responses = op.responses ?? {};
  op.responses = responses;
  const secured = (op.security?.length ?? 0) > 0;
  const wanted = [
    ...(isVersioned(path) ? ['406'] : []),
    ...(secured ? ['401', '403'] : []),
    ...(BODY_METHODS.has(method) ? ['413', '415'] : []),
  ];
  for (const status of wanted) responses[status] ??= errorResponse(status);
  // every route that reaches a conductor may meet its unexpected failure (ironic-api passes it on
  // as 500), or a conductor older than the pin says (RPC or object version refused: 500 naming
  // pin_release_version)
  if (isVersioned(path) && path !== '/v1') {
    responses['500'] ??= {
      ...errorResponse('500'),
      description:
        'Internal Server Error: the conductor failed unexpectedly (its exception class and message), or it is older than the gateway speaks (the message names `pin_release_version`, the setting to lower).',
    };
  }
  // a gateway shutting down answers every request 503 in Ironic's error body, also where the
  // route's own 503 has another body (/healthz)
  responses['503'] ??= errorResponse('503');
  const unavailable = responses['503'];
  const own503 = jsonSchemaOf(unavailable);
  if (own503 && !isErrorShape(own503) && own503.$ref !== ERROR_REF)
    unavailable.content = { 'application/json': { schema: { anyOf: [own503, ref('schemas', 'Error')] } } };
  for (const [status, response] of Object.entries(responses)) {
    if (response.description === 'Default Response') response.description = STATUS_CODES[Number(status)] ?? status;
    const schema = jsonSchemaOf(response);
    if (Number(status) >= 400 && isErrorShape(schema)) response.content = errorResponse(status).content;
    const props = schema?.properties as Json | undefined;
    if (props && (props.next as Json | undefined)?.type === 'string' && Number(status) < 300)
      props.next = ref('schemas', 'Next');
    response.headers = { ...headersFor(path, status), ...response.headers };
  }
  // issue 15: a body may be refused by the JSON limits (39.0), raw and without version headers
  if (BODY_METHODS.has(method))
    for (const status of ['400', '413']) {
      const response = responses[status] ?? errorResponse(status);
      responses[status] = response;
      response.content = {
        'application/json': { schema: { anyOf: [ref('schemas', 'Error'), ref('schemas', 'RawFault')] } },
      };
      response.headers = { ...headersFor(path, status), ...response.headers };
      if (isVersioned(path))
        Object.assign(response.headers, {
          [HEADERS.MinimumVersionUnlessRefused[0]]: ref('headers', 'MinimumVersionUnlessRefused'),
          [HEADERS.MaximumVersionUnlessRefused[0]]: ref('headers', 'MaximumVersionUnlessRefused'),
          [HEADERS.VersionIfNegotiated[0]]: ref('headers', 'VersionIfNegotiated'),
        });
    }
  // statuses in numeric order, as a reader expects them
  op.responses = Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b)));
}

/** The document with its shared components: a new object, `doc` is left as it was. */
export function withSharedComponents<D>(doc: D): D {
  const out = structuredClone(doc) as Document;
  for (const [path, item] of Object.entries(out.paths ?? {})) {
    for (const [method, op] of Object.entries(item)) {
      if (!METHODS.includes(method)) continue;
      rewriteParameters(op);
      rewriteResponses(path, method, op);
    }
  }
  out.components ??= {};
  const components = out.components;
  components.schemas = { ...components.schemas, Error: ERROR, Fault: FAULT, Next: NEXT, RawFault: RAW_FAULT };
  components.parameters = { ...components.parameters, ...PARAMETERS };
  components.headers = {
    ...components.headers,
    ...Object.fromEntries(Object.entries(HEADERS).map(([name, [, header]]) => [name, header])),
  };
  return out as D;
}
