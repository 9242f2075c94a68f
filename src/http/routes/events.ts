/**
 * POST /v1/events (1.54; ironic/api/controllers/v1/event.py @21.4): Neutron's port events.
 * 21.4 only validates and logs them (LOG.debug): no RPC, no database. The gateway does the same.
 * Order as 21.4: the body is validated first (a bad body is 400 at any version), then the
 * version (NotFound below 1.54, faultstring shape), then the policy.
 */
import { ironicError } from '../../conductor/exceptions.ts';
import { isUuidLike } from '../api-utils/ident.ts';
import { emptyResponse, errorResponses } from '../api-utils/representation.ts';
import { pyRepr } from '../../conductor/exceptions.ts';
import { route, type RouteDef } from '../route.ts';
import { allowExposeEvents } from '../versions.ts';

const EVENT_TYPES = ['network.bind_port', 'network.unbind_port', 'network.delete_port'];
const STRING_FIELDS = ['event', 'port_id', 'mac_address', 'status'];
const NULLABLE_FIELDS = ['device_id', 'binding:host_id', 'binding:vnic_type'];
const MAC_RE = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;

const schemaError = (message: string): Error =>
  ironicError('InvalidParameterValue', `Schema error for evts: ${message}`);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** EVENTS_SCHEMA, then each event's NETWORK_EVENT_VALIDATOR (schema, then uuid and MAC values). */
function validateEvents(body: unknown): Record<string, unknown>[] {
  if (!isObject(body)) throw schemaError(`${pyRepr(body)} is not of type 'object'`);
  if (!Object.hasOwn(body, 'events')) throw schemaError("'events' is a required property");
  const extra = Object.keys(body).filter((k) => k !== 'events');
  if (extra.length)
    throw schemaError(`Additional properties are not allowed (${extra.map(pyRepr).join(', ')} was unexpected)`);
  const events = body.events;
  if (!Array.isArray(events)) throw schemaError(`${pyRepr(events)} is not of type 'array'`);
  if (events.length < 1) throw schemaError(`${pyRepr(events)} is too short`);
  for (const e of events) {
    if (!isObject(e)) throw schemaError(`${pyRepr(e)} is not of type 'object'`);
    if (!Object.hasOwn(e, 'event')) throw schemaError("'event' is a required property");
    if (typeof e.event !== 'string') throw schemaError(`${pyRepr(e.event)} is not of type 'string'`);
    if (!EVENT_TYPES.includes(e.event)) throw schemaError(`${pyRepr(e.event)} is not one of ${pyRepr(EVENT_TYPES)}`);
  }
  for (const e of events as Record<string, unknown>[]) {
    for (const f of STRING_FIELDS) if (!Object.hasOwn(e, f)) throw schemaError(`${pyRepr(f)} is a required property`);
    const unknown = Object.keys(e).filter((k) => !STRING_FIELDS.includes(k) && !NULLABLE_FIELDS.includes(k));
    if (unknown.length)
      throw schemaError(`Additional properties are not allowed (${unknown.map(pyRepr).join(', ')} was unexpected)`);
    for (const f of STRING_FIELDS)
      if (typeof e[f] !== 'string') throw schemaError(`${pyRepr(e[f])} is not of type 'string'`);
    for (const f of NULLABLE_FIELDS)
      if (e[f] !== undefined && e[f] !== null && typeof e[f] !== 'string')
        throw schemaError(`${pyRepr(e[f])} is not of type 'string', 'null'`);
    for (const f of ['port_id', 'device_id', 'binding:host_id'])
      if (typeof e[f] === 'string' && !isUuidLike(e[f]))
        throw ironicError('InvalidParameterValue', `Expected UUID for ${f}: ${String(e[f])}`);
    if (!MAC_RE.test(String(e.mac_address)))
      throw ironicError(
        'InvalidParameterValue',
        `Expected valid MAC address for mac_address: ${String(e.mac_address)}`,
      );
    e.mac_address = String(e.mac_address).toLowerCase();
  }
  return events as Record<string, unknown>[];
}

export const eventRoutes: RouteDef[] = [
  route({
    method: 'POST',
    url: '/v1/events',
    operationId: 'createEvents',
    policy: 'baremetal:events:post',
    rpc: [],
    status: 204,
    summary: 'Post Neutron port events (1.54): validated and logged, as ironic-api 21.4 does',
    tags: ['events'],
    schema: {
      // validated by the handler with ironic-api's messages; no `type` below the object (no coercion)
      body: {
        type: 'object',
        properties: {
          events: {
            description:
              'at least one {event: network.bind_port|network.unbind_port|network.delete_port, port_id, mac_address, status, device_id?, binding:host_id?, binding:vnic_type?}',
          },
        },
      },
      response: { 204: emptyResponse, ...errorResponses(400, 404) },
    },
    handler: async (request) => {
      const events = validateEvents(request.body);
      if (!allowExposeEvents(request)) throw ironicError('NotFound', 'Resource could not be found.');
      for (const e of events) request.log.debug({ event: e }, 'Received external event');
      return undefined;
    },
  }),
];
