/**
 * Checks an HTTP answer against the committed OpenAPI document (openapi/openapi.json): the
 * request's method and path find an operation (path templates matched, literal segments first;
 * a final `.json` as ironic-api strips it), the status is one of the operation's documented
 * responses, the JSON body validates against that response's schema (ajv, JSON Schema 2020-12
 * as OpenAPI 3.1 uses it), a string property with `contentMediaType: application/json` holds
 * JSON valid against its `contentSchema` (Ironic's error_message), the headers the response
 * declares required are present and valid, and a success is not served outside the operation's
 * `x-openstack` min-ver–max-ver.
 *
 * A microversioned schema (a `oneOf` whose variants carry `x-openstack: {min-ver, max-ver}`, as
 * openapi-versions.ts writes them) is checked against the one variant of the answer's
 * microversion: the one its X-OpenStack-Ironic-API-Version header says it was served at, else
 * the one the request asked for. An answer whose microversion is unknown must match one of the
 * variants (any of them: an answer with few fields may match several).
 *
 *   const check = openApiCheck();
 *   check.assert({ method: 'GET', path: '/v1/nodes?limit=1', status: 200, body, headers });
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';

export const OPENAPI_FILE = join(import.meta.dirname, '..', '..', 'openapi', 'openapi.json');

export interface HttpAnswer {
  method: string;
  /** the request's path, with or without its query string */
  path: string;
  status: number;
  /** the parsed JSON body; undefined (or '') when the answer had none */
  body: unknown;
  /** the response headers (any case); when absent, headers are not checked */
  headers?: Record<string, string | string[] | number | undefined>;
  /** the microversion the request asked for ('1.N'); when absent, min-ver is not checked */
  version?: string;
}

type Json = Record<string, any>;

interface Template {
  path: string;
  regex: RegExp;
  /** literal segments: the more, the better the match (/v1/nodes/detail before /v1/nodes/{node_ident}) */
  literals: number;
}

export interface OpenApiCheck {
  /** What is wrong with the answer, in words; empty when it matches the document. */
  problems(answer: HttpAnswer): string[];
  /** Fails (assert) when the answer does not match the document. */
  assert(answer: HttpAnswer): void;
  /** The operation template of a request (`GET /v1/nodes/{node_ident}`), or undefined. */
  operationOf(method: string, path: string): string | undefined;
  /** `METHOD template status` of every answer checked, valid or not. */
  readonly seen: Set<string>;
  /** How many answers were checked. */
  readonly count: number;
  readonly document: Json;
}

/** `~` and `/` escaped as a JSON pointer segment, then as a URI fragment. */
const pointer = (...segments: string[]): string =>
  segments.map((s) => encodeURIComponent(s.replaceAll('~', '~0').replaceAll('/', '~1'))).join('/');

const lowerKeys = (h: HttpAnswer['headers']): Record<string, string> =>
  Object.fromEntries(
    Object.entries(h ?? {})
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(', ') : String(v)]),
  );

const minor = (version: string): number => Number(version.split('.')[1]);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The `x-openstack` range of a schema: [min, max] minors, max Infinity when open. */
function rangeOf(schema: Json | undefined): [number, number] | undefined {
  const x = schema?.['x-openstack'];
  if (typeof x?.['min-ver'] !== 'string') return undefined;
  return [minor(x['min-ver']), typeof x['max-ver'] === 'string' ? minor(x['max-ver']) : Number.POSITIVE_INFINITY];
}

interface Variant {
  name: string;
  min: number;
  max: number;
}

/**
 * The microversioned schemas of components.schemas (a oneOf of $refs to variants that all
 * carry an `x-openstack` range), by name, with their variants.
 */
function versionedSchemas(document: Json): Map<string, Variant[]> {
  const schemas = (document.components?.schemas ?? {}) as Record<string, Json>;
  const out = new Map<string, Variant[]>();
  for (const [name, schema] of Object.entries(schemas)) {
    const members = schema.oneOf as Json[] | undefined;
    if (!Array.isArray(members) || members.length === 0) continue;
    const variants = members.map((m) => {
      const target = typeof m.$ref === 'string' ? m.$ref.replace('#/components/schemas/', '') : '';
      const range = rangeOf(schemas[target]);
      return range && { name: target, min: range[0], max: range[1] };
    });
    if (variants.every((v) => v)) out.set(name, variants as Variant[]);
  }
  return out;
}

/**
 * The document as the checker's validator reads it: each microversioned schema an anyOf of its
 * variants (an answer with few fields, `fields=` or a list's default fields, may match several);
 * the answer's own variant is then checked on its own.
 */
function withAnyOf(document: Json): Json {
  const versioned = versionedSchemas(document);
  const schemas = { ...document.components?.schemas } as Record<string, Json>;
  for (const name of versioned.keys()) {
    const { oneOf, ...rest } = schemas[name] as Json;
    schemas[name] = { ...rest, anyOf: oneOf };
  }
  return { ...document, components: { ...document.components, schemas } };
}

export function openApiCheck(document: Json = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8'))): OpenApiCheck {
  // the whole document is one schema resource: every $ref (#/components/…) resolves in it
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  ajv.addSchema(withAnyOf(document), 'openapi');
  const validators = new Map<string, ValidateFunction>();
  const validatorAt = (ptr: string): ValidateFunction => {
    let v = validators.get(ptr);
    if (!v) {
      v = ajv.getSchema(`openapi#/${ptr}`);
      if (!v) throw new Error(`no schema at #/${ptr}`);
      validators.set(ptr, v);
    }
    return v;
  };
  const versioned = versionedSchemas(document);

  const templates: Template[] = Object.keys(document.paths)
    .map((path) => ({
      path,
      regex: new RegExp(`^${path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`),
      literals: path.split('/').filter((s) => s !== '' && !s.startsWith('{')).length,
    }))
    .sort((a, b) => b.literals - a.literals);

  const templateOf = (method: string, rawPath: string): string | undefined => {
    const trim = (p: string) => (p.length > 1 ? p.replace(/\/+$/, '') : p);
    const path = trim(rawPath.split('?')[0]!);
    const m = method.toLowerCase();
    const find = (p: string) => templates.find((t) => t.regex.test(p) && document.paths[t.path][m])?.path;
    if (!path.endsWith('.json')) return find(path);
    // the gateway serves a path without its final .json (ironic-api's JsonExtensionMiddleware);
    // a node named x.json is looked up with the suffix put back, through the same route
    const stripped = trim(path.slice(0, -5));
    if (templates.some((t) => t.regex.test(stripped))) return find(stripped);
    return find(path);
  };

  /** A $ref (#/components/…) resolved, with its JSON pointer. */
  const deref = (value: Json, ptr: string): [Json, string] => {
    if (typeof value?.$ref !== 'string') return [value, ptr];
    const target = value.$ref.replace(/^#\//, '');
    let node: any = document;
    for (const s of target.split('/')) node = node?.[s.replaceAll('~1', '/').replaceAll('~0', '~')];
    return [node, target];
  };

  const ajvErrors = (v: ValidateFunction, whole = '(body)', at = ''): string =>
    (v.errors ?? [])
      .slice(0, 5)
      .map((e) => `${at + e.instancePath || whole} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`)
      .join('; ');

  /**
   * The microversioned parts of a body against their variant at `n`: the schema is walked along
   * the value (properties, a map's additionalProperties, items, $refs) down to each $ref to a
   * microversioned schema.
   */
  const versionProblems = (schema: Json | undefined, value: unknown, at: string, n: number, depth = 0): string[] => {
    if (!schema || value === undefined || value === null || depth > 20) return [];
    if (typeof schema.$ref === 'string') {
      const name = schema.$ref.replace('#/components/schemas/', '');
      const variants = versioned.get(name);
      if (!variants) return versionProblems(deref(schema, '')[0], value, at, n, depth + 1);
      const variant = variants.find((v) => v.min <= n && n <= v.max);
      if (!variant) return [`${at || '(body)'}: ${name} has no variant at 1.${n}`];
      const validate = validatorAt(`components/schemas/${pointer(variant.name)}`);
      return validate(value) ? [] : [`${ajvErrors(validate, '(body)', at)} (${variant.name})`];
    }
    const out: string[] = [];
    if (schema.properties && typeof value === 'object' && !Array.isArray(value))
      for (const [k, sub] of Object.entries(schema.properties as Record<string, Json>))
        if (Object.hasOwn(value, k)) out.push(...versionProblems(sub, (value as Json)[k], `${at}/${k}`, n, depth + 1));
    // a map's values (`{name: setting}`): those its properties do not name
    if (schema.additionalProperties && typeof schema.additionalProperties === 'object' && isObject(value))
      for (const [k, v] of Object.entries(value))
        if (!Object.hasOwn(schema.properties ?? {}, k))
          out.push(...versionProblems(schema.additionalProperties, v, `${at}/${k}`, n, depth + 1));
    if (schema.items && Array.isArray(value))
      value.forEach((item, i) => {
        out.push(...versionProblems(schema.items, item, `${at}/${i}`, n, depth + 1));
      });
    return out;
  };

  const seen = new Set<string>();
  let count = 0;

  function problems(a: HttpAnswer): string[] {
    count++;
    const method = a.method.toUpperCase();
    const label = `${method} ${a.path} → ${a.status}`;
    const template = templateOf(method, a.path);
    if (!template) return [`${label}: no operation of the document matches ${method} ${a.path.split('?')[0]}`];
    seen.add(`${method} ${template} ${a.status}`);
    const opPtr = pointer('paths', template, method.toLowerCase());
    const op = document.paths[template][method.toLowerCase()] as Json;
    const out: string[] = [];

    const minVer = op['x-openstack']?.['min-ver'] as string | undefined;
    const maxVer = op['x-openstack']?.['max-ver'] as string | undefined;
    if (a.version && minVer && a.status < 400 && /^1\.\d+$/.test(a.version) && minor(a.version) < minor(minVer))
      out.push(`${label}: succeeded at ${a.version}, below the operation's min-ver ${minVer}`);
    if (a.version && maxVer && a.status < 400 && /^1\.\d+$/.test(a.version) && minor(a.version) > minor(maxVer))
      out.push(`${label}: succeeded at ${a.version}, above the operation's max-ver ${maxVer}`);
    // the microversion the answer was served at: its header, else the one asked for
    const served = lowerKeys(a.headers)['x-openstack-ironic-api-version'];
    const version = [served, a.version].find((v) => v !== undefined && /^1\.\d+$/.test(v));

    const key = [String(a.status), `${String(a.status)[0]}XX`, 'default'].find((k) => op.responses?.[k]);
    if (!key)
      return [
        ...out,
        `${label}: status not documented for ${method} ${template} (${Object.keys(op.responses ?? {}).join(', ')})`,
      ];
    const [response, responsePtr] = deref(op.responses[key], `${opPtr}/${pointer('responses', key)}`);

    // the body
    const empty = a.body === undefined || a.body === '';
    const media = response.content?.['application/json'];
    if (!media) {
      if (!empty) out.push(`${label}: documented without a body, answered ${JSON.stringify(a.body).slice(0, 200)}`);
    } else if (media.schema) {
      const schemaPtr = `${responsePtr}/${pointer('content', 'application/json', 'schema')}`;
      const validate = validatorAt(schemaPtr);
      const body = empty ? null : a.body;
      if (!validate(body))
        out.push(`${label}: body does not match ${template}'s ${key} schema: ${ajvErrors(validate)}`);
      const atVersion = version ? versionProblems(media.schema, body, '', minor(version)) : [];
      if (atVersion.length > 0)
        out.push(`${label}: body does not match ${template}'s ${key} schema at ${version}: ${atVersion.join('; ')}`);
      // JSON held in a string (Ironic's error_message): annotations ajv does not check
      const [schema] = deref(media.schema, schemaPtr);
      for (const [name, prop] of Object.entries((schema?.properties ?? {}) as Record<string, Json>)) {
        const value = (body as Json | null)?.[name];
        if (prop.contentMediaType !== 'application/json' || !prop.contentSchema || typeof value !== 'string') continue;
        let inner: unknown;
        try {
          inner = JSON.parse(value);
        } catch {
          out.push(`${label}: ${name} is not JSON: ${value.slice(0, 200)}`);
          continue;
        }
        const [, innerPtr] = deref(prop.contentSchema, '');
        const v = innerPtr ? validatorAt(innerPtr) : ajv.compile(prop.contentSchema);
        if (!v(inner)) out.push(`${label}: ${name}'s JSON does not match its contentSchema: ${ajvErrors(v)}`);
      }
    }

    // the headers
    if (a.headers) {
      const got = lowerKeys(a.headers);
      for (const [name, h] of Object.entries((response.headers ?? {}) as Record<string, Json>)) {
        const [header, headerPtr] = deref(h, '');
        const value = got[name.toLowerCase()];
        if (value === undefined) {
          if (header?.required) out.push(`${label}: required header ${name} missing`);
          continue;
        }
        if (header?.schema && headerPtr) {
          const v = validatorAt(`${headerPtr}/schema`);
          if (!v(value)) out.push(`${label}: header ${name}: ${ajvErrors(v, JSON.stringify(value))}`);
        }
      }
    }
    return out;
  }

  return {
    problems,
    assert(answer) {
      const p = problems(answer);
      assert.deepEqual(p, [], p.join('\n'));
    },
    operationOf(method, path) {
      const t = templateOf(method.toUpperCase(), path);
      return t && `${method.toUpperCase()} ${t}`;
    },
    seen,
    get count() {
      return count;
    },
    document,
  };
}

/** The parsed JSON body of a raw answer: undefined when empty, the text itself when not JSON. */
export function jsonBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Checks a fetch exchange (openapi-fetch's middleware sees these): the request's method, path
 * and microversion header, the response's status, headers and body (read from a clone).
 */
export async function checkFetch(check: OpenApiCheck, request: Request, response: Response): Promise<string[]> {
  const url = new URL(request.url);
  return check.problems({
    method: request.method,
    path: url.pathname + url.search,
    status: response.status,
    body: jsonBody(await response.clone().text()),
    headers: Object.fromEntries(response.headers),
    version: request.headers.get('x-openstack-ironic-api-version') ?? undefined,
  });
}
