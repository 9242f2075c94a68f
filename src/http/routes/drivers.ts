/**
 * /v1/drivers: the drivers the live conductors offer, their properties, RAID logical disk
 * properties and driver-level vendor passthru (ironic/api/controllers/v1/driver.py @10.1.0).
 *
 * ironic-api reads driver membership from its database; the gateway has none and reads the
 * live conductors (`Conductor.list` through the indirection API, those heard from within the
 * heartbeat timeout) instead. Every driver a conductor lists is reported as a hardware type
 * (`dynamic`); the per-interface defaults and enabled lists of `detail` are not on the RPC
 * surface and are reported as null.
 */
import type { FastifyRequest } from 'fastify';
import { ironicError } from '../../conductor/exceptions.ts';
import { IronicObject, type ConductorFields } from '../../conductor/objects.ts';
import { parseBoolean, parseList } from '../api-utils/ident.ts';
import { checkForInvalidFields } from '../api-utils/fields.ts';
import { baseUrl, resourceLinks } from '../links.ts';
import { route, type RouteDef, type WithParams } from '../route.ts';
import { classAction } from '../api-utils/lookup.ts';
import { dict, errorResponses, linksSchema } from '../api-utils/representation.ts';
import { withStatus } from '../api-utils/object-actions.ts';
import {
  allowDynamicDrivers,
  allowRaidConfig,
  MINOR_14_LINKS_NODESTATES_DRIVERPROPERTIES,
  MINOR_30_DYNAMIC_DRIVERS,
  MINOR_33_STORAGE_INTERFACE,
  MINOR_38_RESCUE_INTERFACE,
  type Microversion,
  needsVersion,
  notAcceptable,
} from '../versions.ts';
import { allowDriverFieldsSelector, allows, MINOR_40_BIOS_INTERFACE } from '../versions.ts';
import { sendVendorResult, vendorMethodOf } from '../api-utils/passthru.ts';
import {
  activeHardwareTypes,
  hardwareTypeInterfaces,
  hasConductorClassMethods,
  type HardwareInterfaceRow,
} from '../api-utils/conductor-methods.ts';
import { MINOR_86_FIRMWARE_INTERFACE } from '../versions.ts';
import { hideFields } from '../api-utils/fields.ts';

/** Seconds after which a silent conductor no longer counts (Ironic's [conductor]heartbeat_timeout). */
const HEARTBEAT_TIMEOUT_S = 60;

/** The hardware interfaces of a driver, in Ironic's order (drivers.base.ALL_INTERFACES; bios from 1.40). */
const INTERFACES = [
  'bios',
  'boot',
  'console',
  'deploy',
  'firmware', // 1.86 (issue 15, slice nodes)
  'inspect',
  'management',
  'network',
  'power',
  'raid',
  'rescue',
  'storage',
  'vendor',
] as const;

const TAGS = ['drivers'];

/**
 * The interfaces a microversion newer than the dynamic drivers (1.30) brought, with it
 * (driver.py's hide_fields_in_newer_versions: allow_storage_interface, allow_rescue_interface,
 * allow_bios_interface, allow_firmware_interface).
 */
const INTERFACE_SINCE: Readonly<Partial<Record<(typeof INTERFACES)[number], Microversion>>> = {
  bios: MINOR_40_BIOS_INTERFACE,
  firmware: MINOR_86_FIRMWARE_INTERFACE,
  rescue: MINOR_38_RESCUE_INTERFACE,
  storage: MINOR_33_STORAGE_INTERFACE,
};

const interfaceFields = (iface: string): [string, string] => [
  `default_${iface}_interface`,
  `enabled_${iface}_interfaces`,
];

/** Every field of a driver's API representation at the newest microversion (links excluded), in its order. */
export const DRIVER_FIELDS: readonly string[] = ['name', 'hosts', 'type', ...INTERFACES.flatMap(interfaceFields)];

/**
 * The driver fields newer than 1.1, each with the microversion it appears from: `type` and the
 * interfaces of a detailed answer with the dynamic drivers (1.30), the newer interfaces at theirs.
 * driverBody hides by it.
 */
export const DRIVER_FIELD_SINCE: Readonly<Record<string, Microversion>> = {
  type: MINOR_30_DYNAMIC_DRIVERS,
  ...Object.fromEntries(
    INTERFACES.flatMap((iface) =>
      interfaceFields(iface).map((f) => [f, INTERFACE_SINCE[iface] ?? MINOR_30_DYNAMIC_DRIVERS]),
    ),
  ),
};

/** The links of a driver besides `links`, with the microversion each appears from. */
export const DRIVER_LINK_VERSIONS: Readonly<Record<string, Microversion>> = {
  properties: MINOR_14_LINKS_NODESTATES_DRIVERPROPERTIES,
};

/**
 * driver name → the hostnames of the live conductors that have it, sorted: 39.0's
 * Conductor.get_active_hardware_type_dict when the gateway's Conductor version has it (the
 * conductor decides which are active: online and within its heartbeat timeout), else the
 * conductors listed and filtered here.
 */
async function activeDrivers(request: FastifyRequest): Promise<Map<string, string[]>> {
  if (hasConductorClassMethods(request)) {
    const types = await activeHardwareTypes(request);
    return new Map([...types].sort(([a], [b]) => a.localeCompare(b)).map(([d, hosts]) => [d, [...hosts].sort()]));
  }
  const list = await classAction(request, 'Conductor', 'list', []);
  const deadline = Date.now() - HEARTBEAT_TIMEOUT_S * 1000;
  const drivers = new Map<string, Set<string>>();
  for (const c of Array.isArray(list) ? list : []) {
    if (!(c instanceof IronicObject)) continue;
    const conductor = c as IronicObject<ConductorFields>;
    const seen = conductor.get('updated_at') ?? conductor.get('created_at');
    if (seen) {
      const t = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(seen) ? seen : `${seen}Z`);
      if (!Number.isNaN(t) && t < deadline) continue;
    }
    for (const d of conductor.get('drivers') ?? []) {
      const hosts = drivers.get(d) ?? new Set<string>();
      drivers.set(d, hosts);
      hosts.add(String(conductor.get('hostname')));
    }
  }
  return new Map([...drivers].sort(([a], [b]) => a.localeCompare(b)).map(([d, hosts]) => [d, [...hosts].sort()]));
}

/**
 * Driver.convert_with_links for a hardware type, with the fields of the request's microversion.
 * With the conductors' interface rows (Conductor 1.5) the detail's default and enabled
 * interfaces are the real ones, firmware among them from 1.86; without, they are null.
 */
function driverBody(
  request: FastifyRequest,
  name: string,
  hosts: string[],
  detail: boolean,
  interfaces?: readonly HardwareInterfaceRow[],
): Record<string, unknown> {
  const base = baseUrl(request);
  const body: Record<string, unknown> = { name, hosts, links: resourceLinks(base, `drivers/${name}`) };
  for (const [link, since] of Object.entries(DRIVER_LINK_VERSIONS))
    if (allows(request, since)) body[link] = resourceLinks(base, `drivers/${name}/${link}`);
  // only dynamic drivers (hardware types) from 1.30; `type` and the interfaces hidden below it
  body.type = 'dynamic';
  if (detail)
    for (const iface of INTERFACES) {
      const [defaultKey, enabledKey] = interfaceFields(iface);
      if (interfaces === undefined) {
        body[defaultKey] = null;
        body[enabledKey] = null;
        continue;
      }
      const rows = interfaces.filter((r) => r.hardware_type === name && r.interface_type === iface);
      body[defaultKey] = rows.find((r) => r.default)?.interface_name ?? null;
      body[enabledKey] = [...new Set(rows.map((r) => r.interface_name))];
    }
  hideFields(body, { since: DRIVER_FIELD_SINCE, refuseBelow: [] }, request);
  return body;
}

/** The interface rows a detailed answer needs (Conductor 1.5), or undefined (null interfaces). */
async function interfacesFor(
  request: FastifyRequest,
  names: readonly string[],
  detail: boolean,
): Promise<HardwareInterfaceRow[] | undefined> {
  if (!detail || !allowDynamicDrivers(request) || !hasConductorClassMethods(request) || names.length === 0)
    return undefined;
  return hardwareTypeInterfaces(request, names);
}

/**
 * `?fields=` (1.77; driver.py's _check_allow_driver_fields: 406 below) and driver_sanitize: the
 * fields asked for and links kept, then any asked for that the driver does not show is 400.
 */
function driverFields(request: FastifyRequest, raw: string | undefined): string[] | undefined {
  const fields = raw === undefined ? undefined : parseList(raw);
  if (fields !== undefined && !allowDriverFieldsSelector(request)) throw notAcceptable();
  return fields;
}

function sanitizeDriver(body: Record<string, unknown>, fields: readonly string[] | undefined): Record<string, unknown> {
  if (fields === undefined) return body;
  const out = Object.fromEntries(Object.entries(body).filter(([k]) => k === 'links' || fields.includes(k)));
  checkForInvalidFields(fields, Object.keys(out));
  return out;
}

/** The conductor topic for a driver, then the RPC: the shape of every /v1/drivers/{name}/… call. */
async function onDriver<T>(
  request: WithParams<{ driver_name: string }>,
  fn: (topic: string, name: string) => Promise<T>,
): Promise<T> {
  const name = request.params.driver_name;
  const topic = await request.conductor.get_topic_for_driver(name);
  return fn(topic, name);
}

const nameParams = {
  type: 'object',
  properties: { driver_name: { type: 'string', description: 'driver (hardware type) name' } },
  required: ['driver_name'],
} as const;

const nameMethodParams = {
  type: 'object',
  properties: { ...nameParams.properties, method: { type: 'string', description: 'the vendor method' } },
  required: ['driver_name', 'method'],
} as const;

/** A detailed driver's default and enabled interfaces (null without the conductors' interface rows). */
const interfaceProperties = Object.fromEntries(
  INTERFACES.flatMap((iface) => {
    const [defaultKey, enabledKey] = interfaceFields(iface);
    const since = `1.${DRIVER_FIELD_SINCE[defaultKey]}+, detail`;
    return [
      [defaultKey, { type: ['string', 'null'], description: `the default ${iface} interface (${since})` }],
      [
        enabledKey,
        {
          type: ['array', 'null'],
          items: { type: 'string' },
          description: `the enabled ${iface} interfaces (${since})`,
        },
      ],
    ];
  }),
) as Record<string, { type: readonly string[] }>;

const driverSchema = {
  type: 'object',
  additionalProperties: true,
  properties: {
    name: { type: 'string' },
    hosts: { type: 'array', items: { type: 'string' } },
    type: { type: 'string', description: '1.30+' },
    links: linksSchema,
    properties: { ...linksSchema, description: '1.14+' },
    ...interfaceProperties,
  },
} as const;

const ERRORS = errorResponses(400, 404, 406, 503);

const PASSTHRU_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

export const driverRoutes: RouteDef[] = [
  route({
    method: 'GET',
    url: '/v1/drivers',
    operationId: 'listDrivers',
    policy: 'baremetal:driver:get',
    // Conductor 1.5 (Ironic 32.0): get_active_hardware_type_dict and, for ?detail,
    // list_hardware_type_interfaces_dict; Conductor.list before
    rpc: ['Conductor.list', 'Conductor.get_active_hardware_type_dict', 'Conductor.list_hardware_type_interfaces_dict'],
    status: 200,
    summary: 'List the drivers of the live conductors',
    tags: TAGS,
    schema: {
      querystring: {
        type: 'object',
        properties: {
          type: { type: 'string', description: '`classic` or `dynamic` (1.30+)' },
          detail: { type: 'string', description: 'include the interface fields (1.30+)' },
          fields: { type: 'string', description: 'comma-separated fields to return (1.77+, not with detail)' },
        },
      },
      response: { 200: { type: 'object', properties: { drivers: { type: 'array', items: driverSchema } } }, ...ERRORS },
    },
    handler: async (request) => {
      const q = request.query;
      const detail = q.detail === undefined ? undefined : parseBoolean(q.detail);
      const requested = q.fields === undefined ? undefined : parseList(q.fields);
      if (requested?.length && detail)
        throw ironicError('InvalidParameterValue', 'Can not specify ?detail=True and fields in the same request.');
      if ((detail !== undefined || q.type !== undefined) && !allowDynamicDrivers(request))
        throw needsVersion(MINOR_30_DYNAMIC_DRIVERS);
      if (q.type !== undefined && q.type !== 'classic' && q.type !== 'dynamic') {
        throw ironicError('Invalid', '"type" filter must be one of "classic" or "dynamic", if specified.');
      }
      const fields = driverFields(request, q.fields);
      // every driver the conductors list is a hardware type: none is classic
      const drivers = q.type === 'classic' ? new Map<string, string[]>() : await activeDrivers(request);
      const interfaces = await interfacesFor(request, [...drivers.keys()], detail ?? false);
      return {
        drivers: [...drivers].map(([name, hosts]) =>
          sanitizeDriver(driverBody(request, name, hosts, detail ?? false, interfaces), fields),
        ),
      };
    },
  }),
  route({
    method: 'GET',
    url: '/v1/drivers/:driver_name',
    operationId: 'showDriver',
    policy: 'baremetal:driver:get',
    rpc: ['Conductor.list', 'Conductor.get_active_hardware_type_dict', 'Conductor.list_hardware_type_interfaces_dict'],
    status: 200,
    summary: 'Show one driver',
    tags: TAGS,
    schema: {
      params: nameParams,
      querystring: {
        type: 'object',
        properties: { fields: { type: 'string', description: 'comma-separated fields to return (1.77+)' } },
      },
      response: { 200: driverSchema, ...ERRORS },
    },
    handler: async (request) => {
      const name = request.params.driver_name;
      const fields = driverFields(request, request.query.fields);
      const hosts = (await activeDrivers(request)).get(name);
      if (!hosts)
        throw ironicError('DriverNotFound', `Could not find the following driver(s) or hardware type(s): ${name}.`, {
          driver_name: name,
        });
      const interfaces = await interfacesFor(request, [name], true);
      return sanitizeDriver(driverBody(request, name, hosts, true, interfaces), fields);
    },
  }),
  route({
    method: 'GET',
    url: '/v1/drivers/:driver_name/properties',
    operationId: 'showDriverProperties',
    policy: 'baremetal:driver:get_properties',
    rpc: ['get_topic_for_driver', 'get_driver_properties'],
    status: 200,
    summary: "The driver's node properties (driver_info keys) and their descriptions",
    tags: TAGS,
    schema: { params: nameParams, response: { 200: dict, ...ERRORS } },
    handler: (request) =>
      onDriver(request, (topic, name) => request.conductor.get_driver_properties(request.ctx, name, topic)),
  }),
  route({
    method: 'GET',
    url: '/v1/drivers/:driver_name/raid/logical_disk_properties',
    operationId: 'showDriverRaidLogicalDiskProperties',
    policy: 'baremetal:driver:get_raid_logical_disk_properties',
    rpc: ['get_topic_for_driver', 'get_raid_logical_disk_properties'],
    status: 200,
    summary: 'The logical disk properties the driver accepts in a RAID configuration (1.12+)',
    tags: TAGS,
    schema: { params: nameParams, response: { 200: dict, ...ERRORS } },
    handler: async (request) => {
      // ironic-api answers 406 here below MINOR_12_RAID_CONFIG, not 404
      if (!allowRaidConfig(request)) throw notAcceptable();
      // RAID is an optional interface: a driver without it is "not found" (404), not a bad request
      return onDriver(request, (topic, name) =>
        withStatus(
          request.conductor.get_raid_logical_disk_properties(request.ctx, name, topic),
          ['UnsupportedDriverExtension'],
          404,
        ),
      );
    },
  }),
  route({
    method: 'GET',
    url: '/v1/drivers/:driver_name/vendor_passthru/methods',
    operationId: 'listDriverVendorMethods',
    policy: 'baremetal:driver:vendor_passthru',
    rpc: ['get_topic_for_driver', 'get_driver_vendor_passthru_methods'],
    status: 200,
    summary: "The driver's vendor passthru methods and their metadata",
    tags: TAGS,
    schema: { params: nameParams, response: { 200: dict, ...ERRORS } },
    handler: (request) =>
      onDriver(request, (topic, name) =>
        request.conductor.get_driver_vendor_passthru_methods(request.ctx, name, topic),
      ),
  }),
  ...PASSTHRU_METHODS.flatMap((m) =>
    [false, true].map(
      (inPath): RouteDef =>
        route({
          method: m,
          url: `/v1/drivers/:driver_name/vendor_passthru${inPath ? '/:method' : ''}`,
          operationId: `${inPath ? 'callDriverVendorMethod' : 'callDriverVendorPassthru'}${m.charAt(0)}${m.slice(1).toLowerCase()}`,
          policy: 'baremetal:driver:vendor_passthru',
          rpc: ['get_topic_for_driver', 'driver_vendor_passthru'],
          status: 200,
          summary: `Call a driver vendor method with ${m} (${inPath ? 'the method in the path' : '`?method=`'}): 202 when asynchronous, the raw body when it attaches a file`,
          tags: TAGS,
          schema: {
            params: inPath ? nameMethodParams : nameParams,
            querystring: {
              type: 'object',
              properties: { method: { type: 'string', description: 'the vendor method' } },
            },
            ...(m === 'GET' || m === 'DELETE' ? {} : { body: { description: "the method's arguments" } }),
            response: { 200: {}, 202: {}, ...ERRORS },
          },
          handler: async (request, reply) => {
            const method = vendorMethodOf(
              'method' in request.params && typeof request.params.method === 'string'
                ? request.params.method
                : undefined,
              request.query.method,
            );
            const info = request.body ?? {};
            const result = await onDriver(request, (topic, name) =>
              request.conductor.driver_vendor_passthru(request.ctx, name, method, m, info, topic),
            );
            return sendVendorResult(reply, result);
          },
        }),
    ),
  ),
];
