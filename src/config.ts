/**
 * Configuration: every setting is an `IRONIC_GATEWAY_*` environment variable and a matching
 * `--flag`. Values are validated with ajv; a bad value stops start-up with one line naming the
 * setting and what it accepts.
 */
import { Ajv } from 'ajv';

type Kind = 'string' | 'integer' | 'number' | 'boolean';

export interface SettingSpec {
  /** property name in Config, snake_case as Ironic names its options */
  key: keyof Config;
  kind: Kind;
  default?: string | number | boolean;
  enum?: readonly string[];
  minimum?: number;
  maximum?: number;
  /** what it accepts, for the error line and the README */
  accepts: string;
  description: string;
}

export interface Config {
  host: string;
  port: number;
  transport_url: string;
  control_exchange: string;
  rabbit_quorum_queue: boolean;
  rabbit_transient_quorum_queue: boolean;
  amqp_durable_queues: boolean;
  auth_strategy: 'noauth' | 'jwt' | 'http_basic';
  noauth_allow_remote: boolean;
  jwt_algorithm?: string;
  jwt_secret?: string;
  jwt_public_key_file?: string;
  jwt_issuer?: string;
  jwt_audience?: string;
  jwt_clock_skew: number;
  http_basic_auth_user_file?: string;
  policy_file?: string;
  cors_allowed_origins?: string;
  rpc_response_timeout: number;
  hash_partition_exponent: number;
  hash_ring_reset_interval: number;
  max_limit: number;
  body_limit: number;
  log_level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  public_endpoint?: string;
  simulator_nodes: number;
  simulator_host: string;
  simulator_action_delay_ms: number;
  simulator_workers: number;
}

export const SETTINGS: readonly SettingSpec[] = [
  {
    key: 'host',
    kind: 'string',
    default: '127.0.0.1',
    accepts: 'an IP address or host name',
    description: 'listen address',
  },
  {
    key: 'port',
    kind: 'integer',
    default: 6385,
    minimum: 0,
    maximum: 65535,
    accepts: 'an integer from 0 to 65535',
    description: "listen port (Ironic's)",
  },
  {
    key: 'transport_url',
    kind: 'string',
    default: 'memory://',
    accepts: 'memory:// or rabbit://user:pass@host:port/vhost[,user:pass@host2:port…]',
    description: 'where the conductors are; memory:// runs the embedded simulated conductor',
  },
  {
    key: 'control_exchange',
    kind: 'string',
    default: 'ironic',
    accepts: 'an AMQP exchange name',
    description: 'oslo.messaging control_exchange the conductors use',
  },
  {
    key: 'rabbit_quorum_queue',
    kind: 'boolean',
    default: false,
    accepts: 'true or false',
    description:
      "the conductors' oslo.messaging rabbit_quorum_queue: the simulator's topic queues are quorum queues and the control exchange is durable, as theirs",
  },
  {
    key: 'rabbit_transient_quorum_queue',
    kind: 'boolean',
    default: false,
    accepts: 'true or false',
    description:
      "the conductors' rabbit_transient_quorum_queue: fanout exchanges are durable and the simulator's fanout queues quorum queues (the gateway's reply queue is exclusive either way)",
  },
  {
    key: 'amqp_durable_queues',
    kind: 'boolean',
    default: false,
    accepts: 'true or false',
    description:
      "the conductors' amqp_durable_queues: the control exchange and the simulator's topic queues are durable",
  },
  {
    key: 'auth_strategy',
    kind: 'string',
    default: 'noauth',
    enum: ['noauth', 'jwt', 'http_basic'],
    accepts: 'noauth, jwt or http_basic',
    description: 'how callers are authenticated',
  },
  {
    key: 'noauth_allow_remote',
    kind: 'boolean',
    default: false,
    accepts: 'true or false',
    description: 'allow noauth on a non-loopback listen address',
  },
  {
    key: 'jwt_algorithm',
    kind: 'string',
    enum: ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'PS256', 'HS256', 'HS384', 'HS512'],
    accepts: 'one of RS256, RS384, RS512, ES256, ES384, ES512, PS256, HS256, HS384, HS512',
    description: 'the one JWT algorithm accepted',
  },
  {
    key: 'jwt_secret',
    kind: 'string',
    accepts: 'a shared secret (HS* algorithms)',
    description: 'HMAC secret for HS* tokens',
  },
  {
    key: 'jwt_public_key_file',
    kind: 'string',
    accepts: 'a path to a PEM public key (RS*/ES*/PS*)',
    description: 'public key that verifies RS/ES/PS tokens',
  },
  { key: 'jwt_issuer', kind: 'string', accepts: 'the expected iss claim', description: 'checked when set' },
  { key: 'jwt_audience', kind: 'string', accepts: 'the expected aud claim', description: 'checked when set' },
  {
    key: 'jwt_clock_skew',
    kind: 'integer',
    default: 30,
    minimum: 0,
    maximum: 300,
    accepts: 'seconds from 0 to 300',
    description: 'tolerated clock skew for exp/nbf',
  },
  {
    key: 'http_basic_auth_user_file',
    kind: 'string',
    accepts: 'a path to an htpasswd file with bcrypt entries',
    description: 'users for http_basic',
  },
  {
    key: 'policy_file',
    kind: 'string',
    accepts: 'a path to a JSON policy file (rule name → rule)',
    description: 'overrides of the default policy rules',
  },
  {
    key: 'cors_allowed_origins',
    kind: 'string',
    accepts: 'comma-separated origins, e.g. https://dash.example.com',
    description: 'origins allowed by CORS (none by default)',
  },
  {
    key: 'rpc_response_timeout',
    kind: 'number',
    default: 60,
    minimum: 0.1,
    maximum: 3600,
    accepts: 'seconds from 0.1 to 3600',
    description: 'seconds to wait for a conductor reply',
  },
  {
    key: 'hash_partition_exponent',
    kind: 'integer',
    default: 5,
    minimum: 1,
    maximum: 16,
    accepts: 'an integer from 1 to 16',
    description: "hash ring partitions = 2^exponent, as Ironic's",
  },
  {
    key: 'hash_ring_reset_interval',
    kind: 'number',
    default: 15,
    minimum: 1,
    maximum: 3600,
    accepts: 'seconds from 1 to 3600',
    description: 'how often the live conductor list is refreshed',
  },
  {
    key: 'max_limit',
    kind: 'integer',
    default: 1000,
    minimum: 1,
    maximum: 100000,
    accepts: 'an integer from 1 to 100000',
    description: 'largest page a list returns',
  },
  {
    key: 'body_limit',
    kind: 'integer',
    default: 1048576,
    minimum: 1024,
    maximum: 67108864,
    accepts: 'bytes from 1024 to 67108864',
    description: 'largest request body',
  },
  {
    key: 'log_level',
    kind: 'string',
    default: 'info',
    enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
    accepts: 'fatal, error, warn, info, debug, trace or silent',
    description: 'pino log level',
  },
  {
    key: 'public_endpoint',
    kind: 'string',
    accepts: 'a base URL such as https://baremetal.example.com',
    description: 'base URL used in links (default: from the request Host)',
  },
  {
    key: 'simulator_nodes',
    kind: 'integer',
    default: 0,
    minimum: 0,
    maximum: 100000,
    accepts: 'an integer from 0 to 100000',
    description: 'fake nodes the simulator enrolls at start',
  },
  {
    key: 'simulator_host',
    kind: 'string',
    default: 'sim-1',
    accepts: 'a conductor host name',
    description: "the simulated conductor's host name",
  },
  {
    key: 'simulator_action_delay_ms',
    kind: 'integer',
    default: 200,
    minimum: 0,
    maximum: 600000,
    accepts: 'milliseconds from 0 to 600000',
    description: 'how long simulated long actions (deploy, clean…) take',
  },
  {
    key: 'simulator_workers',
    kind: 'integer',
    default: 100,
    minimum: 1,
    maximum: 10000,
    accepts: 'an integer from 1 to 10000',
    description: "the simulated conductor's worker pool size",
  },
];

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export const envName = (key: string): string => `IRONIC_GATEWAY_${key.toUpperCase()}`;
export const flagName = (key: string): string => `--${key.replace(/_/g, '-')}`;

function schemaFor(spec: SettingSpec): Record<string, unknown> {
  const s: Record<string, unknown> = { type: spec.kind };
  if (spec.enum) s.enum = spec.enum;
  if (spec.minimum !== undefined) s.minimum = spec.minimum;
  if (spec.maximum !== undefined) s.maximum = spec.maximum;
  return s;
}

const ajv = new Ajv({ allErrors: false, coerceTypes: true, useDefaults: true });
const validators = new Map(
  SETTINGS.map((s) => [s.key, ajv.compile({ type: 'object', properties: { v: schemaFor(s) } })]),
);

function coerce(spec: SettingSpec, raw: string | boolean | number): unknown {
  if (spec.kind === 'boolean' && typeof raw === 'string') {
    const v = raw.toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(v)) return true;
    if (['0', 'false', 'no', 'off'].includes(v)) return false;
    return raw;
  }
  return raw;
}

/** Parses `--flag value`, `--flag=value` and bare boolean `--flag`; returns settings and leftovers. */
export function parseFlags(argv: readonly string[]): { values: Record<string, string | boolean>; rest: string[] } {
  const byFlag = new Map(SETTINGS.map((s) => [flagName(s.key), s]));
  const values: Record<string, string | boolean> = {};
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      rest.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg : arg.slice(0, eq);
    const spec = byFlag.get(name);
    if (!spec) throw new ConfigError(`unknown option ${name}; run with --help to list the settings`);
    if (eq !== -1) values[spec.key] = arg.slice(eq + 1);
    else if (spec.kind === 'boolean' && (argv[i + 1] === undefined || argv[i + 1]!.startsWith('--')))
      values[spec.key] = true;
    else if (argv[i + 1] === undefined) throw new ConfigError(`option ${name} needs a value: ${spec.accepts}`);
    else values[spec.key] = argv[++i]!;
  }
  return { values, rest };
}

/**
 * Builds the configuration from defaults, then the environment, then flags, then `overrides`
 * (used by tests and embedding code). Throws ConfigError with one clear line on a bad value.
 */
export function loadConfig(
  options: { env?: NodeJS.ProcessEnv; flags?: Record<string, string | boolean>; overrides?: Partial<Config> } = {},
): Config {
  const env = options.env ?? process.env;
  const out: Record<string, unknown> = {};
  for (const spec of SETTINGS) {
    let raw: unknown = spec.default;
    let source = 'default';
    const e = env[envName(spec.key)];
    if (e !== undefined && e !== '') {
      raw = e;
      source = envName(spec.key);
    }
    const f = options.flags?.[spec.key];
    if (f !== undefined) {
      raw = f;
      source = flagName(spec.key);
    }
    const o = options.overrides?.[spec.key];
    if (o !== undefined) {
      raw = o;
      source = spec.key;
    }
    if (raw === undefined) continue;
    const holder = { v: coerce(spec, raw as string) };
    const validate = validators.get(spec.key)!;
    if (!validate(holder) || (typeof raw === 'string' && raw.trim() === '' && spec.kind !== 'string')) {
      throw new ConfigError(
        `invalid value ${JSON.stringify(raw)} for ${envName(spec.key)} (${flagName(spec.key)}, from ${source}): accepts ${spec.accepts}`,
      );
    }
    out[spec.key] = holder.v;
  }
  const config = out as unknown as Config;
  checkTransportUrl(config.transport_url);
  return config;
}

function checkTransportUrl(url: string): void {
  if (url === 'memory://' || /^memory:\/\/[\w.-]*\/?$/.test(url)) return;
  if (/^rabbit:\/\/[^\s]+$/.test(url)) return;
  throw new ConfigError(
    `invalid value ${JSON.stringify(url)} for ${envName('transport_url')} (${flagName('transport_url')}): accepts memory:// or rabbit://user:pass@host:port/vhost`,
  );
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The settings as a Markdown table (the README's table is checked against it). */
export function settingsTable(): string {
  const rows = SETTINGS.map(
    (s) =>
      `| \`${envName(s.key)}\` | \`${flagName(s.key)}\` | ${s.default === undefined ? '—' : `\`${String(s.default)}\``} | ${s.description}; accepts ${s.accepts} |`,
  );
  return ['| variable | flag | default | meaning |', '| --- | --- | --- | --- |', ...rows].join('\n');
}
