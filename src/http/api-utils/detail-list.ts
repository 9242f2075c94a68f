/**
 * The collections added after Queens (conductors 1.49, deploy templates 1.55) share one shape in
 * 21.4: `?fields=` or `?detail=` (api_utils.get_request_return_fields), a default field set,
 * and a `next` link carrying `sort_key`, `sort_dir`, `detail` when given and the returned field
 * set (the default one too: collection.get_next writes whatever `fields` the list was built
 * with), then `limit` and the marker (the uuid, or a conductor's hostname).
 */
import type { FastifyRequest } from 'fastify';
import { ironicError } from '../../conductor/exceptions.ts';
import { baseUrl } from '../links.ts';
import { allowDetailQuery } from '../versions.ts';
import { parseBoolean, parseList } from './ident.ts';

/** get_request_return_fields: `detail` needs 1.43; not with `fields`; the default fields without either. */
export function returnFields(
  request: FastifyRequest,
  rawFields: string | undefined,
  rawDetail: string | undefined,
  defaults: readonly string[],
): { fields: readonly string[] | undefined; detail: boolean | undefined } {
  const detail = rawDetail === undefined ? undefined : parseBoolean(rawDetail);
  if (detail !== undefined && !allowDetailQuery(request))
    throw ironicError(
      'InvalidParameterValue',
      `Invalid query parameter ?detail=${detail ? 'True' : 'False'} received.`,
    );
  const fields = rawFields === undefined ? undefined : parseList(rawFields);
  if (fields !== undefined && detail)
    throw ironicError('InvalidParameterValue', 'Can not specify ?detail=True and fields in the same request.');
  if (fields === undefined && !detail) return { fields: defaults, detail };
  return { fields, detail };
}

/** collection.get_next: only for a full page; `marker` is the last item's key field. */
export function detailNextLink(
  request: FastifyRequest,
  path: string,
  count: number,
  limit: number,
  marker: string | undefined,
  q: { sort_key: string; sort_dir: string; detail: boolean | undefined; fields: readonly string[] | undefined },
): string | undefined {
  if (count === 0 || count !== limit) return undefined;
  let args = `sort_key=${q.sort_key}&sort_dir=${q.sort_dir}&`;
  if (q.detail !== undefined) args += `detail=${q.detail ? 'True' : 'False'}&`;
  if (q.fields && q.fields.length > 0) args += `fields=${q.fields.join(',')}&`;
  return `${baseUrl(request)}/v1/${path}?${args}limit=${limit}&marker=${String(marker)}`;
}

/**
 * The `fields`/`detail` pair of a 21.4 list that also has a `/detail` form (ports, portgroups,
 * chassis): on the plain list, `detail` (1.43) or `fields` or the defaults; on `/detail`, every
 * field. `fields` comes checked for the microversion by the caller.
 */
export function listReturnFields(
  request: FastifyRequest,
  fields: readonly string[] | undefined,
  rawDetail: string | undefined,
  defaults: readonly string[],
  detailRoute: boolean,
): { fields: readonly string[] | undefined; detail: boolean | undefined } {
  if (detailRoute) return { fields: undefined, detail: undefined };
  let detail: boolean | undefined;
  if (rawDetail !== undefined) {
    try {
      detail = parseBoolean(rawDetail);
    } catch (err) {
      throw ironicError('InvalidParameterValue', `Invalid detail: ${(err as Error).message}`);
    }
  }
  if (detail !== undefined && !allowDetailQuery(request))
    throw ironicError(
      'InvalidParameterValue',
      `Invalid query parameter ?detail=${detail ? 'True' : 'False'} received.`,
    );
  if (fields !== undefined && detail)
    throw ironicError('InvalidParameterValue', 'Can not specify ?detail=True and fields in the same request.');
  return { fields: fields === undefined && !detail ? defaults : fields, detail };
}
