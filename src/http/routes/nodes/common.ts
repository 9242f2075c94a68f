/** Pieces shared by the node route tables: the path parameter, tags, error responses. */
import type { FastifyRequest } from 'fastify';
import { errorResponses } from '../../api-utils/representation.ts';

export const TAGS = ['nodes'];

export const nodeIdentParams = {
  type: 'object',
  properties: { node_ident: { type: 'string', description: 'UUID or (from 1.5) logical name of a node' } },
  required: ['node_ident'],
} as const;

/** Errors any route on one node may answer with (conductor down: 503/504). */
export const NODE_ERRORS = errorResponses(400, 404, 406, 409, 503, 504);

export const identOf = (request: FastifyRequest): string => (request.params as { node_ident: string }).node_ident;

/** Queries of routes that take none: unknown parameters are refused. */
export const noQuery = { type: 'object', properties: {}, additionalProperties: false } as const;
