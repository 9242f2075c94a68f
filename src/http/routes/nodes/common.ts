/** Pieces shared by the node route tables: the path parameter, tags, error responses. */
import { errorResponses } from '../../api-utils/representation.ts';
import type { WithParams } from '../../route.ts';

export const TAGS = ['nodes'];

export const nodeIdentParams = {
  type: 'object',
  properties: { node_ident: { type: 'string', description: 'UUID or (from 1.5) logical name of a node' } },
  required: ['node_ident'],
} as const;

/** Errors any route on one node may answer with (conductor down: 503/504). */
export const NODE_ERRORS = errorResponses(400, 404, 406, 409, 503, 504);

/** A request on one node: its path has `node_ident`. */
export type NodeRequest = WithParams<{ node_ident: string }>;

export const identOf = (request: NodeRequest): string => request.params.node_ident;

/** Queries of routes that take none: unknown parameters are refused. */
export const noQuery = { type: 'object', properties: {}, additionalProperties: false } as const;
