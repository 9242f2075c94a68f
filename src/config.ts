/**
 * Configuration: every setting is an `IRONIC_GATEWAY_*` environment variable and a matching
 * `--flag`. Values are validated with ajv; a bad value stops start-up with one line naming the
 * setting and what it accepts.
 */
import { RELEASE_ALIASES, RELEASE_MAPPING, RELEASE_NAMES } from './releases.ts';
import { Ajv } from 'ajv';
import { isMemoryUrl } from './rpc/memory.ts';

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
  auth_strategy: 'noauth' | 'jwt' | 'http_basic' | 'keystone';
  noauth_allow_remote: boolean;
  jwt_algorithm?: string;
  jwt_secret?: string;
  jwt_public_key_file?: string;
  jwt_issuer?: string;
  jwt_audience?: string;
  jwt_clock_skew: number;
  http_basic_auth_user_file?: string;
  keystone_auth_url?: string;
  keystone_username?: string;
  keystone_password?: string;
  keystone_user_domain_name: string;
  keystone_project_name: string;
  keystone_project_domain_name: string;
  keystone_www_authenticate_uri?: string;
  keystone_token_cache_time: number;
  keystone_token_cache_size: number;
  keystone_timeout: number;
  keystone_service_token_roles: string;
  keystone_service_token_roles_required: boolean;
  policy_file?: string;
  /** unset: the served release's default (21.4: false, 39.0: true) */
  policy_enforce_new_defaults?: boolean;
  /** unset: the served release's default (21.4: false, 39.0: true) */
  policy_enforce_scope?: boolean;
  project_admin_can_manage_own_nodes: boolean;
  rbac_service_role_elevated_access: boolean;
  rbac_service_project_name: string;
  /** an Ironic release name or alias (src/releases.ts); unset: the newest the gateway implements */
  pin_release_version?: string;
  cors_allowed_origins?: string;
  rpc_response_timeout: number;
  coalesce_reads: boolean;
  node_routing_ttl: number;
  hash_partition_exponent: number;
  hash_ring_reset_interval: number;
  max_limit: number;
  body_limit: number;
  http_headers_timeout: number;
  http_request_timeout: number;
  http_keep_alive_timeout: number;
  http_idle_timeout: number;
  log_level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  public_endpoint?: string;
  api_docs: boolean;
  tls_cert_file?: string;
  tls_key_file?: string;
  tls_client_ca_file?: string;
  tls_public_routes_open: boolean;
  // the ramdisk endpoints (issue 14): Ironic's options ironic-api reads for lookup and heartbeat
  enable_ramdisk_endpoints: boolean;
  restrict_lookup: boolean;
  // issue 15, slice provision: Ironic 39.0's [api]disallow_*_steps, comma-separated interface.step lists
  disallow_clean_steps: string;
  disallow_deploy_steps: string;
  disallow_service_steps: string;
  fast_track: boolean;
  ramdisk_heartbeat_timeout: number;
  metrics_agent_backend: string;
  metrics_agent_prepend_host: boolean;
  metrics_agent_prepend_uuid: boolean;
  metrics_agent_prepend_host_reverse: boolean;
  metrics_agent_global_prefix?: string;
  metrics_statsd_agent_statsd_host: string;
  metrics_statsd_agent_statsd_port: number;
  disable_deep_image_inspection: boolean;
  /** unset: the served release's default (21.4: raw,qcow2,iso; 39.0: raw,gpt,qcow2,iso) */
  permitted_image_formats?: string;
  /** unset: the served release's default (21.4: true, 39.0: false) */
  enable_bios_bootloader_install?: boolean;
  // issue 15, slice vmedia: the options ironic-api 39.0 adds to lookup's config
  agent_allow_md5_checksum: boolean;
  agent_tls_minimum_version: '1.2' | '1.3';
  agent_tls_ciphers?: string;
  agent_containers_allow_arbitrary_containers: boolean;
  agent_containers_allowed_containers: string;
  agent_containers_container_steps_file: string;
  agent_containers_runner: 'podman' | 'docker';
  agent_containers_pull_options: string;
  agent_containers_run_options: string;
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
    key: 'pin_release_version',
    kind: 'string',
    enum: [...RELEASE_NAMES],
    accepts: `an Ironic release of the mapping, ${Object.keys(RELEASE_MAPPING)[0]} to ${Object.keys(RELEASE_MAPPING).at(-1)} (e.g. 21.4), or an alias (${Object.keys(RELEASE_ALIASES).join(', ')})`,
    description:
      "as Ironic's pin_release_version: announce that release's newest microversion, send RPC and objects at its versions (unset: the newest the gateway implements)",
  },
  {
    key: 'auth_strategy',
    kind: 'string',
    default: 'noauth',
    enum: ['noauth', 'jwt', 'http_basic', 'keystone'],
    accepts: 'noauth, jwt, http_basic or keystone',
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
    key: 'keystone_auth_url',
    kind: 'string',
    accepts: 'an http(s) URL such as https://keystone.example.com:5000/v3',
    description: "keystone: Keystone's identity API that validates tokens",
  },
  {
    key: 'keystone_username',
    kind: 'string',
    accepts: 'a Keystone user name',
    description: "keystone: the gateway's service user (needs the service role to validate tokens)",
  },
  {
    key: 'keystone_password',
    kind: 'string',
    accepts: "the service user's password",
    description: "keystone: the service user's password",
  },
  {
    key: 'keystone_user_domain_name',
    kind: 'string',
    default: 'Default',
    accepts: 'a Keystone domain name',
    description: "keystone: the service user's domain",
  },
  {
    key: 'keystone_project_name',
    kind: 'string',
    default: 'service',
    accepts: 'a Keystone project name',
    description: "keystone: the project the gateway's service token is scoped to",
  },
  {
    key: 'keystone_project_domain_name',
    kind: 'string',
    default: 'Default',
    accepts: 'a Keystone domain name',
    description: "keystone: that project's domain",
  },
  {
    key: 'keystone_www_authenticate_uri',
    kind: 'string',
    accepts: 'a URL (default: the keystone auth URL)',
    description: 'keystone: where a 401 tells clients to authenticate (WWW-Authenticate: Keystone uri=…)',
  },
  {
    key: 'keystone_token_cache_time',
    kind: 'integer',
    default: 300,
    minimum: -1,
    maximum: 86400,
    accepts: 'seconds from -1 to 86400; -1 or 0 turn the cache off',
    description:
      "keystone: how long a validated token is cached (never past its expires_at), as keystonemiddleware's token_cache_time",
  },
  {
    key: 'keystone_token_cache_size',
    kind: 'integer',
    default: 10000,
    minimum: 1,
    maximum: 1000000,
    accepts: 'an integer from 1 to 1000000',
    description: 'keystone: most validated tokens cached at once (least recently used go first)',
  },
  {
    key: 'keystone_timeout',
    kind: 'number',
    default: 10,
    minimum: 0.1,
    maximum: 300,
    accepts: 'seconds from 0.1 to 300',
    description: 'keystone: how long to wait for Keystone before answering 503',
  },
  {
    key: 'keystone_service_token_roles',
    kind: 'string',
    default: 'service',
    accepts: 'comma-separated role names',
    description: 'keystone: roles an X-Service-Token must carry (any one)',
  },
  {
    key: 'keystone_service_token_roles_required',
    kind: 'boolean',
    default: true,
    accepts: 'true or false',
    description: 'keystone: refuse (401) an X-Service-Token without one of those roles, as keystonemiddleware',
  },
  {
    key: 'policy_file',
    kind: 'string',
    accepts: 'a path to a JSON policy file (rule name → rule)',
    description: 'overrides of the default policy rules',
  },
  {
    key: 'policy_enforce_new_defaults',
    kind: 'boolean',
    accepts: 'true or false',
    description:
      "oslo.policy's [oslo_policy]enforce_new_defaults for Ironic's owner/lessee rules (unset: the served release's default, true for 39.0 and the unpinned gateway, false for pins from 21.4 before 39.0): false ORs each rule with its legacy default",
  },
  {
    key: 'policy_enforce_scope',
    kind: 'boolean',
    accepts: 'true or false',
    description:
      "oslo.policy's [oslo_policy]enforce_scope for Ironic's owner/lessee rules (unset: the served release's default, true for 39.0 and the unpinned gateway, false for pins from 21.4 before 39.0): a token of a scope the rule does not list is refused (500, as ironic-api)",
  },
  {
    key: 'project_admin_can_manage_own_nodes',
    kind: 'boolean',
    default: true,
    accepts: 'true or false',
    description:
      "Ironic's [api]project_admin_can_manage_own_nodes: a project admin may create and delete nodes its project owns",
  },
  {
    key: 'rbac_service_role_elevated_access',
    kind: 'boolean',
    default: false,
    accepts: 'true or false',
    description:
      "Ironic's [DEFAULT]rbac_service_role_elevated_access: the service role of the service project acts as a system member",
  },
  {
    key: 'rbac_service_project_name',
    kind: 'string',
    default: 'service',
    accepts: 'a project name',
    description: "Ironic's [DEFAULT]rbac_service_project_name (with rbac_service_role_elevated_access)",
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
    key: 'coalesce_reads',
    kind: 'boolean',
    default: true,
    accepts: 'true or false',
    description:
      'identical conductor reads arriving while one is in flight share the next call sent after them, and reads of different nodes by uuid waiting behind calls in flight share one Node.list (never an answer older than the request; docs/performance.md)',
  },
  {
    key: 'node_routing_ttl',
    kind: 'number',
    default: 15,
    minimum: 0,
    maximum: 3600,
    accepts: 'seconds from 0 (off) to 3600',
    description:
      "how long a node's driver and conductor group, once read, route the routes that need nothing else of it (boot device, NMI, console, VIFs, indicators, validate) without reading it again; never used for policy or state (docs/performance.md)",
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
    key: 'http_headers_timeout',
    kind: 'number',
    default: 20,
    minimum: 1,
    maximum: 3600,
    accepts: 'seconds from 1 to 3600',
    description:
      "time a client has to send a request's line and headers (408 after); 20 s, Apache's RequestReadTimeout for headers",
  },
  {
    key: 'http_request_timeout',
    kind: 'number',
    default: 60,
    minimum: 1,
    maximum: 3600,
    accepts: 'seconds from 1 to 3600, at least the headers timeout',
    description:
      'time a client has to send a whole request, body included (408 after); 60 s lets a full body-limit body come at 17 KiB/s',
  },
  {
    key: 'http_keep_alive_timeout',
    kind: 'number',
    default: 72,
    minimum: 1,
    maximum: 3600,
    accepts: 'seconds from 1 to 3600',
    description:
      'how long an idle keep-alive connection is kept; 72 s outlasts the 60 s idle timeout of common load balancers, so they close first',
  },
  {
    key: 'http_idle_timeout',
    kind: 'number',
    default: 120,
    minimum: 0,
    maximum: 86400,
    accepts: 'seconds from 0 (never) to 86400, above the RPC response timeout',
    description:
      'a connection with no bytes moving either way for this long is closed (a client that stops reading its answer); above the RPC timeout, which a waiting client sits through',
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
    key: 'api_docs',
    kind: 'boolean',
    default: true,
    accepts: 'true or false',
    description: 'serve the OpenAPI document (/openapi.json, /openapi.yaml) and its docs page (/docs), unauthenticated',
  },
  {
    key: 'tls_cert_file',
    kind: 'string',
    accepts: 'a path to a PEM certificate, its intermediate CA certificates after it',
    description: 'serve HTTPS (TLS 1.2 or newer) with this certificate; re-read when the file changes (docs/tls.md)',
  },
  {
    key: 'tls_key_file',
    kind: 'string',
    accepts: 'a path to the PEM private key of the certificate (unencrypted)',
    description: 'the private key of tls_cert_file; needed with it',
  },
  {
    key: 'tls_client_ca_file',
    kind: 'string',
    accepts: 'a path to PEM CA certificates',
    description: 'mutual TLS: clients must present a certificate signed by one of these CAs',
  },
  {
    key: 'tls_public_routes_open',
    kind: 'boolean',
    default: false,
    accepts: 'true or false',
    description:
      'with mutual TLS, serve the public routes (/, /v1, /healthz, IPA lookup and heartbeat) to clients without a certificate; every other route answers 403 without one',
  },
  // the ramdisk endpoints (issue 14): each is the Ironic option of the same name, read by
  // ironic-api for GET /v1/lookup and POST /v1/heartbeat; set them as the conductors' ironic.conf
  {
    key: 'enable_ramdisk_endpoints',
    kind: 'boolean',
    default: true,
    accepts: 'true or false',
    description:
      "Ironic's [api]enable_ramdisk_endpoints (Debian 21.4): false answers 403 to the deploy ramdisk's lookup and heartbeat",
  },
  {
    key: 'disallow_clean_steps',
    kind: 'string',
    default: 'vendor.send_raw',
    accepts: 'a comma-separated list of interface.step names (empty: none)',
    description:
      "Ironic 39.0's [api]disallow_clean_steps: requested clean steps refused with 400 (StepNotAllowed); not checked when pinned to 21.4 or older",
  },
  {
    key: 'disallow_deploy_steps',
    kind: 'string',
    default: 'vendor.send_raw',
    accepts: 'a comma-separated list of interface.step names (empty: none)',
    description:
      "Ironic 39.0's [api]disallow_deploy_steps: requested deploy steps refused with 400 (StepNotAllowed); not checked when pinned to 21.4 or older",
  },
  {
    key: 'disallow_service_steps',
    kind: 'string',
    default: 'vendor.send_raw',
    accepts: 'a comma-separated list of interface.step names (empty: none)',
    description:
      "Ironic 39.0's [api]disallow_service_steps: requested service steps refused with 400 (StepNotAllowed); not checked when pinned to 21.4 or older",
  },
  {
    key: 'restrict_lookup',
    kind: 'boolean',
    default: true,
    accepts: 'true or false',
    description:
      "Ironic's [api]restrict_lookup: the ramdisk may look up only nodes in a deploy, clean, inspect or rescue state",
  },
  {
    key: 'fast_track',
    kind: 'boolean',
    default: false,
    accepts: 'true or false',
    description:
      "Ironic's [deploy]fast_track (a node's driver_info fast_track overrides it): lookup also allowed in enroll, manageable and available",
  },
  {
    key: 'ramdisk_heartbeat_timeout',
    kind: 'integer',
    default: 300,
    minimum: 1,
    maximum: 86400,
    accepts: 'seconds from 1 to 86400',
    description: "Ironic's [api]ramdisk_heartbeat_timeout, handed to the ramdisk by lookup (config.heartbeat_timeout)",
  },
  {
    key: 'metrics_agent_backend',
    kind: 'string',
    default: 'noop',
    accepts: 'a metrics backend name of the agent (noop, statsd)',
    description: "Ironic's [metrics]agent_backend, handed to the ramdisk by lookup",
  },
  {
    key: 'metrics_agent_prepend_host',
    kind: 'boolean',
    default: false,
    accepts: 'true or false',
    description: "Ironic's [metrics]agent_prepend_host, handed to the ramdisk by lookup",
  },
  {
    key: 'metrics_agent_prepend_uuid',
    kind: 'boolean',
    default: false,
    accepts: 'true or false',
    description: "Ironic's [metrics]agent_prepend_uuid, handed to the ramdisk by lookup",
  },
  {
    key: 'metrics_agent_prepend_host_reverse',
    kind: 'boolean',
    default: true,
    accepts: 'true or false',
    description: "Ironic's [metrics]agent_prepend_host_reverse, handed to the ramdisk by lookup",
  },
  {
    key: 'metrics_agent_global_prefix',
    kind: 'string',
    accepts: 'a metric name prefix (unset: none)',
    description: "Ironic's [metrics]agent_global_prefix, handed to the ramdisk by lookup",
  },
  {
    key: 'metrics_statsd_agent_statsd_host',
    kind: 'string',
    default: 'localhost',
    accepts: 'a host name or IP address the ramdisk reaches',
    description: "Ironic's [metrics_statsd]agent_statsd_host, handed to the ramdisk by lookup",
  },
  {
    key: 'metrics_statsd_agent_statsd_port',
    kind: 'integer',
    default: 8125,
    minimum: 0,
    maximum: 65535,
    accepts: 'an integer from 0 to 65535',
    description: "Ironic's [metrics_statsd]agent_statsd_port, handed to the ramdisk by lookup",
  },
  {
    key: 'disable_deep_image_inspection',
    kind: 'boolean',
    default: false,
    accepts: 'true or false',
    description: "Ironic's [conductor]disable_deep_image_inspection, handed to the ramdisk by lookup",
  },
  {
    key: 'permitted_image_formats',
    kind: 'string',
    accepts: 'comma-separated image format names',
    description:
      "Ironic's [conductor]permitted_image_formats, handed to the ramdisk by lookup (as a list; unset: the served release's default, raw,qcow2,iso for 21.4 and older, raw,gpt,qcow2,iso for 39.0)",
  },
  {
    key: 'enable_bios_bootloader_install',
    kind: 'boolean',
    accepts: 'true or false',
    description:
      "Ironic's [agent]enable_bios_bootloader_install, handed to the ramdisk by lookup (unset: the served release's default, true for Debian's 21.4 and older, false for 39.0)",
  },
  // issue 15, slice vmedia: Ironic 39.0's options that lookup hands to the ramdisk
  {
    key: 'agent_allow_md5_checksum',
    kind: 'boolean',
    default: true,
    accepts: 'true or false',
    description:
      "Ironic's [agent]allow_md5_checksum, handed to the ramdisk by a 39.0 lookup (agent_md5_checksum_enable)",
  },
  {
    key: 'agent_tls_minimum_version',
    kind: 'string',
    enum: ['1.2', '1.3'],
    default: '1.3',
    accepts: '1.2 or 1.3',
    description: "Ironic's [agent]tls_minimum_version, handed to the ramdisk by a 39.0 lookup (tls_min_version)",
  },
  {
    key: 'agent_tls_ciphers',
    kind: 'string',
    accepts: 'an OpenSSL cipher list',
    description: "Ironic's [agent]tls_ciphers, handed to the ramdisk by a 39.0 lookup (tls_cipher_suites; unset: null)",
  },
  {
    key: 'agent_containers_allow_arbitrary_containers',
    kind: 'boolean',
    default: false,
    accepts: 'true or false',
    description: "Ironic's [agent_containers]allow_arbitrary_containers, handed to the ramdisk by a 39.0 lookup",
  },
  {
    key: 'agent_containers_allowed_containers',
    kind: 'string',
    default: '',
    accepts: 'comma-separated container images',
    description: "Ironic's [agent_containers]allowed_containers, handed to the ramdisk by a 39.0 lookup (as a list)",
  },
  {
    key: 'agent_containers_container_steps_file',
    kind: 'string',
    default: '/etc/ironic-python-agent.d/mysteps.yaml',
    accepts: 'a path in the ramdisk',
    description: "Ironic's [agent_containers]container_steps_file, handed to the ramdisk by a 39.0 lookup",
  },
  {
    key: 'agent_containers_runner',
    kind: 'string',
    enum: ['podman', 'docker'],
    default: 'podman',
    accepts: 'podman or docker',
    description: "Ironic's [agent_containers]runner, handed to the ramdisk by a 39.0 lookup",
  },
  {
    key: 'agent_containers_pull_options',
    kind: 'string',
    default: '',
    accepts: 'comma-separated options',
    description: "Ironic's [agent_containers]pull_options, handed to the ramdisk by a 39.0 lookup (as a list)",
  },
  {
    key: 'agent_containers_run_options',
    kind: 'string',
    default: '--rm,--network=host',
    accepts: 'comma-separated options',
    description: "Ironic's [agent_containers]run_options, handed to the ramdisk by a 39.0 lookup (as a list)",
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
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      rest.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg : arg.slice(0, eq);
    const spec = byFlag.get(name);
    if (!spec) throw new ConfigError(`unknown option ${name}; run with --help to list the settings`);
    if (eq !== -1) values[spec.key] = arg.slice(eq + 1);
    else if (spec.kind === 'boolean' && (argv[i + 1] === undefined || argv[i + 1].startsWith('--')))
      values[spec.key] = true;
    else if (argv[i + 1] === undefined) throw new ConfigError(`option ${name} needs a value: ${spec.accepts}`);
    else values[spec.key] = argv[++i];
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
    const validate = validators.get(spec.key);
    if (!validate?.(holder) || (typeof raw === 'string' && raw.trim() === '' && spec.kind !== 'string')) {
      throw new ConfigError(
        `invalid value ${JSON.stringify(raw)} for ${envName(spec.key)} (${flagName(spec.key)}, from ${source}): accepts ${spec.accepts}`,
      );
    }
    out[spec.key] = holder.v;
  }
  const config = out as unknown as Config;
  checkTransportUrl(config.transport_url);
  checkTlsSettings(config);
  checkHttpTimeouts(config);
  return config;
}

/** The server's timeouts must nest: headers within the request, the RPC wait within the idle limit. */
function checkHttpTimeouts(c: Config): void {
  if (c.http_request_timeout < c.http_headers_timeout) {
    throw new ConfigError(
      `${envName('http_request_timeout')} (${c.http_request_timeout}) must be at least ${envName('http_headers_timeout')} (${c.http_headers_timeout}): the headers are part of the request`,
    );
  }
  if (c.http_idle_timeout !== 0 && c.http_idle_timeout <= c.rpc_response_timeout) {
    throw new ConfigError(
      `${envName('http_idle_timeout')} (${c.http_idle_timeout}) must be 0 or above ${envName('rpc_response_timeout')} (${c.rpc_response_timeout}): a client waiting for a conductor's answer sends and receives nothing meanwhile`,
    );
  }
}

/** The TLS settings that only make sense together (the files themselves are read by src/http/tls.ts). */
function checkTlsSettings(config: Config): void {
  const has = (key: keyof Config) => config[key] !== undefined && config[key] !== '';
  if (has('tls_cert_file') !== has('tls_key_file'))
    throw new ConfigError(
      `${envName('tls_cert_file')} and ${envName('tls_key_file')} go together: set both to serve HTTPS, or neither`,
    );
  if (has('tls_client_ca_file') && !has('tls_cert_file'))
    throw new ConfigError(
      `${envName('tls_client_ca_file')} (mutual TLS) needs HTTPS: set ${envName('tls_cert_file')} and ${envName('tls_key_file')}`,
    );
  if (config.tls_public_routes_open && !has('tls_client_ca_file'))
    throw new ConfigError(
      `${envName('tls_public_routes_open')} applies to mutual TLS only: set ${envName('tls_client_ca_file')}, or leave it false`,
    );
}

function checkTransportUrl(url: string): void {
  if (isMemoryUrl(url)) return;
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
