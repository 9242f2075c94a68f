/**
 * A node's virtual media (1.89 attach and detach, 1.93 GET; RPC 1.59 and 1.61) and firmware
 * components (1.86; vendor, model and serial_number 1.114), as ironic-api 39.0 serves them
 * (ironic/api/controllers/v1/node.py NodeVmediaController, firmware.py NodeFirmwareController).
 *
 * Attach and detach are fire-and-forget: the conductor answers once it has spawned the work,
 * whose success or failure only shows in the node's last_error and history. GET is synchronous
 * and answers the driver's own value (redfish: a list of `{media_types, inserted, image}`) as
 * the top-level JSON value, which is what Metal3's baremetal-operator decodes.
 */
import { ironicError, pyRepr } from '../../../conductor/exceptions.ts';
import type { FirmwareComponentFields, IronicObject } from '../../../conductor/objects.ts';
import { classAction, getRpcNode, nodeAndTopic } from '../../api-utils/lookup.ts';
import { apiDateTime, emptyResponse, nullableDateTime, nullableString } from '../../api-utils/representation.ts';
import {
  checkArguments,
  checkNodeIdentRouted,
  stringListArg,
  subresourceBelowVersion,
} from '../../api-utils/subresources.ts';
import { route, type RouteDef } from '../../route.ts';
import { own } from '../../../own.ts';
import {
  allowFirmwareIdentity,
  allowGetVmedia,
  allows,
  type Microversion,
  MINOR_114_FIRMWARE_IDENTITY,
  MINOR_86_FIRMWARE_INTERFACE,
  MINOR_89_ATTACH_DETACH_VMEDIA,
} from '../../versions.ts';
import { NODE_ERRORS, TAGS, identOf, nodeIdentParams } from './common.ts';

/** boot_devices.VMEDIA_DEVICES, in its order (the messages list them so). */
export const VMEDIA_DEVICES = ['disk', 'cdrom', 'floppy'] as const;

/** image_publisher.VMEDIA_SUPPORTED_URL_SCHEMES */
const VMEDIA_URL_SCHEMES = ['http', 'https', 'nfs', 'cifs', 'smb'];

const IMAGE_DOWNLOAD_SOURCES = ['http', 'local', 'swift'];

const VMEDIA_PROPERTIES = ['device_type', 'image_url', 'image_download_source'];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** python-jsonschema's `type` message for a JSON value. */
const notOfType = (v: unknown, type: string): string => `${pyRepr(v)} is not of type '${type}'`;

/**
 * VMEDIA_ATTACH_VALIDATOR through args.schema: `Schema error for vmedia: <message>`, the message
 * jsonschema's best_match picks (an error on the body itself before one on a property; among
 * those, in the schema's keyword order: required, then additionalProperties).
 */
function checkVmediaBody(body: unknown): asserts body is {
  device_type: string;
  image_url: string;
  image_download_source?: string;
} {
  const fail = (message: string): never => {
    throw ironicError('InvalidParameterValue', `Schema error for vmedia: ${message}`);
  };
  // a missing body is None, which args.schema lets through and the controller then fails on
  // (500 TypeError in ironic-api): answered here as the schema's type error
  if (!isObject(body)) return fail(notOfType(body ?? null, 'object'));
  for (const r of ['device_type', 'image_url'])
    if (!Object.hasOwn(body, r)) fail(`${pyRepr(r)} is a required property`);
  const extra = Object.keys(body).filter((k) => !VMEDIA_PROPERTIES.includes(k));
  if (extra.length > 0)
    fail(
      `Additional properties are not allowed (${extra.map(pyRepr).join(', ')} ${extra.length === 1 ? 'was' : 'were'} unexpected)`,
    );
  if (typeof body.device_type !== 'string') fail(notOfType(body.device_type, 'string'));
  if (!(VMEDIA_DEVICES as readonly string[]).includes(body.device_type as string))
    fail(`${pyRepr(body.device_type)} is not one of ${pyRepr([...VMEDIA_DEVICES])}`);
  if (typeof body.image_url !== 'string') fail(notOfType(body.image_url, 'string'));
  const source = body.image_download_source;
  if (source !== undefined) {
    if (typeof source !== 'string') fail(notOfType(source, 'string'));
    if (!IMAGE_DOWNLOAD_SOURCES.includes(source as string))
      fail(`${pyRepr(source)} is not one of ${pyRepr(IMAGE_DOWNLOAD_SOURCES)}`);
  }
}

/** urllib.parse.urlparse(url).scheme: letters, digits, `+-.` before the first `:`, starting with a letter; lower-cased. */
function urlScheme(url: string): string {
  const m = /^([A-Za-z][A-Za-z0-9+\-.]*):/.exec(url);
  return m ? m[1].toLowerCase() : '';
}

/** FirmwareComponent's fields shown by default (_DEFAULT_RETURN_FIELDS), and the 1.114 ones (_IDENTITY_FIELDS). */
const FIRMWARE_DEFAULT_FIELDS = ['component', 'initial_version', 'current_version', 'last_version_flashed'] as const;
const FIRMWARE_IDENTITY_FIELDS = ['vendor', 'model', 'serial_number'] as const;
/** The `fields` enum of 39.0's firmware index_request_query, in its order: every field of a component. */
export const FIRMWARE_QUERY_FIELDS = [
  'created_at',
  'updated_at',
  ...FIRMWARE_DEFAULT_FIELDS,
  ...FIRMWARE_IDENTITY_FIELDS,
] as const;

/**
 * The firmware component fields newer than node firmware (1.86), each with the microversion it
 * appears from: the identity fields (1.114, allow_firmware_identity). The defaults are kept by it.
 */
export const FIRMWARE_FIELD_SINCE: Readonly<Record<string, Microversion>> = Object.fromEntries(
  FIRMWARE_IDENTITY_FIELDS.map((f) => [f, MINOR_114_FIRMWARE_IDENTITY]),
);

const firmwareSchema = {
  type: 'object',
  properties: {
    created_at: nullableDateTime,
    updated_at: nullableDateTime,
    component: { type: 'string', description: 'bios, bmc, or a NIC (nic:…)' },
    initial_version: nullableString,
    current_version: nullableString,
    last_version_flashed: nullableString,
    vendor: { ...nullableString, description: '1.114' },
    model: { ...nullableString, description: '1.114' },
    serial_number: { ...nullableString, description: '1.114' },
  },
  required: ['created_at', 'updated_at'],
  additionalProperties: false,
} as const;

/**
 * The fields firmware's get_all returns: the request's (each in the schema's enum), else the
 * defaults (identity fields from 1.114; naming one below 1.114 is refused).
 *
 * 39.0 bug copied (reference §7 R10): `detail` is never converted from its query string, and
 * the schema wants a JSON boolean, so any `?detail=` is 400 `Schema error: 'true' is not of
 * type 'boolean'`. Copied: a detail that worked would be behaviour 39.0 does not have.
 */
function firmwareFields(
  request: Parameters<typeof allowFirmwareIdentity>[0],
  fields: string[] | undefined,
  detail: string | undefined,
): readonly string[] {
  if (fields !== undefined) {
    const bad = fields.find((f) => !(FIRMWARE_QUERY_FIELDS as readonly string[]).includes(f));
    if (bad !== undefined)
      throw ironicError(
        'InvalidParameterValue',
        `Schema error: ${pyRepr(bad)} is not one of ${pyRepr([...FIRMWARE_QUERY_FIELDS])}`,
      );
  }
  if (detail !== undefined) throw ironicError('InvalidParameterValue', `Schema error: ${notOfType(detail, 'boolean')}`);
  const identity = allowFirmwareIdentity(request);
  if (!identity && fields !== undefined) {
    const disallowed = fields.filter((f) => (FIRMWARE_IDENTITY_FIELDS as readonly string[]).includes(f)).sort();
    if (disallowed.length > 0)
      throw ironicError(
        'InvalidParameterValue',
        `Fields ${disallowed.join(', ')} are not allowed in this API version. They require at least API version 1.${MINOR_114_FIRMWARE_IDENTITY}.`,
      );
  }
  if (fields !== undefined) return fields;
  // the defaults, the identity's from 1.114 (FIRMWARE_FIELD_SINCE)
  return [...FIRMWARE_DEFAULT_FIELDS, ...FIRMWARE_IDENTITY_FIELDS].filter((f) => {
    const since = own(FIRMWARE_FIELD_SINCE, f);
    return since === undefined || allows(request, since);
  });
}

/** api_utils.object_to_dict(include_uuid=False, fields=…): the timestamps, then the fields. */
function firmwareToDict(component: IronicObject<FirmwareComponentFields>, fields: readonly string[]) {
  const data = component.toPlain() as Record<string, unknown>;
  const out: Record<string, unknown> = {
    created_at: apiDateTime(data.created_at),
    updated_at: apiDateTime(data.updated_at),
  };
  for (const f of fields) {
    if (f === 'created_at' || f === 'updated_at') continue;
    out[f] = data[f] ?? null;
  }
  return out;
}

export const vmediaRoutes: RouteDef[] = [
  route({
    method: 'GET',
    url: '/v1/nodes/:node_ident/vmedia',
    operationId: 'showNodeVirtualMedia',
    minVersion: MINOR_89_ATTACH_DETACH_VMEDIA,
    belowMinVersion: subresourceBelowVersion,
    policy: 'baremetal:node:vmedia:get',
    rpc: ['Node.get_by_name', 'Node.get_by_uuid', 'get_topic_for', 'get_virtual_media'],
    status: 200,
    summary:
      "Show a node's virtual media devices (1.93): the driver's answer as it is (redfish: a list of " +
      '{media_types, inserted, image}); fake-hardware does not support it (400)',
    tags: TAGS,
    schema: {
      params: nodeIdentParams,
      response: {
        200: { description: "The management interface's answer (redfish: a list of {media_types, inserted, image})" },
        ...NODE_ERRORS,
      },
    },
    handler: async (request) => {
      checkNodeIdentRouted(request);
      // the vmedia router exists from 1.89, its GET from 1.93: below, pecan.abort(404) in the method
      if (!allowGetVmedia(request)) throw ironicError('NotFound', 'The resource could not be found.');
      const { node, topic } = await nodeAndTopic(request, identOf(request), true);
      return request.conductor.get_virtual_media(request.ctx, String(node.get('uuid')), topic);
    },
  }),
  route({
    method: 'POST',
    url: '/v1/nodes/:node_ident/vmedia',
    operationId: 'attachNodeVirtualMedia',
    minVersion: MINOR_89_ATTACH_DETACH_VMEDIA,
    belowMinVersion: subresourceBelowVersion,
    policy: 'baremetal:node:vmedia:attach',
    rpc: ['Node.get_by_name', 'Node.get_by_uuid', 'get_topic_for', 'attach_virtual_media'],
    status: 204,
    summary:
      'Attach a virtual media device to a node (1.89), in the background: a failure shows in last_error and the ' +
      "node's history. image_download_source is validated but, as in ironic-api 39.0, never sent to the conductor",
    tags: TAGS,
    schema: {
      params: nodeIdentParams,
      // documented shape only: the handler checks the body with args.schema's words (VMEDIA_ATTACH_VALIDATOR)
      body: {
        type: 'object',
        properties: {
          device_type: { description: 'disk, cdrom or floppy (required)' },
          image_url: { description: 'http, https, nfs, cifs or smb URL of the image (required)' },
          image_download_source: { description: 'http, local or swift (validated, then not sent on, as by 39.0)' },
        },
        additionalProperties: true,
      },
      response: { 204: emptyResponse, ...NODE_ERRORS },
    },
    handler: async (request) => {
      checkNodeIdentRouted(request);
      checkArguments(request.query, []);
      const body: unknown = request.body;
      checkVmediaBody(body);
      const scheme = urlScheme(body.image_url);
      if (!VMEDIA_URL_SCHEMES.includes(scheme))
        throw ironicError('Invalid', `Unsupported or missing URL scheme: ${scheme}`);
      const { node, topic } = await nodeAndTopic(request, identOf(request), true);
      // 39.0 bug copied (reference §7 R11): rpcapi.attach_virtual_media never sends
      // image_download_source, so the conductor always uses 'local'. Sending it would need an RPC
      // argument the 39.0 client does not send; kept identical on the wire.
      await request.conductor.attach_virtual_media(
        request.ctx,
        String(node.get('uuid')),
        body.device_type,
        body.image_url,
        topic,
      );
    },
  }),
  route({
    method: 'DELETE',
    url: '/v1/nodes/:node_ident/vmedia',
    operationId: 'detachNodeVirtualMedia',
    minVersion: MINOR_89_ATTACH_DETACH_VMEDIA,
    belowMinVersion: subresourceBelowVersion,
    policy: 'baremetal:node:vmedia:detach',
    rpc: ['Node.get_by_name', 'Node.get_by_uuid', 'get_topic_for', 'detach_virtual_media'],
    status: 204,
    summary: 'Detach virtual media devices from a node (1.89): those of device_types, or all, in the background',
    tags: TAGS,
    schema: {
      params: nodeIdentParams,
      querystring: {
        type: 'object',
        properties: {
          device_types: { type: 'string', description: 'comma-separated: disk, cdrom, floppy (default: all)' },
        },
        additionalProperties: true,
      },
      response: { 204: emptyResponse, ...NODE_ERRORS },
    },
    handler: async (request) => {
      checkNodeIdentRouted(request);
      checkArguments(request.query, ['device_types']);
      const types = stringListArg(request.query.device_types);
      if (types?.length) {
        const invalid = types.filter((t) => !(VMEDIA_DEVICES as readonly string[]).includes(t));
        if (invalid.length > 0)
          throw ironicError(
            'Invalid',
            `Invalid device type(s) ${invalid.join(', ')} (valid are ${VMEDIA_DEVICES.join(', ')})`,
          );
      }
      const { node, topic } = await nodeAndTopic(request, identOf(request), true);
      await request.conductor.detach_virtual_media(request.ctx, String(node.get('uuid')), types ?? null, topic);
    },
  }),
  route({
    method: 'GET',
    url: '/v1/nodes/:node_ident/firmware',
    operationId: 'listNodeFirmwareComponents',
    minVersion: MINOR_86_FIRMWARE_INTERFACE,
    belowMinVersion: subresourceBelowVersion,
    policy: 'baremetal:node:firmware:get',
    rpc: ['Node.get_by_name', 'Node.get_by_uuid', 'FirmwareComponentList.get_by_node_id'],
    status: 200,
    summary:
      "List a node's firmware components (1.86; vendor, model and serial_number 1.114). `detail` is refused, " +
      'as by ironic-api 39.0',
    tags: TAGS,
    schema: {
      params: nodeIdentParams,
      querystring: {
        type: 'object',
        properties: {
          fields: { type: 'string', description: 'comma-separated fields to return' },
          detail: { type: 'string', description: 'refused whatever its value (ironic-api 39.0)' },
        },
        additionalProperties: true,
      },
      response: {
        200: {
          type: 'object',
          properties: { firmware: { type: 'array', items: firmwareSchema } },
          required: ['firmware'],
        },
        ...NODE_ERRORS,
      },
    },
    handler: async (request) => {
      checkNodeIdentRouted(request);
      checkArguments(request.query, ['detail', 'fields']);
      const requested = stringListArg(request.query.fields);
      const fields = firmwareFields(request, requested, request.query.detail);
      const node = await getRpcNode(request, identOf(request));
      const list = (await classAction(request, 'FirmwareComponentList', 'get_by_node_id', [
        node.get('id'),
      ])) as IronicObject<{ objects?: IronicObject<FirmwareComponentFields>[] }> | null;
      return { firmware: (list?.get('objects') ?? []).map((c) => firmwareToDict(c, fields)) };
    },
  }),
];
