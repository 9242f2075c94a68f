/**
 * One runbook, read through the indirection API (issue 15). Written by the provision slice
 * while the runbooks slice's version of this file had not landed on main: the same
 * `getRunbook(request, ident)`, which that slice's file replaces.
 *
 * A 39.0 conductor cannot answer Runbook.get_by_uuid / get_by_name (R16, reference §0.4), so
 * one runbook is read with `Runbook.list(filters={'uuid_in': [uuid]})` or `{'name_in': [name]}`.
 */
import type { FastifyRequest } from 'fastify';
import { ironicError } from '../../conductor/exceptions.ts';
import type { IronicObject, RunbookFields } from '../../conductor/objects.ts';
import { isUuidLike, isValidLogicalName } from './ident.ts';
import { listObjects } from './lookup.ts';

export type Runbook = IronicObject<RunbookFields>;

/**
 * api_utils.get_rpc_runbook: a UUID is looked up as a UUID, a valid logical name as a name,
 * anything else is InvalidUuidOrName (400); no match is a 404.
 */
export async function getRunbook(request: FastifyRequest, ident: string): Promise<Runbook> {
  let filters: Record<string, unknown>;
  if (isUuidLike(ident)) filters = { uuid_in: [ident] };
  else if (isValidLogicalName(ident, request)) filters = { name_in: [ident] };
  else throw ironicError('InvalidUuidOrName', `Expected a logical name or UUID but received ${ident}.`);
  const found = await listObjects(request, 'Runbook', 'list', [], { filters });
  const runbook = found[0];
  if (runbook === undefined) throw ironicError('NotFound', `Runbook ${ident} could not be found.`, { runbook: ident });
  return runbook;
}
