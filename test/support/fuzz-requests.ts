/**
 * Requests for the fuzz test, drawn from openapi/openapi.json with a seeded PRNG: each
 * operation's path parameters, query parameters and body schema give the valid shapes (enums,
 * types, the values descriptions list, known idents), and a share of every part is replaced by
 * hostile input: wrong types, names of Object.prototype, bad percent-escapes, long and odd
 * strings, deep and huge JSON, duplicate keys, huge numbers, JSON patches, odd headers.
 */
import { readFileSync } from 'node:fs';

export type Rnd = () => number;

/** mulberry32: a small deterministic PRNG. */
export function prng(seed: number): Rnd {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Schema = {
  type?: string | string[];
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  description?: string;
  $ref?: string;
  [k: string]: unknown;
};

export interface Operation {
  method: string;
  path: string;
  pathParams: string[];
  query: Array<{ name: string; schema: Schema }>;
  body: Schema | null;
}

/** Every operation of the OpenAPI document, $refs resolved. */
export function loadOperations(file: URL): Operation[] {
  const doc = JSON.parse(readFileSync(file, 'utf8')) as {
    paths: Record<string, Record<string, any>>;
    components?: { schemas?: Record<string, Schema>; parameters?: Record<string, unknown> };
  };
  const resolve = (s: Schema | undefined): Schema | undefined =>
    s?.$ref ? doc.components?.schemas?.[s.$ref.split('/').pop()!] : s;
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      // shared parameters (the collection's limit, marker, … and the version header) are $refs
      const params = ((op.parameters ?? []) as Array<{ $ref?: string }>).map((p) =>
        p.$ref ? doc.components?.parameters?.[p.$ref.split('/').pop()!] : p,
      ) as Array<{ in: string; name: string; schema: Schema }>;
      ops.push({
        method: method.toUpperCase(),
        path,
        pathParams: params.filter((p) => p.in === 'path').map((p) => p.name),
        query: params.filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: resolve(p.schema) ?? {} })),
        body: resolve(op.requestBody?.content?.['application/json']?.schema) ?? null,
      });
    }
  }
  return ops;
}

/** encodeURIComponent, with a lone surrogate sent as the invalid UTF-8 it would be (CESU-8). */
export function enc(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return s
      .split('')
      .map((c) => (/[\ud800-\udfff]/.test(c) ? '%ED%A0%80' : encodeURIComponent(c)))
      .join('');
  }
}

/** Names a plain JavaScript object answers for. */
export const PROTO_NAMES = ['constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty', 'prototype'];

const HOSTILE_STRINGS = [
  '',
  ' ',
  '%00',
  '\u0000',
  '../../etc/passwd',
  '\u00e9\u{1f600}\u202e',
  '\ud800',
  'a'.repeat(256),
  'a'.repeat(5000),
  'null',
  'true',
  '-1',
  '1e999',
  'NaN',
  '{"a":1}',
  '<script>',
  "' OR 1=1 --",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a hostile string the fuzz sends, not a template
  '${x}',
  ...PROTO_NAMES,
];

/** Words a schema's description offers as values ('power on', active, …). */
function describedValues(s: Schema): string[] {
  const d = s.description ?? '';
  const quoted = [...d.matchAll(/'([^']+)'/g)].map((m) => m[1]!);
  const words = d
    .replace(/\([^)]*\)/g, '')
    .split(/[,;:]\s*/)
    .map((w) => w.trim())
    .filter((w) => /^[\w -]{1,30}$/.test(w));
  return [...quoted, ...words];
}

/** The fuzzer's state: the PRNG and the idents of things that exist. */
export class Fuzz {
  constructor(
    readonly rnd: Rnd,
    readonly idents: Record<string, string[]>,
  ) {}

  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.rnd() * xs.length)]!;
  }
  chance(p: number): boolean {
    return this.rnd() < p;
  }

  hostileString(): string {
    return this.pick(HOSTILE_STRINGS);
  }

  scalar(): unknown {
    return this.pick<() => unknown>([
      () => this.hostileString(),
      () => this.pick(Object.values(this.idents).flat()),
      () => Math.floor(this.rnd() * 2e6) - 1e6,
      () => this.pick([0, -0, 1.5, 2 ** 53 + 1, 1e308, -1e308, Number.MIN_VALUE]),
      () => null,
      () => this.chance(0.5),
    ])();
  }

  /** A value for `schema`: mostly of its shape, sometimes anything at all. */
  value(schema: Schema | undefined, depth = 0): unknown {
    if (!schema || this.chance(0.12) || depth > 6) return depth > 6 ? this.scalar() : this.anything(depth);
    if (schema.enum && this.chance(0.8)) return this.pick(schema.enum);
    const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
    const type = types.length ? this.pick(types) : undefined;
    switch (type) {
      case 'object': {
        const out: Record<string, unknown> = {};
        for (const [k, s] of Object.entries(schema.properties ?? {})) {
          if (schema.required?.includes(k) ? this.chance(0.95) : this.chance(0.4)) out[k] = this.value(s, depth + 1);
        }
        if (this.chance(0.1)) out[this.pick([...PROTO_NAMES, 'x', 'extra'])] = this.anything(depth + 1);
        return out;
      }
      case 'array':
        return Array.from({ length: Math.floor(this.rnd() * 4) }, () => this.value(schema.items, depth + 1));
      case 'string': {
        const described = describedValues(schema);
        if (described.length && this.chance(0.6)) return this.pick(described);
        return this.chance(0.5) ? this.pick(Object.values(this.idents).flat()) : this.hostileString();
      }
      case 'integer':
        return this.pick([0, 1, 2, 10, 1000, -1, 2 ** 31, 1e21]);
      case 'number':
        return this.pick([0, 0.5, 60, -1, 1e308]);
      case 'boolean':
        return this.chance(0.5);
      case 'null':
        return null;
      default:
        return this.anything(depth);
    }
  }

  anything(depth = 0): unknown {
    const r = this.rnd();
    if (depth > 4 || r < 0.6) return this.scalar();
    if (r < 0.8) return Array.from({ length: Math.floor(this.rnd() * 4) }, () => this.anything(depth + 1));
    const o: Record<string, unknown> = {};
    for (let i = Math.floor(this.rnd() * 4); i > 0; i--)
      o[this.pick([...PROTO_NAMES, 'a', 'b', 'x'])] = this.anything(depth + 1);
    return o;
  }

  /** A JSON patch, usually of ironic-api's shape, with hostile paths and values. */
  patch(): unknown {
    return Array.from({ length: 1 + Math.floor(this.rnd() * 3) }, () => {
      const op: Record<string, unknown> = {
        op: this.pick(['add', 'replace', 'remove', 'move', 'copy', 'test', 'bogus']),
        path: this.pick([
          '/extra/a',
          '/extra/a/b',
          '/name',
          '/driver',
          '/uuid',
          '/properties',
          '/driver_info/x',
          '/instance_info',
          '/',
          '',
          '/extra/~1x',
          '/extra/~01',
          '/constructor',
          '/__proto__/x',
          '/extra/__proto__',
          '/traits',
          '/maintenance',
          '/node_uuid',
          '/address',
          '/a/b/c/d',
          '/extra/-',
          '/local_link_connection/switch_id',
        ]),
      };
      if (this.chance(0.85)) op.value = this.anything(1);
      if (this.chance(0.05)) op.from = '/extra';
      return op;
    });
  }

  /** A path parameter value, URL-encoded (or a deliberately broken escape). */
  pathValue(name: string): string {
    const known = this.idents[name] ?? this.idents.node_ident!;
    const r = this.rnd();
    if (r < 0.8 && known.length) return enc(this.pick(known));
    if (r < 0.87) return this.pick(['%ZZ', '%', '%C0%AF', '%E0%A4%A', '%FF', '%2F', '%00', '..', '.json', 'x.json']);
    if (r < 0.9) return 'a'.repeat(this.pick([255, 256, 513, 600, 5000]));
    return enc(String(this.scalar()));
  }

  /** A query string: the operation's parameters with schema values, plus strangers. */
  query(op: Operation): string {
    const parts: string[] = [];
    for (const q of op.query) {
      if (!this.chance(0.3)) continue;
      const v =
        q.name === 'fields' && this.chance(0.5)
          ? this.pick(['uuid,name', 'constructor', 'uuid,__proto__', ''])
          : this.value(q.schema);
      parts.push(`${enc(q.name)}=${enc(typeof v === 'string' ? v : (JSON.stringify(v) ?? ''))}`);
      if (this.chance(0.05)) parts.push(`${enc(q.name)}=${enc(String(this.scalar()))}`);
    }
    if (this.chance(0.1))
      parts.push(`${this.pick([...PROTO_NAMES, 'x', 'limit', 'a[b]', 'a[]'])}=${this.pick(['1', '%ZZ', '', 'x'])}`);
    if (this.chance(0.03)) parts.push(this.pick(['%', '%C0%AF=1', '&&&', '=', 'limit=%FF', 'x'.repeat(3000)]));
    return parts.length ? `?${parts.join('&')}` : '';
  }

  /** Request headers: microversions, content types, request ids, Accept, oddities. */
  headers(hasBody: boolean): Record<string, string> {
    const h: Record<string, string> = {};
    if (this.chance(0.6)) h['x-openstack-ironic-api-version'] = this.pick(['latest', '1.38']);
    else if (this.chance(0.85))
      h['x-openstack-ironic-api-version'] = this.pick([
        'latest',
        'latest',
        '1.38',
        '1.38',
        '1.1',
        '1.9',
        '1.22',
        '1.28',
        '1.31',
        '1.37',
        '1.39',
        '2.0',
        '1.x',
        '',
        ' 1.5 ',
        '1.0',
        '99.99',
        '1.38, 1.1',
      ]);
    if (this.chance(0.05))
      h['openstack-api-version'] = this.pick(['baremetal 1.30', 'baremetal latest', 'compute 2.1', 'baremetal']);
    if (hasBody)
      h['content-type'] = this.chance(0.9)
        ? this.pick(['application/json', 'application/json; charset=utf-8', 'Application/JSON'])
        : this.pick([
            'text/plain',
            'application/x-www-form-urlencoded',
            'application/octet-stream',
            'application/json; charset=latin1',
            'multipart/form-data; boundary=x',
          ]);
    if (this.chance(0.1))
      h['x-openstack-request-id'] = this.pick([
        'req-0b7c6c1e-8f59-4a1e-9b8f-3c8f2f0c9d11',
        'req-x',
        'x'.repeat(300),
        '',
      ]);
    if (this.chance(0.1)) h.accept = this.pick(['application/json', 'text/html', '*/*', 'application/xml', '']);
    if (this.chance(0.03)) h['x-auth-token'] = this.pick(['x', 'a'.repeat(2000)]);
    if (this.chance(0.03)) h.authorization = this.pick(['Bearer x', 'Basic !!!', 'Bearer']);
    return h;
  }

  /** A body as text: JSON of the schema's shape, or hostile JSON. */
  body(op: Operation): string {
    const r = this.rnd();
    if (r < 0.05) return `${'['.repeat(this.pick([99, 101, 150, 5000]))}${']'.repeat(5000)}`;
    if (r < 0.08)
      return this.pick([
        '{"truncated":',
        '{',
        'nul',
        '\ufeff{}',
        '{"a":1}{"b":2}',
        "{'a':1}",
        '[',
        '"x"',
        '1e999',
        '-',
      ]);
    if (r < 0.1)
      return `{"driver":"fake-hardware","extra":{"n":${this.pick(['1e999', '-1e999', '123456789012345678901234567890', '0.000000000000000000000001', '1E+400'])}}}`;
    if (r < 0.12) return '{"driver":"fake-hardware","driver":"bogus","name":"dup","name":"dup2","extra":{"a":1,"a":2}}';
    if (r < 0.14)
      return this.pick([
        '{"__proto__":{"x":1}}',
        '{"constructor":{"prototype":{"x":1}}}',
        '{"extra":{"__proto__":{"polluted":1}}}',
      ]);
    if (r < 0.15)
      return JSON.stringify({ driver: 'fake-hardware', extra: { big: 'x'.repeat(this.pick([1 << 16, 1 << 20])) } });
    if (r < 0.16)
      return JSON.stringify(Array.from({ length: 20000 }, (_, i) => ({ op: 'add', path: `/extra/k${i}`, value: i })));
    if (op.method === 'PATCH' && this.chance(0.8)) return JSON.stringify(this.patch());
    return JSON.stringify(this.value(op.body ?? undefined)) ?? 'null';
  }
}
