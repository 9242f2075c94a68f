/**
 * GET /v1/shards (1.82; ironic/api/controllers/v1/shard.py @21.4): the shards and how many nodes
 * each holds, most first; unsharded nodes count as the shard "None" (21.4 prints str(None),
 * reference §7 Q12: copied, since clients compare with what ironic-api shows). Below 1.82 the
 * router refuses (webob 404 for GET, 405 otherwise); GET /v1/shards/{x} is 404 at every version.
 *
 * 21.4 reads this with raw SQL (`SELECT count(id), shard FROM nodes GROUP BY shard`), which no
 * object method offers. The gateway lists the nodes with `Node.list(fields=['shard'])` through
 * the indirection API and counts them itself. Cost: one object_class_action_versions call per
 * max_limit (1000) nodes, each answer carrying partial nodes (shard, id, version,
 * timestamps, owner, lessee, driver, conductor_group: ~300 bytes a node), so about 3 MB and 10
 * calls for 10,000 nodes, where ironic-api moves one row per shard.
 */
import type { IronicObject, NodeFields } from '../../conductor/objects.ts';
import { listObjects } from '../api-utils/lookup.ts';
import { errorResponses } from '../api-utils/representation.ts';
import { routerRefusal, webobError } from '../api-utils/router-gate.ts';
import { route, type RouteDef } from '../route.ts';
import { MINOR_82_NODE_SHARD } from '../versions.ts';
import { conductorShardList, hasConductorClassMethods } from '../api-utils/conductor-methods.ts';

// (39.0: validation.api_version on the method, shard.py)
const belowMinVersion = routerRefusal('The API version does not allow shards', { decoratedIn39: true });
const TAGS = ['shards'];

/** The shard counts of every node, as get_shard_list orders them (count descending, ties by shard). */
async function shardList(request: Parameters<RouteDef['handler']>[0]): Promise<{ name: string; count: number }[]> {
  const counts = new Map<string | null, number>();
  const page = request.server.gatewayConfig.max_limit;
  let marker: IronicObject<NodeFields> | null = null;
  for (;;) {
    const nodes: IronicObject<NodeFields>[] = await listObjects(request, 'Node', 'list', [], {
      limit: page,
      marker,
      sort_key: 'id',
      sort_dir: 'asc',
      fields: ['shard'],
    });
    for (const n of nodes) {
      const shard = n.get('shard') ?? null;
      counts.set(shard, (counts.get(shard) ?? 0) + 1);
    }
    if (nodes.length < page) break;
    marker = nodes[nodes.length - 1];
  }
  // GROUP BY shard comes back in shard order (NULL first) on MariaDB; Python's sort is stable
  const groups = [...counts].sort(([a], [b]) => (a === b ? 0 : a === null ? -1 : b === null ? 1 : a < b ? -1 : 1));
  groups.sort(([, x], [, y]) => y - x);
  return groups.map(([shard, count]) => ({ name: shard === null ? 'None' : shard, count }));
}

export const shardRoutes: RouteDef[] = [
  route({
    method: 'GET',
    url: '/v1/shards',
    operationId: 'listShards',
    belowMinVersion,
    minVersion: MINOR_82_NODE_SHARD,
    policy: 'baremetal:shards:get',
    // Conductor.get_shard_list when the gateway's Conductor version has it (1.5, Ironic 32.0)
    rpc: ['Node.list', 'Conductor.get_shard_list'],
    status: 200,
    summary: 'List shards and their node counts (1.82)',
    tags: TAGS,
    schema: {
      response: {
        200: {
          type: 'object',
          properties: {
            shards: {
              type: 'array',
              items: {
                type: 'object',
                properties: { name: { type: 'string' }, count: { type: 'integer' } },
              },
            },
          },
        },
        ...errorResponses(404, 405, 503),
      },
    },
    handler: async (request) => ({
      shards: hasConductorClassMethods(request) ? await conductorShardList(request) : await shardList(request),
    }),
  }),
  route({
    method: 'GET',
    url: '/v1/shards/:shard',
    operationId: 'showShardRefused',
    minVersion: MINOR_82_NODE_SHARD,
    belowMinVersion,
    policy: 'baremetal:shards:get',
    rpc: [],
    status: 404,
    summary: 'Not served: ironic-api has no single shard (404)',
    tags: TAGS,
    schema: {
      hide: true,
      params: { type: 'object', properties: { shard: { type: 'string' } }, required: ['shard'] },
      response: errorResponses(404, 405),
    },
    handler: async () => {
      // get_one: pecan.abort(404), webob's body with no description
      throw webobError(404, '');
    },
  }),
];
