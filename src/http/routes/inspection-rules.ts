/**
 * /v1/inspection_rules (1.96): ironic/api/controllers/v1/inspection_rule.py @39.0, written by
 * ironic-api itself through the indirection API: InspectionRule.list / get_by_uuid to read,
 * `rule.create()` and `rule.save()` (object_action) to write. Below 1.96 the version check
 * answers in the faultstring shape: 404 for GET, 405 otherwise.
 *
 * Copied from 39.0: `links` point at `/v1/inspection/<uuid>` and `next` at
 * `/v1/inspection?filters={…}&…` (R7; link_resource='inspection'), and `?phase=` filters nothing
 * (R8): clients comparing with ironic-api see the same answers. Fixed: POST without `conditions`
 * answers 201 with `"conditions": []` (39.0 creates the rule and answers 500, R9).
 *
 * DELETE has no path through a conductor up to 39.0 (InspectionRule.destroy(self) takes no
 * context, R17): answered 501 saying why, as deploy templates and runbooks.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { ironicError } from '../../conductor/exceptions.ts';
import type { InspectionRuleFields, IronicObject } from '../../conductor/objects.ts';
import { RemoteError } from '../../rpc/errors.ts';
import { HttpError } from '../errors.ts';
import { baseUrl } from '../links.ts';
import { validateLimit, validateSortDir, validateSortKey } from '../api-utils/collection.ts';
import { returnFields } from '../api-utils/detail-list.ts';
import { checkForInvalidFields } from '../api-utils/fields.ts';
import { isUuidLike, parseList } from '../api-utils/ident.ts';
import { convertItems, validateInspectionRule } from '../api-utils/inspection-rule.ts';
import { classAction, listObjects } from '../api-utils/lookup.ts';
import { getObject, objectAction } from '../api-utils/object-actions.ts';
import { applyPatch, getPatchValues, type PatchOp } from '../api-utils/patch.ts';
import {
  apiDateTime,
  emptyResponse,
  errorResponses,
  linksOf,
  linksSchema,
  locationOf,
  nullableDateTime,
  nullableString,
} from '../api-utils/representation.ts';
import { collectionSchema, resourceSchema } from '../api-utils/resource.ts';
import { route, type RouteDef } from '../route.ts';
import { MINOR_96_INSPECTION_RULES } from '../versions.ts';

type Rule = IronicObject<InspectionRuleFields>;

const TAGS = ['inspection rules'];
const ERRORS = errorResponses(400, 404, 405, 406, 409, 501, 503);
const DEFAULT_FIELDS = ['uuid', 'priority', 'phase', 'description'] as const;
const GATE_MESSAGE = 'The API version does not allow inspection rules';

/** @validation.api_version: a faultstring 404 for GET, 405 (HTTPMethodNotAllowed) for the writes. */
const belowMinVersion = (request: FastifyRequest): Error =>
  new HttpError(request.method === 'GET' || request.method === 'HEAD' ? 404 : 405, GATE_MESSAGE);

const itemSchema = { type: 'object', additionalProperties: true } as const;
const nullableItems = { type: ['array', 'null'], items: itemSchema } as const;

// object_to_dict's order, then links
const ruleSchema = resourceSchema({
  uuid: { type: 'string' },
  created_at: nullableDateTime,
  updated_at: nullableDateTime,
  description: nullableString,
  priority: { type: 'integer' },
  sensitive: { type: 'boolean' },
  phase: nullableString,
  conditions: { ...nullableItems, description: 'null when the rule is sensitive' },
  actions: { ...nullableItems, description: 'null when the rule is sensitive' },
  links: linksSchema,
});

const uuidParams = {
  type: 'object',
  properties: { inspection_rule_uuid: { type: 'string', description: 'inspection rule uuid' } },
  required: ['inspection_rule_uuid'],
} as const;

/** request_parameter_schema `format: uuid` (the new validation's message). */
function checkRuleUuid(uuid: string): void {
  if (!isUuidLike(uuid)) throw ironicError('InvalidParameterValue', `Schema error: '${uuid}' is not a 'uuid'`);
}

function getRule(request: FastifyRequest, uuid: string): Promise<Rule> {
  return getObject(request, 'InspectionRule', 'get_by_uuid', uuid);
}

/** convert_with_links, then rules_sanitize: a sensitive rule shows no conditions nor actions. */
function ruleBody(request: FastifyRequest, rule: Rule, fields?: readonly string[]): Record<string, unknown> {
  const uuid = String(rule.get('uuid'));
  const out: Record<string, unknown> = {
    uuid,
    created_at: apiDateTime(rule.get('created_at')),
    updated_at: apiDateTime(rule.get('updated_at')),
    description: rule.get('description') ?? null,
    priority: rule.get('priority') ?? 0,
    sensitive: rule.get('sensitive') ?? false,
    phase: rule.get('phase') ?? null,
    conditions: convertItems(rule.get('conditions'), true),
    actions: convertItems(rule.get('actions'), false),
    links: linksOf(request, 'inspection', uuid),
  };
  if (fields !== undefined) checkForInvalidFields(fields, Object.keys(out));
  if (out.sensitive) {
    out.conditions = null;
    out.actions = null;
  }
  if (fields === undefined) return out;
  return Object.fromEntries(Object.entries(out).filter(([k]) => k === 'links' || fields.includes(k)));
}

function cannotDestroy(rule: Rule, err: RemoteError): HttpError {
  return new HttpError(
    501,
    `Inspection rule ${String(rule.get('uuid'))} was not deleted: the conductor cannot delete inspection rules for an ` +
      `API service without database access (${err.exc_type}: ${err.message}). Ironic's InspectionRule.destroy() ` +
      'takes no context argument, so the object_action call the gateway makes fails on the conductor, and no ' +
      'conductor RPC method deletes a rule. No conductor release up to Ironic 39.0 (2026.2) allows it; delete the ' +
      'rule through an ironic-api that reaches the database. The rule is unchanged.',
  );
}

/** The fields of a rule body the object stores. */
const RULE_FIELDS = ['description', 'priority', 'sensitive', 'phase', 'actions', 'conditions'] as const;

export const inspectionRuleRoutes: RouteDef[] = [
  route({
    method: 'GET',
    url: '/v1/inspection_rules',
    operationId: 'listInspectionRules',
    belowMinVersion,
    minVersion: MINOR_96_INSPECTION_RULES,
    policy: 'baremetal:inspection_rule:get',
    rpc: ['InspectionRule.get_by_uuid', 'InspectionRule.list'],
    status: 200,
    summary: 'List inspection rules (1.96)',
    tags: TAGS,
    schema: {
      querystring: {
        type: 'object',
        properties: {
          marker: { type: 'string', description: 'uuid of the last rule of the previous page' },
          limit: { type: 'string' },
          sort_key: { type: 'string', description: 'default id; actions and conditions can not be sorted on' },
          sort_dir: { type: 'string' },
          detail: { type: 'string', description: 'every field (not with fields)' },
          phase: { type: 'string', description: 'accepted and not applied, as 39.0 does (R8)' },
          fields: { type: 'string', description: 'comma-separated fields to return' },
        },
        additionalProperties: false,
      },
      response: { 200: collectionSchema('inspection_rules', ruleSchema), ...ERRORS },
    },
    handler: async (request) => {
      const q = request.query;
      const { fields, detail } = returnFields(request, q.fields, q.detail, DEFAULT_FIELDS);
      const limit = validateLimit(q.limit, request.server.gatewayConfig.max_limit);
      const sortDir = validateSortDir(q.sort_dir);
      const sortKey = validateSortKey(q.sort_key ?? 'id', ['actions', 'conditions']);
      const marker = q.marker ? await classAction(request, 'InspectionRule', 'get_by_uuid', [q.marker]) : null;
      const rules = await listObjects(request, 'InspectionRule', 'list', [], {
        limit,
        marker,
        sort_key: sortKey,
        sort_dir: sortDir,
      });
      const body: Record<string, unknown> = { inspection_rules: rules.map((r) => ruleBody(request, r, fields)) };
      if (rules.length > 0 && rules.length === limit) {
        // collection.get_next with 39.0's kwargs: filters (a Python dict) first (R7, copied)
        let args = `filters=${q.phase ? `{'phase': '${q.phase}'}` : '{}'}&sort_key=${sortKey}&sort_dir=${sortDir}&`;
        if (detail !== undefined) args += `detail=${detail ? 'True' : 'False'}&`;
        if (fields && fields.length > 0) args += `fields=${fields.join(',')}&`;
        const last = String(rules[rules.length - 1].get('uuid'));
        body.next = `${baseUrl(request)}/v1/inspection?${args}limit=${limit}&marker=${last}`;
      }
      return body;
    },
  }),
  route({
    method: 'GET',
    url: '/v1/inspection_rules/:inspection_rule_uuid',
    operationId: 'showInspectionRule',
    belowMinVersion,
    minVersion: MINOR_96_INSPECTION_RULES,
    policy: 'baremetal:inspection_rule:get',
    rpc: ['InspectionRule.get_by_uuid'],
    status: 200,
    summary: 'Show an inspection rule (1.96)',
    tags: TAGS,
    schema: {
      params: uuidParams,
      querystring: {
        type: 'object',
        properties: { fields: { type: 'string', description: 'comma-separated fields to return' } },
        additionalProperties: false,
      },
      response: { 200: ruleSchema, ...ERRORS },
    },
    handler: async (request) => {
      checkRuleUuid(request.params.inspection_rule_uuid);
      const fields = request.query.fields === undefined ? undefined : parseList(request.query.fields);
      return ruleBody(request, await getRule(request, request.params.inspection_rule_uuid), fields);
    },
  }),
  route({
    method: 'POST',
    url: '/v1/inspection_rules',
    operationId: 'createInspectionRule',
    belowMinVersion,
    minVersion: MINOR_96_INSPECTION_RULES,
    policy: 'baremetal:inspection_rule:create',
    rpc: ['InspectionRule.create'],
    status: 201,
    summary: 'Create an inspection rule (1.96): actions, conditions, priority, phase (main), sensitive',
    tags: TAGS,
    schema: {
      // checked by the handler with ironic-api's messages (api-utils/inspection-rule.ts)
      body: {
        type: 'object',
        properties: {
          actions: { description: 'at least one {op, args[, loop]}' },
          conditions: { description: '{op (or !op), args[, multiple, loop]}' },
          description: { description: 'at most 255 characters, or null' },
          phase: { description: "'main'" },
          priority: { description: 'an integer 0–9999' },
          sensitive: { description: 'a boolean, or null' },
          uuid: { description: 'a UUID, or null' },
        },
      },
      response: { 201: ruleSchema, ...ERRORS },
    },
    handler: async (request, reply) => {
      const body = validateInspectionRule('inspection_rule', request.body);
      const uuid = typeof body.uuid === 'string' && body.uuid ? body.uuid : randomUUID();
      const fields: Partial<InspectionRuleFields> = { uuid };
      for (const f of RULE_FIELDS)
        if (body[f] !== undefined && body[f] !== null) (fields as Record<string, unknown>)[f] = body[f];
      // R9 fixed: a rule without conditions is stored and answered with none
      if (fields.conditions === undefined) fields.conditions = [];
      const rule = request.conductor.newObject('InspectionRule', fields);
      await objectAction(request, rule, 'create');
      reply.header('location', locationOf(request, `inspection_rules/${uuid}`));
      return ruleBody(request, rule);
    },
  }),
  route({
    method: 'PATCH',
    url: '/v1/inspection_rules/:inspection_rule_uuid',
    operationId: 'updateInspectionRule',
    belowMinVersion,
    minVersion: MINOR_96_INSPECTION_RULES,
    policy: 'baremetal:inspection_rule:update',
    rpc: ['InspectionRule.get_by_uuid', 'InspectionRule.save'],
    status: 200,
    summary: 'Update an inspection rule (1.96, JSON Patch); the sensitive flag cannot be unset',
    tags: TAGS,
    schema: {
      params: uuidParams,
      body: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            op: { type: 'string', enum: ['add', 'replace', 'remove'] },
            path: { type: 'string' },
            value: {},
          },
          required: ['op', 'path'],
          additionalProperties: false,
        },
      },
      response: { 200: ruleSchema, ...ERRORS },
    },
    handler: async (request) => {
      const uuid = request.params.inspection_rule_uuid;
      if (!isUuidLike(uuid))
        throw ironicError('InvalidParameterValue', `Expected UUID for inspection_rule_uuid: ${uuid}`);
      const patch: readonly PatchOp[] = request.body;
      const rule = await getRule(request, uuid);
      const doc: Record<string, unknown> = { ...rule.toPlain() };
      const sensitive = getPatchValues(patch, '/sensitive');
      if (sensitive.length > 0 && !sensitive[0] && sensitive[0] !== null && rule.get('sensitive'))
        throw ironicError(
          'PatchError',
          `Couldn't apply patch '${JSON.stringify(patch)}'. Reason: Inspection rules cannot have the sensitive flag unset.`,
        );
      const patched: Record<string, unknown> = applyPatch(doc, patch);
      // patched_validate_with_schema: the schema's keys only
      const candidate: Record<string, unknown> = {};
      for (const k of [...RULE_FIELDS, 'uuid'])
        if (Object.hasOwn(patched, k) && patched[k] !== null) candidate[k] = patched[k];
      validateInspectionRule('patch', candidate);
      for (const f of RULE_FIELDS) {
        const v = candidate[f] ?? null;
        if (JSON.stringify(v) !== JSON.stringify(doc[f] ?? null)) rule.set(f, v as never);
      }
      await objectAction(request, rule, 'save');
      return ruleBody(request, rule);
    },
  }),
  route({
    method: 'DELETE',
    url: '/v1/inspection_rules/:inspection_rule_uuid',
    operationId: 'deleteInspectionRule',
    belowMinVersion,
    minVersion: MINOR_96_INSPECTION_RULES,
    policy: 'baremetal:inspection_rule:delete',
    rpc: ['InspectionRule.get_by_uuid', 'InspectionRule.destroy'],
    status: 204,
    summary:
      'Delete an inspection rule (1.96): 501 on conductors up to Ironic 39.0, which cannot destroy one through the indirection API',
    tags: TAGS,
    schema: { params: uuidParams, response: { 204: emptyResponse, ...ERRORS } },
    handler: async (request) => {
      checkRuleUuid(request.params.inspection_rule_uuid);
      const rule = await getRule(request, request.params.inspection_rule_uuid);
      try {
        await objectAction(request, rule, 'destroy');
      } catch (err) {
        if (err instanceof RemoteError && err.exc_type === 'TypeError') throw cannotDestroy(rule, err);
        throw err;
      }
      return undefined;
    },
  }),
];
