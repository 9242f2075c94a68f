/**
 * Provisioning with a runbook (1.92; traits 1.112): node.py _handle_runbook at 39.0.
 */
import type { FastifyRequest } from 'fastify';
import type { IronicObject, NodeFields } from '../../conductor/objects.ts';
import { notAcceptable } from '../versions.ts';

export interface RunbookResolution {
  cleanSteps: unknown;
  serviceSteps: unknown;
  disableRamdisk: boolean | null;
}

export async function runbookSteps(
  _request: FastifyRequest,
  _node: IronicObject<NodeFields>,
  _body: { target: string; runbook?: string | null },
  _cleanSteps: unknown,
  _serviceSteps: unknown,
): Promise<RunbookResolution> {
  throw notAcceptable();
}
