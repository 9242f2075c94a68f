/**
 * The request context as Ironic's RequestContext knows it. The HTTP layer builds one per request
 * (from the caller's credentials and request ids); the RPC layer sends it as `_context_*` keys.
 */
import { randomUUID } from 'node:crypto';

export interface RequestContext {
  user_id: string | null;
  project_id: string | null;
  domain_id: string | null;
  user_domain_id: string | null;
  project_domain_id: string | null;
  system_scope: string | null;
  roles: string[];
  is_admin: boolean;
  is_admin_project: boolean;
  read_only: boolean;
  show_deleted: boolean;
  request_id: string;
  global_request_id: string | null;
  auth_token: string | null;
}

export const newRequestId = (): string => `req-${randomUUID()}`;

export function makeContext(fields: Partial<RequestContext> = {}): RequestContext {
  return {
    user_id: null,
    project_id: null,
    domain_id: null,
    user_domain_id: null,
    project_domain_id: null,
    system_scope: null,
    roles: [],
    is_admin: false,
    is_admin_project: true,
    read_only: false,
    show_deleted: false,
    request_id: newRequestId(),
    global_request_id: null,
    auth_token: null,
    ...fields,
  };
}

/** A user_identity part: the id, or '-' when unset. */
const identityPart = (v: string | null): string => v ?? '-';

/** The context's oslo.context keys, as Ironic sends them (without the `_context_` prefix). */
export function toWireContext(ctx: RequestContext): Record<string, unknown> {
  const id = identityPart;
  return {
    user: ctx.user_id,
    project_id: ctx.project_id,
    system_scope: ctx.system_scope,
    project: ctx.project_id,
    domain: ctx.domain_id,
    user_domain: ctx.user_domain_id,
    project_domain: ctx.project_domain_id,
    is_admin: ctx.is_admin,
    read_only: ctx.read_only,
    show_deleted: ctx.show_deleted,
    auth_token: ctx.auth_token,
    request_id: ctx.request_id,
    global_request_id: ctx.global_request_id,
    resource_uuid: null,
    roles: ctx.roles,
    user_identity: `${id(ctx.user_id)} ${id(ctx.project_id)} ${id(ctx.domain_id)} ${id(ctx.user_domain_id)} ${id(ctx.project_domain_id)}`,
    is_admin_project: ctx.is_admin_project,
    auth_token_info: null,
  };
}
