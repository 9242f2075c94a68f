/**
 * /v1/deploy_templates (1.55; ironic/api/controllers/v1/deploy_template.py @21.4). ironic-api
 * writes templates itself, and so does the gateway, through the indirection API:
 * DeployTemplate.list/get_by_uuid/get_by_name to read, `template.create()` and
 * `template.save()` (object_action) to write. Below 1.55 the router refuses (webob 404 for GET,
 * 405 otherwise, before anything else).
 *
 * DELETE has no path through the conductor on 21.4: DeployTemplate.destroy(self) takes no
 * context, so the conductor's object_action calls it with one too many arguments (TypeError),
 * and no RPC method deletes a template. Ironic 39.0 still declares destroy(self) (remotable
 * since object 1.2, which changes nothing for object_action), so no released conductor up to
 * 39.0 can do it. The gateway asks anyway (a conductor that can will delete the template), and
 * answers the TypeError with 501 saying why: never a 500, never a silent 204.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { DeployTemplateFields, IronicObject } from '../../conductor/objects.ts';
import { RemoteError } from '../../rpc/errors.ts';
import { HttpError } from '../errors.ts';
import { validateLimit, validateSortDir, validateSortKey } from '../api-utils/collection.ts';
import { detailNextLink, returnFields } from '../api-utils/detail-list.ts';
import { checkForInvalidFields } from '../api-utils/fields.ts';
import { checkUuidOrName, parseList } from '../api-utils/ident.ts';
import { classAction, getByUuidOrNameWithSuffix, listObjects, type LookupSpec } from '../api-utils/lookup.ts';
import { objectAction } from '../api-utils/object-actions.ts';
import { applyPatch, patchBodySchema, type PatchOp } from '../api-utils/patch.ts';
import {
  apiDateTime,
  dict,
  emptyResponse,
  errorResponses,
  linksOf,
  linksSchema,
  locationOf,
  maskSecrets,
  nullableDateTime,
} from '../api-utils/representation.ts';
import { collectionSchema, resourceSchema } from '../api-utils/resource.ts';
import { routerRefusal } from '../api-utils/router-gate.ts';
import { validateDeployStep, validateTemplate } from '../api-utils/steps-schema.ts';
import { ironicError } from '../../conductor/exceptions.ts';
import { route, type RouteDef } from '../route.ts';
import { MINOR_1_INITIAL_VERSION, MINOR_55_DEPLOY_TEMPLATES } from '../versions.ts';

const TAGS = ['deploy templates'];
const ERRORS = errorResponses(400, 404, 405, 406, 409, 501, 503);
const DEFAULT_FIELDS = ['uuid', 'name'] as const;
const PATCH_ALLOWED_FIELDS = ['extra', 'name', 'steps', 'description'];
const belowMinVersion = routerRefusal('The API version does not allow deploy templates');

const TEMPLATE_LOOKUP: LookupSpec<'DeployTemplate'> = {
  objname: 'DeployTemplate',
  notFound: 'DeployTemplateNotFound',
  notFoundMessage: (ident) => `Deploy template ${ident} could not be found.`,
  namesFrom: MINOR_1_INITIAL_VERSION,
};

const stepSchema = {
  type: 'object',
  properties: {
    interface: { type: 'string', enum: ['power', 'management', 'deploy', 'bios', 'raid'] },
    step: { type: 'string' },
    args: dict,
    priority: { type: 'integer' },
  },
} as const;

// in the order ironic-api writes them (the response serializer follows the schema's order)
const templateSchema = resourceSchema({
  created_at: nullableDateTime,
  updated_at: nullableDateTime,
  uuid: { type: 'string' },
  name: { type: 'string' },
  extra: dict,
  links: linksSchema,
  steps: { type: 'array', items: stepSchema },
});

const identParams = {
  type: 'object',
  properties: { template_ident: { type: 'string', description: 'deploy template uuid or name' } },
  required: ['template_ident'],
} as const;

const fieldsProp = { fields: { type: 'string', description: 'comma-separated fields to return' } } as const;

/** args.uuid_or_name on the path, then get_rpc_deploy_template_with_suffix. */
function getTemplate(request: FastifyRequest, ident: string): Promise<IronicObject<DeployTemplateFields>> {
  if (ident.length > 255 || !/^[A-Z0-9\-._~]+$/i.test(ident)) checkUuidOrName(ident, request);
  return getByUuidOrNameWithSuffix(request, TEMPLATE_LOOKUP, ident);
}

/** deploy_template.convert_with_links (args of the steps masked as mask_dict_password does). */
function templateBody(
  request: FastifyRequest,
  t: IronicObject<DeployTemplateFields>,
  fields?: readonly string[],
): Record<string, unknown> {
  const uuid = String(t.get('uuid'));
  const out: Record<string, unknown> = {
    created_at: apiDateTime(t.get('created_at')),
    updated_at: apiDateTime(t.get('updated_at')),
    uuid,
    name: t.get('name') ?? null,
    extra: t.get('extra') ?? {},
    links: linksOf(request, 'deploy_templates', uuid),
    steps: (t.get('steps') ?? []).map((s) => ({
      interface: s?.interface,
      step: s?.step,
      args: s?.args && typeof s.args === 'object' ? maskSecrets(s.args as Record<string, unknown>) : s?.args,
      priority: s?.priority,
    })),
  };
  if (fields === undefined) return out;
  checkForInvalidFields(fields, Object.keys(out));
  return Object.fromEntries(Object.entries(out).filter(([k]) => k === 'links' || fields.includes(k)));
}

function plainSteps(steps: unknown): Record<string, unknown>[] {
  return (steps as Record<string, unknown>[]).map((s) => ({
    interface: s.interface,
    step: s.step,
    args: s.args,
    priority: s.priority,
  }));
}

/** api_utils.patch_validate_allowed_fields. */
function checkPatchPaths(patch: readonly PatchOp[]): void {
  for (const p of patch) {
    if (!PATCH_ALLOWED_FIELDS.includes(p.path.split('/')[1]))
      throw ironicError(
        'Invalid',
        `Cannot patch ${p.path}. Only the following can be updated: ${PATCH_ALLOWED_FIELDS.join(', ')}`,
      );
  }
}

/** What a 21.4 conductor answers `template.destroy()` with: the refusal, in Ironic's format. */
function cannotDestroy(t: IronicObject<DeployTemplateFields>, err: RemoteError): HttpError {
  return new HttpError(
    501,
    `Deploy template ${String(t.get('uuid'))} was not deleted: the conductor cannot delete deploy templates for an API ` +
      `service without database access (${err.exc_type}: ${err.message}). Ironic's DeployTemplate.destroy() takes ` +
      'no context argument, so the object_action call the gateway makes fails on the conductor, and no conductor RPC ' +
      'method deletes a template. No conductor release up to Ironic 39.0 (2026.2) allows it; delete the template ' +
      'through an ironic-api that reaches the database. The template is unchanged.',
  );
}

export const deployTemplateRoutes: RouteDef[] = [
  route({
    method: 'GET',
    url: '/v1/deploy_templates',
    operationId: 'listDeployTemplates',
    belowMinVersion,
    minVersion: MINOR_55_DEPLOY_TEMPLATES,
    policy: 'baremetal:deploy_template:get',
    rpc: ['DeployTemplate.get_by_uuid', 'DeployTemplate.list'],
    status: 200,
    summary: 'List deploy templates (1.55)',
    tags: TAGS,
    schema: {
      querystring: {
        type: 'object',
        properties: {
          marker: { type: 'string', description: 'uuid of the last template of the previous page' },
          limit: { type: 'string' },
          sort_key: { type: 'string', description: 'default id; extra and steps can not be sorted on' },
          sort_dir: { type: 'string' },
          detail: { type: 'string', description: 'every field (not with fields)' },
          ...fieldsProp,
        },
        additionalProperties: false,
      },
      response: { 200: collectionSchema('deploy_templates', templateSchema), ...ERRORS },
    },
    handler: async (request) => {
      const q = request.query;
      if (q.marker !== undefined && (q.marker.length > 255 || !/^[A-Z0-9\-._~]+$/i.test(q.marker)))
        throw ironicError('InvalidParameterValue', `Expected name for marker: ${q.marker}`);
      const { fields, detail } = returnFields(request, q.fields, q.detail, DEFAULT_FIELDS);
      const limit = validateLimit(q.limit, request.server.gatewayConfig.max_limit);
      const sortDir = validateSortDir(q.sort_dir);
      const sortKey = validateSortKey(q.sort_key ?? 'id', ['extra', 'steps']);
      const marker = q.marker ? await classAction(request, 'DeployTemplate', 'get_by_uuid', [q.marker]) : null;
      const templates = await listObjects(request, 'DeployTemplate', 'list', [], {
        limit,
        marker,
        sort_key: sortKey,
        sort_dir: sortDir,
      });
      const body: Record<string, unknown> = {
        deploy_templates: templates.map((t) => templateBody(request, t, fields)),
      };
      const last = templates[templates.length - 1];
      const next = detailNextLink(request, 'deploy_templates', templates.length, limit, String(last?.get('uuid')), {
        sort_key: sortKey,
        sort_dir: sortDir,
        detail,
        fields,
      });
      if (next !== undefined) body.next = next;
      return body;
    },
  }),
  route({
    method: 'GET',
    url: '/v1/deploy_templates/:template_ident',
    operationId: 'showDeployTemplate',
    belowMinVersion,
    minVersion: MINOR_55_DEPLOY_TEMPLATES,
    policy: 'baremetal:deploy_template:get',
    rpc: ['DeployTemplate.get_by_uuid', 'DeployTemplate.get_by_name'],
    status: 200,
    summary: 'Show a deploy template (1.55)',
    tags: TAGS,
    schema: {
      params: identParams,
      querystring: { type: 'object', properties: fieldsProp, additionalProperties: false },
      response: { 200: templateSchema, ...ERRORS },
    },
    handler: async (request) => {
      const fields = request.query.fields === undefined ? undefined : parseList(request.query.fields);
      return templateBody(request, await getTemplate(request, request.params.template_ident), fields);
    },
  }),
  route({
    method: 'POST',
    url: '/v1/deploy_templates',
    operationId: 'createDeployTemplate',
    belowMinVersion,
    minVersion: MINOR_55_DEPLOY_TEMPLATES,
    policy: 'baremetal:deploy_template:create',
    rpc: ['DeployTemplate.create'],
    status: 201,
    summary: 'Create a deploy template (1.55): a trait name (CUSTOM_…) and its deploy steps',
    tags: TAGS,
    schema: {
      // checked by the handler, with ironic-api's messages (TEMPLATE_SCHEMA, api-utils/steps-schema.ts);
      // no `type` below the object, so that Fastify's type coercion can not accept what 21.4 refuses
      body: {
        type: 'object',
        properties: {
          name: { description: 'a trait (string): CUSTOM_[A-Z0-9_]+ or a standard trait' },
          steps: {
            description:
              'at least one deploy step {interface: power|management|deploy|bios|raid, step, args, priority}',
          },
          extra: { description: 'an object, or null' },
          uuid: { description: 'a UUID, or null' },
          description: { description: 'accepted and not stored, as 21.4 does' },
        },
      },
      response: { 201: templateSchema, ...ERRORS },
    },
    handler: async (request, reply) => {
      const body = validateTemplate('template', request.body);
      const uuid = typeof body.uuid === 'string' && body.uuid ? body.uuid : randomUUID();
      // `description` passes the schema and is dropped (DeployTemplate has no such field): 21.4 does
      // the same (reference §7 Q6), copied so that a client sending it is not refused
      const fields: Partial<DeployTemplateFields> = { uuid, name: body.name as string, steps: plainSteps(body.steps) };
      if (body.extra !== undefined) fields.extra = body.extra as DeployTemplateFields['extra'];
      const template = request.conductor.newObject('DeployTemplate', fields);
      await objectAction(request, template, 'create');
      reply.header('location', locationOf(request, `deploy_templates/${uuid}`));
      return templateBody(request, template);
    },
  }),
  route({
    method: 'PATCH',
    url: '/v1/deploy_templates/:template_ident',
    operationId: 'updateDeployTemplate',
    belowMinVersion,
    minVersion: MINOR_55_DEPLOY_TEMPLATES,
    policy: 'baremetal:deploy_template:update',
    rpc: ['DeployTemplate.get_by_uuid', 'DeployTemplate.get_by_name', 'DeployTemplate.save'],
    status: 200,
    summary: 'Update a deploy template (1.55, JSON Patch of name, steps, extra)',
    tags: TAGS,
    schema: { params: identParams, body: patchBodySchema, response: { 200: templateSchema, ...ERRORS } },
    handler: async (request) => {
      const patch = request.body;
      checkPatchPaths(patch);
      const template = await getTemplate(request, request.params.template_ident);
      const doc = template.toPlain();
      const patched: Record<string, unknown> = applyPatch(doc, patch);
      // patched_validate_with_schema: each step, then the template, keys outside the schemas dropped
      const steps = Array.isArray(patched.steps) ? (patched.steps as unknown[]) : [];
      for (const s of steps) {
        if (s && typeof s === 'object' && !Array.isArray(s))
          for (const k of Object.keys(s))
            if (!['args', 'interface', 'priority', 'step'].includes(k)) delete (s as Record<string, unknown>)[k];
        validateDeployStep('patch', s);
      }
      const candidate: Record<string, unknown> = {};
      for (const k of ['description', 'extra', 'name', 'steps', 'uuid'])
        if (Object.hasOwn(patched, k)) candidate[k] = patched[k];
      validateTemplate('patch', candidate);
      // patch_update_changed_fields: the object's fields the schema has, where they changed
      for (const f of ['name', 'steps', 'extra'] as const) {
        const v = f === 'steps' ? plainSteps(candidate.steps) : (candidate[f] ?? null);
        if (JSON.stringify(v) !== JSON.stringify(doc[f] ?? null)) template.set(f, v as never);
      }
      await objectAction(request, template, 'save');
      return templateBody(request, template);
    },
  }),
  route({
    method: 'DELETE',
    url: '/v1/deploy_templates/:template_ident',
    operationId: 'deleteDeployTemplate',
    belowMinVersion,
    minVersion: MINOR_55_DEPLOY_TEMPLATES,
    policy: 'baremetal:deploy_template:delete',
    rpc: ['DeployTemplate.get_by_uuid', 'DeployTemplate.get_by_name', 'DeployTemplate.destroy'],
    status: 204,
    summary:
      'Delete a deploy template (1.55): 501 on conductors up to Ironic 39.0, which cannot destroy one through the indirection API',
    tags: TAGS,
    schema: { params: identParams, response: { 204: emptyResponse, ...ERRORS } },
    handler: async (request) => {
      const template = await getTemplate(request, request.params.template_ident);
      try {
        await objectAction(request, template, 'destroy');
      } catch (err) {
        if (err instanceof RemoteError && err.exc_type === 'TypeError') throw cannotDestroy(template, err);
        throw err;
      }
      return undefined;
    },
  }),
];
