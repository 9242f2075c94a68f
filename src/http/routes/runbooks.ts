/**
 * /v1/runbooks (1.92; traits, description and relaxed names 1.112): ironic/api/controllers/v1/
 * runbook.py @39.0. ironic-api writes runbooks itself, and so does the gateway, through the
 * indirection API: one runbook is read with Runbook.list(filters uuid_in|name_in) (api-utils/
 * runbook.ts: a 39.0 conductor cannot answer Runbook.get_by_*), `runbook.create()` and
 * `runbook.save()` go out as object_action, the traits through RunbookTrait(List)'s class
 * methods. Below 1.92 the router refuses (webob 404 for GET, 405 otherwise, before anything
 * else); `…/traits` below 1.112 is webob 404.
 *
 * DELETE has no path through a conductor up to 39.0: Runbook.destroy(self) takes no context,
 * so object_action fails with TypeError (R17; 39.0's own ironic-api with use_rpc_for_database
 * answers 500). As for deploy templates, the gateway asks anyway and answers that TypeError with
 * 501 saying why.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { ironicError } from '../../conductor/exceptions.ts';
import type { RunbookFields } from '../../conductor/objects.ts';
import { RemoteError } from '../../rpc/errors.ts';
import { forbidden } from '../auth/failure.ts';
import type { PolicyRule } from '../auth/policy.ts';
import { HttpError } from '../errors.ts';
import { checkUuidOrName21, passes } from '../api-utils/allocation.ts';
import { validateLimit, validateSortDir, validateSortKey } from '../api-utils/collection.ts';
import { detailNextLink, returnFields } from '../api-utils/detail-list.ts';
import { checkForInvalidFields, hideFields } from '../api-utils/fields.ts';
import { parseBoolean, parseList } from '../api-utils/ident.ts';
import { classAction, listObjects } from '../api-utils/lookup.ts';
import { objectAction } from '../api-utils/object-actions.ts';
import { applyPatch, getPatchValues, patchBodySchema, type PatchOp } from '../api-utils/patch.ts';
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
  nullableString,
} from '../api-utils/representation.ts';
import { collectionSchema, resourceSchema } from '../api-utils/resource.ts';
import { routerRefusal, webobError } from '../api-utils/router-gate.ts';
import {
  checkRunbookPoliciesAndRetrieve,
  checkRunbookPolicyAndRetrieve,
  getRunbook,
  mayActOnRunbook,
  type Runbook,
  validateRunbook,
  validateRunbookStep,
  validateRunbookTrait,
} from '../api-utils/runbook.ts';
import { route, type RouteDef } from '../route.ts';
import { allowRunbookTraits, type Microversion, MINOR_112_RUNBOOK_TRAITS, MINOR_92_RUNBOOKS } from '../versions.ts';

const TAGS = ['runbooks'];
const ERRORS = errorResponses(400, 403, 404, 405, 406, 409, 501, 503);
const DEFAULT_FIELDS = ['uuid', 'name'] as const;
const PATCH_ALLOWED_BASE = ['disable_ramdisk', 'extra', 'name', 'owner', 'public', 'steps'];
const belowMinVersion = routerRefusal('The API version does not allow runbooks');

const stepSchema = {
  type: 'object',
  properties: {
    interface: { type: 'string' },
    step: { type: 'string' },
    args: dict,
    order: { type: ['integer', 'string'] },
  },
} as const;

// in the order ironic-api writes them (object_to_dict, then steps and traits)
const runbookSchema = resourceSchema({
  uuid: { type: 'string' },
  created_at: nullableDateTime,
  updated_at: nullableDateTime,
  name: { type: 'string' },
  extra: dict,
  public: { type: 'boolean' },
  owner: nullableString,
  disable_ramdisk: { type: 'boolean' },
  description: { ...nullableString, description: '1.112+' },
  links: linksSchema,
  steps: { type: 'array', items: stepSchema },
  traits: { type: 'array', items: { type: 'string' }, description: '1.112+' },
});

const identParams = {
  type: 'object',
  properties: { runbook_ident: { type: 'string', description: 'runbook uuid or name' } },
  required: ['runbook_ident'],
} as const;

const traitParams = {
  type: 'object',
  properties: { runbook_ident: { type: 'string' }, trait: { type: 'string' } },
  required: ['runbook_ident', 'trait'],
} as const;

const fieldsProp = { fields: { type: 'string', description: 'comma-separated fields to return' } } as const;

/** The `…/traits` sub-controller's gate: webob 404 below 1.112, whatever the method. */
function traitsBelowVersion(): Error {
  return webobError(404, 'The API version does not allow runbook traits');
}

/** args.uuid_or_name on the path, then the runbook under `rule` (check_runbook_policy_and_retrieve). */
function runbookFor(request: FastifyRequest, rule: PolicyRule, ident: string): Promise<Runbook> {
  checkUuidOrName21('runbook_ident', ident);
  return checkRunbookPolicyAndRetrieve(request, rule, ident);
}

/** Every API field of a runbook at the newest microversion (links excluded), in the order of its body. */
export const RUNBOOK_FIELDS: readonly string[] = [
  'uuid',
  'created_at',
  'updated_at',
  'name',
  'extra',
  'public',
  'owner',
  'disable_ramdisk',
  'description',
  'steps',
  'traits',
];

/** The runbook fields newer than runbooks (1.92), each with the microversion it appears from; runbookBody hides by it. */
export const RUNBOOK_FIELD_SINCE: Readonly<Record<string, Microversion>> = {
  description: MINOR_112_RUNBOOK_TRAITS,
  traits: MINOR_112_RUNBOOK_TRAITS,
};

/** runbook.convert_with_links: description and traits from 1.112 (RUNBOOK_FIELD_SINCE); step args masked. */
function runbookBody(request: FastifyRequest, rb: Runbook, fields?: readonly string[]): Record<string, unknown> {
  const uuid = String(rb.get('uuid'));
  const out: Record<string, unknown> = {
    uuid,
    created_at: apiDateTime(rb.get('created_at')),
    updated_at: apiDateTime(rb.get('updated_at')),
    name: rb.get('name') ?? null,
    extra: rb.get('extra') ?? {},
    public: rb.get('public') ?? false,
    owner: rb.get('owner') ?? null,
    disable_ramdisk: rb.get('disable_ramdisk') ?? false,
    description: rb.get('description') ?? null,
  };
  out.links = linksOf(request, 'runbooks', uuid);
  out.steps = (rb.get('steps') ?? []).map((s) => {
    const step: Record<string, unknown> = { interface: s?.interface, step: s?.step, args: s?.args };
    if (s && 'priority' in s) step.priority = s.priority;
    else if (s && 'order' in s) step.order = s.order;
    if (step.args && typeof step.args === 'object') step.args = maskSecrets(step.args as Record<string, unknown>);
    return step;
  });
  out.traits = rb.get('traits') ?? [];
  hideFields(out, { since: RUNBOOK_FIELD_SINCE, refuseBelow: [] }, request);
  if (fields === undefined) return out;
  checkForInvalidFields(fields, Object.keys(out));
  return Object.fromEntries(Object.entries(out).filter(([k]) => k === 'links' || fields.includes(k)));
}

/** Steps as the object stores them: interface, step, args, order. */
function plainSteps(steps: unknown): Record<string, unknown>[] {
  return (steps as Record<string, unknown>[]).map((s) => ({
    interface: s.interface,
    step: s.step,
    args: s.args ?? {},
    order: s.order,
  }));
}

function cannotDestroy(rb: Runbook, err: RemoteError): HttpError {
  return new HttpError(
    501,
    `Runbook ${String(rb.get('uuid'))} was not deleted: the conductor cannot delete runbooks for an API service ` +
      `without database access (${err.exc_type}: ${err.message}). Ironic's Runbook.destroy() takes no context ` +
      'argument, so the object_action call the gateway makes fails on the conductor, and no conductor RPC method ' +
      'deletes a runbook. No conductor release up to Ironic 39.0 (2026.2) allows it; delete the runbook through an ' +
      'ironic-api that reaches the database. The runbook is unchanged.',
  );
}

export const runbookRoutes: RouteDef[] = [
  route({
    method: 'GET',
    url: '/v1/runbooks',
    operationId: 'listRunbooks',
    belowMinVersion,
    minVersion: MINOR_92_RUNBOOKS,
    policy: 'baremetal:runbook:list',
    rpc: ['Runbook.list'],
    status: 200,
    summary: 'List runbooks (1.92)',
    tags: TAGS,
    schema: {
      querystring: {
        type: 'object',
        properties: {
          marker: { type: 'string', description: 'uuid of the last runbook of the previous page' },
          limit: { type: 'string' },
          sort_key: { type: 'string', description: 'default id; extra, steps and traits can not be sorted on' },
          sort_dir: { type: 'string' },
          detail: { type: 'string', description: 'every field (not with fields)' },
          project: {
            type: 'string',
            description: 'a boolean, as 39.0 validates it (R15); true lists public runbooks and the owner filter',
          },
          ...fieldsProp,
        },
        additionalProperties: false,
      },
      response: { 200: collectionSchema('runbooks', runbookSchema), ...ERRORS },
    },
    handler: async (request) => {
      const q = request.query;
      if (q.marker !== undefined && (q.marker.length > 255 || !/^[A-Z0-9\-._~]+$/i.test(q.marker)))
        throw ironicError('InvalidParameterValue', `Expected name for marker: ${q.marker}`);
      let project: boolean | undefined;
      try {
        project = q.project === undefined ? undefined : parseBoolean(q.project);
      } catch (err) {
        throw ironicError('InvalidParameterValue', `Invalid project: ${(err as Error).message}`);
      }
      // check_list_policy('runbook', project): 39.0 passes the *boolean* as the owner (R15,
      // copied): with list_all, `project=true` filters on owner == True OR public
      let owner: unknown = project || undefined;
      if (!passes(request, 'baremetal:runbook:list_all')) {
        const own = request.ctx.project_id;
        if (!own || (owner !== undefined && owner !== own)) throw forbidden('baremetal:runbook:list_all');
        owner = own;
      }
      const { fields, detail } = returnFields(request, q.fields, q.detail, DEFAULT_FIELDS);
      const limit = validateLimit(q.limit, request.server.gatewayConfig.max_limit);
      const sortDir = validateSortDir(q.sort_dir);
      const sortKey = validateSortKey(q.sort_key ?? 'id', ['extra', 'steps', 'traits']);
      const filters: Record<string, unknown> = {};
      if (owner !== undefined) filters.project = owner;
      let marker: unknown = null;
      if (q.marker) {
        // Runbook.get_by_uuid(marker) in 39.0 (which a 39.0 conductor cannot answer): the same
        // runbook through list(uuid_in), as the marker object
        const found = await listObjects(request, 'Runbook', 'list', [], { filters: { uuid_in: [q.marker] } });
        if (found[0] === undefined)
          throw ironicError('RunbookNotFound', `Runbook ${q.marker} could not be found.`, { runbook: q.marker });
        marker = found[0];
      }
      const runbooks = await listObjects(request, 'Runbook', 'list', [], {
        limit,
        marker,
        sort_key: sortKey,
        sort_dir: sortDir,
        filters,
      });
      const body: Record<string, unknown> = { runbooks: runbooks.map((r) => runbookBody(request, r, fields)) };
      const last = runbooks[runbooks.length - 1];
      const next = detailNextLink(request, 'runbooks', runbooks.length, limit, String(last?.get('uuid')), {
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
    url: '/v1/runbooks/:runbook_ident',
    operationId: 'showRunbook',
    belowMinVersion,
    minVersion: MINOR_92_RUNBOOKS,
    policy: 'baremetal:runbook:get',
    rpc: ['Runbook.list'],
    status: 200,
    summary: 'Show a runbook (1.92): the caller project’s, or any public one',
    tags: TAGS,
    schema: {
      params: identParams,
      querystring: { type: 'object', properties: fieldsProp, additionalProperties: false },
      response: { 200: runbookSchema, ...ERRORS },
    },
    handler: async (request) => {
      const ident = request.params.runbook_ident;
      checkUuidOrName21('runbook_ident', ident);
      const fields = request.query.fields === undefined ? undefined : parseList(request.query.fields);
      const rb = await getRunbook(request, ident);
      // runbook:get on its owner, else check_and_retrieve_public_runbook
      if (!mayActOnRunbook(request, 'baremetal:runbook:get', rb.get('owner')) && rb.get('public') !== true)
        throw forbidden('baremetal:runbook:get');
      return runbookBody(request, rb, fields);
    },
  }),
  route({
    method: 'POST',
    url: '/v1/runbooks',
    operationId: 'createRunbook',
    belowMinVersion,
    minVersion: MINOR_92_RUNBOOKS,
    policy: 'baremetal:runbook:create',
    rpc: ['Runbook.create'],
    status: 201,
    summary: 'Create a runbook (1.92): a name (a trait below 1.112) and its clean/service steps',
    tags: TAGS,
    schema: {
      // checked by the handler with ironic-api's messages (RUNBOOK_SCHEMA, api-utils/runbook.ts)
      body: {
        type: 'object',
        properties: {
          name: { description: 'below 1.112 a trait (CUSTOM_…); from 1.112 [A-Za-z0-9-._~]{1,255}' },
          steps: { description: 'at least one step {interface, step, args, order}' },
          disable_ramdisk: { description: 'a boolean, or null' },
          extra: { description: 'an object, or null' },
          public: { description: 'a boolean, or null' },
          owner: { description: 'a project id (at most 255), or null' },
          uuid: { description: 'a UUID, or null' },
          description: { description: '1.112+: at most 255 characters, or null' },
        },
      },
      response: { 201: runbookSchema, ...ERRORS },
    },
    handler: async (request, reply) => {
      const body = { ...validateRunbook('runbook', request.body, allowRunbookTraits(request)) };
      // the owner rules of a caller that is not system scoped (39.0's post)
      if (request.ctx.system_scope !== 'all') {
        const project = request.ctx.project_id || null;
        if (body.owner && body.owner !== project)
          throw ironicError(
            'Invalid',
            'Cannot create a runbook as a project scoped admin with an owner other than your own project.',
          );
        if (project && body.public)
          throw ironicError('Invalid', 'Cannot create a public runbook as a project scoped admin.');
        body.owner = project;
      }
      const uuid = typeof body.uuid === 'string' && body.uuid ? body.uuid : randomUUID();
      const fields: Partial<RunbookFields> = {
        uuid,
        name: body.name as string,
        steps: plainSteps(body.steps),
        disable_ramdisk: (body.disable_ramdisk as boolean | null | undefined) ?? false,
        traits: [],
      };
      if (body.extra !== undefined) fields.extra = body.extra as RunbookFields['extra'];
      if (body.public !== undefined && body.public !== null) fields.public = body.public as boolean;
      if (body.owner !== undefined) fields.owner = body.owner as string | null;
      if (body.description !== undefined) fields.description = body.description as string | null;
      const rb = request.conductor.newObject('Runbook', fields);
      await objectAction(request, rb, 'create');
      reply.header('location', locationOf(request, `runbooks/${uuid}`));
      return runbookBody(request, rb);
    },
  }),
  route({
    method: 'PATCH',
    url: '/v1/runbooks/:runbook_ident',
    operationId: 'updateRunbook',
    belowMinVersion,
    minVersion: MINOR_92_RUNBOOKS,
    policy: 'baremetal:runbook:get',
    rpc: ['Runbook.list', 'Runbook.save'],
    status: 200,
    summary:
      'Update a runbook (1.92, JSON Patch of name, steps, disable_ramdisk, extra, owner, public; description 1.112)',
    tags: TAGS,
    schema: { params: identParams, body: patchBodySchema, response: { 200: runbookSchema, ...ERRORS } },
    handler: async (request) => {
      const ident = request.params.runbook_ident;
      checkUuidOrName21('runbook_ident', ident);
      const patch: readonly PatchOp[] = request.body;
      const allowedFields = allowRunbookTraits(request) ? [...PATCH_ALLOWED_BASE, 'description'] : PATCH_ALLOWED_BASE;
      for (const p of patch)
        if (!allowedFields.includes(p.path.split('/')[1]))
          throw ironicError(
            'Invalid',
            `Cannot patch ${p.path}. Only the following can be updated: ${allowedFields.join(', ')}`,
          );
      // attribute-specific rules: /owner and /public, runbook:update for anything else
      const rules: PolicyRule[] = [];
      let generic = false;
      for (const p of patch) {
        if (p.path.startsWith('/owner')) rules.push('baremetal:runbook:update:owner');
        else if (p.path.startsWith('/public')) rules.push('baremetal:runbook:update:public');
        else generic = true;
      }
      if (generic || rules.length === 0) rules.push('baremetal:runbook:update');
      const rb = await checkRunbookPoliciesAndRetrieve(request, rules, ident);
      const original: Record<string, unknown> = rb.toPlain();
      const doc: Record<string, unknown> = { ...original };
      const owner = getPatchValues(patch, '/owner');
      const pub = getPatchValues(patch, '/public');
      if (owner.length > 0 && owner[0]) {
        const publicValue = pub.length > 0 ? pub[0] : false;
        if ((doc.public && pub.length === 0) || publicValue)
          throw ironicError(
            'PatchError',
            `Couldn't apply patch '${JSON.stringify(patch)}'. Reason: There cannot be an owner for a public runbook`,
          );
      }
      if (pub.length > 0) doc.owner = null;
      const patched: Record<string, unknown> = applyPatch(doc, patch);
      const steps = Array.isArray(patched.steps) ? (patched.steps as unknown[]) : [];
      for (const s of steps) {
        if (s && typeof s === 'object' && !Array.isArray(s))
          for (const k of Object.keys(s))
            if (!['args', 'interface', 'order', 'step'].includes(k)) delete (s as Record<string, unknown>)[k];
        validateRunbookStep('patch', s);
      }
      const candidate: Record<string, unknown> = {};
      for (const k of ['uuid', 'name', 'steps', 'disable_ramdisk', 'extra', 'public', 'owner', 'description'])
        if (Object.hasOwn(patched, k)) candidate[k] = patched[k];
      // the 1.112 mutation schema whatever the version (39.0: names created at 1.112 stay patchable)
      validateRunbook('patch', candidate, true);
      for (const f of ['name', 'steps', 'disable_ramdisk', 'extra', 'public', 'owner', 'description'] as const) {
        const v = f === 'steps' ? plainSteps(candidate.steps) : (candidate[f] ?? null);
        if (JSON.stringify(v) !== JSON.stringify(original[f] ?? null)) rb.set(f, v as never);
      }
      await objectAction(request, rb, 'save');
      return runbookBody(request, rb);
    },
  }),
  route({
    method: 'DELETE',
    url: '/v1/runbooks/:runbook_ident',
    operationId: 'deleteRunbook',
    belowMinVersion,
    minVersion: MINOR_92_RUNBOOKS,
    policy: 'baremetal:runbook:delete',
    rpc: ['Runbook.list', 'Runbook.destroy'],
    status: 204,
    summary:
      'Delete a runbook (1.92): 501 on conductors up to Ironic 39.0, which cannot destroy one through the indirection API',
    tags: TAGS,
    schema: { params: identParams, response: { 204: emptyResponse, ...ERRORS } },
    handler: async (request) => {
      const rb = await runbookFor(request, 'baremetal:runbook:delete', request.params.runbook_ident);
      try {
        await objectAction(request, rb, 'destroy');
      } catch (err) {
        if (err instanceof RemoteError && err.exc_type === 'TypeError') throw cannotDestroy(rb, err);
        throw err;
      }
      return undefined;
    },
  }),
  // ---- traits (1.112)
  route({
    method: 'GET',
    url: '/v1/runbooks/:runbook_ident/traits',
    operationId: 'listRunbookTraits',
    belowMinVersion,
    minVersion: MINOR_92_RUNBOOKS,
    policy: 'baremetal:runbook:get',
    rpc: ['Runbook.list'],
    status: 200,
    summary: 'List the traits of a runbook (1.112)',
    tags: TAGS,
    schema: {
      params: identParams,
      response: {
        200: { type: 'object', properties: { traits: { type: 'array', items: { type: 'string' } } } },
        ...ERRORS,
      },
    },
    handler: async (request) => {
      if (!allowRunbookTraits(request)) throw traitsBelowVersion();
      const rb = await checkRunbookPolicyAndRetrieve(request, 'baremetal:runbook:get', request.params.runbook_ident);
      return { traits: rb.get('traits') ?? [] };
    },
  }),
  route({
    method: 'PUT',
    url: '/v1/runbooks/:runbook_ident/traits',
    operationId: 'setRunbookTraits',
    belowMinVersion,
    minVersion: MINOR_92_RUNBOOKS,
    policy: 'baremetal:runbook:update',
    rpc: ['Runbook.list', 'RunbookTraitList.create'],
    status: 204,
    summary: 'Replace the traits of a runbook (1.112): {"traits": [...]}',
    tags: TAGS,
    schema: {
      params: identParams,
      body: { type: 'object', properties: { traits: { description: 'a list of traits' } } },
      response: { 204: emptyResponse, ...ERRORS },
    },
    handler: async (request) => {
      if (!allowRunbookTraits(request)) throw traitsBelowVersion();
      const body: unknown = request.body;
      const traits = checkTraitsBody(body);
      const rb = await checkRunbookPolicyAndRetrieve(request, 'baremetal:runbook:update', request.params.runbook_ident);
      if (traits === undefined) throw singleOrAll();
      await classAction(request, 'RunbookTraitList', 'create', [rb.get('id'), traits]);
      return undefined;
    },
  }),
  route({
    method: 'PUT',
    url: '/v1/runbooks/:runbook_ident/traits/:trait',
    operationId: 'addRunbookTrait',
    belowMinVersion,
    minVersion: MINOR_92_RUNBOOKS,
    policy: 'baremetal:runbook:update',
    rpc: ['Runbook.list', 'RunbookTrait.create'],
    status: 204,
    summary: 'Add one trait to a runbook (1.112), no body',
    tags: TAGS,
    schema: { params: traitParams, response: { 204: emptyResponse, ...ERRORS } },
    handler: async (request, reply) => {
      if (!allowRunbookTraits(request)) throw traitsBelowVersion();
      const { runbook_ident: ident, trait } = request.params;
      validateRunbookTrait('trait', trait);
      const body: unknown = request.body;
      const listed = checkTraitsBody(body);
      const rb = await checkRunbookPolicyAndRetrieve(request, 'baremetal:runbook:update', ident);
      if (listed !== undefined) throw singleOrAll();
      if (body !== undefined && body !== null && body !== '' && Object.keys(body as object).length > 0)
        throw ironicError('Invalid', 'No body should be provided when adding a trait');
      const obj = request.conductor.newObject('RunbookTrait', { runbook_id: rb.get('id'), trait });
      await objectAction(request, obj, 'create');
      reply.header('location', locationOf(request, `runbooks/${ident}/traits/${trait}`));
      return undefined;
    },
  }),
  route({
    method: 'DELETE',
    url: '/v1/runbooks/:runbook_ident/traits',
    operationId: 'removeRunbookTraits',
    belowMinVersion,
    minVersion: MINOR_92_RUNBOOKS,
    policy: 'baremetal:runbook:update',
    rpc: ['Runbook.list', 'RunbookTraitList.destroy'],
    status: 204,
    summary: 'Remove every trait of a runbook (1.112)',
    tags: TAGS,
    schema: { params: identParams, response: { 204: emptyResponse, ...ERRORS } },
    handler: async (request) => {
      if (!allowRunbookTraits(request)) throw traitsBelowVersion();
      const rb = await checkRunbookPolicyAndRetrieve(request, 'baremetal:runbook:update', request.params.runbook_ident);
      await classAction(request, 'RunbookTraitList', 'destroy', [rb.get('id')]);
      return undefined;
    },
  }),
  route({
    method: 'DELETE',
    url: '/v1/runbooks/:runbook_ident/traits/:trait',
    operationId: 'removeRunbookTrait',
    belowMinVersion,
    minVersion: MINOR_92_RUNBOOKS,
    policy: 'baremetal:runbook:update',
    rpc: ['Runbook.list', 'RunbookTrait.destroy'],
    status: 204,
    summary: 'Remove one trait of a runbook (1.112); a trait it does not have is a no-op',
    tags: TAGS,
    schema: { params: traitParams, response: { 204: emptyResponse, ...ERRORS } },
    handler: async (request) => {
      if (!allowRunbookTraits(request)) throw traitsBelowVersion();
      const { runbook_ident: ident, trait } = request.params;
      const rb = await checkRunbookPolicyAndRetrieve(request, 'baremetal:runbook:update', ident);
      try {
        await classAction(request, 'RunbookTrait', 'destroy', [rb.get('id'), trait]);
      } catch (err) {
        if (!(err instanceof RemoteError && err.exc_type === 'RunbookTraitNotFound')) throw err;
      }
      return undefined;
    },
  }),
];

/** RUNBOOK_TRAITS_SCHEMA on the body: `{"traits": [trait, …]}`, nothing else; undefined without `traits`. */
function checkTraitsBody(body: unknown): string[] | undefined {
  if (body === undefined || body === null || body === '') return undefined;
  if (typeof body !== 'object' || Array.isArray(body))
    throw ironicError(
      'InvalidParameterValue',
      `Schema error for body: ${JSON.stringify(body)} is not of type 'object'`,
    );
  const b = body as Record<string, unknown>;
  const extra = Object.keys(b).filter((k) => k !== 'traits');
  if (extra.length)
    throw ironicError(
      'InvalidParameterValue',
      `Schema error for body: Additional properties are not allowed (${extra.map((k) => `'${k}'`).join(', ')} was unexpected)`,
    );
  if (!('traits' in b)) return undefined;
  if (!Array.isArray(b.traits))
    throw ironicError(
      'InvalidParameterValue',
      `Schema error for body: ${JSON.stringify(b.traits)} is not of type 'array'`,
    );
  for (const t of b.traits) validateRunbookTrait('body', t);
  return b.traits as string[];
}

function singleOrAll(): Error {
  return ironicError(
    'Invalid',
    'A single runbook trait may be added via PUT /v1/runbooks/<runbook identifier>/traits/<trait> with no body, ' +
      'or all runbook traits may be replaced via PUT /v1/runbooks/<runbook identifier>/traits with the list of ' +
      'traits specified in the request body.',
  );
}
