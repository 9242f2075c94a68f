/**
 * Provisioning with a runbook (1.92; traits 1.112): node.py _handle_runbook at 39.0. The
 * runbook is read with checkRunbookPolicyAndRetrieve (api-utils/runbook.ts); the node's traits are those of the
 * node already loaded (the same rows 39.0 reads with TraitList.get_by_node_id).
 *
 * Not done here: the `baremetal:runbook:use` rule against the runbook's owner (the rule and the
 * owner check are the runbooks slice's, checkRunbookPolicyAndRetrieve) and the per-step
 * `baremetal:step:execute:*` rules 39.0 checks for an owned, non-public runbook (the gateway
 * has no per-step rules).
 */
import type { FastifyRequest } from 'fastify';
import { ironicError, pyRepr } from '../../conductor/exceptions.ts';
import { traitNames, type IronicObject, type NodeFields } from '../../conductor/objects.ts';
import { allows, MINOR_112_RUNBOOK_TRAITS } from '../versions.ts';
import { checkRunbookPolicyAndRetrieve } from './runbook.ts';

export interface RunbookResolution {
  cleanSteps: unknown;
  serviceSteps: unknown;
  disableRamdisk: boolean | null;
}

const invalid = (msg: string): Error => ironicError('Invalid', msg);

/** api_utils.convert_steps: interface, step, args, and priority or order when present. */
function convertSteps(steps: unknown): Record<string, unknown>[] {
  return (Array.isArray(steps) ? steps : []).map((s: Record<string, unknown>) => {
    const out: Record<string, unknown> = { interface: s.interface, step: s.step, args: s.args };
    if (Object.hasOwn(s, 'priority')) out.priority = s.priority;
    else if (Object.hasOwn(s, 'order')) out.order = s.order;
    return out;
  });
}

/** The runbook's trait names (a RunbookTraitList, or a list of names). */
function runbookTraits(value: unknown): string[] {
  if (Array.isArray(value)) return value.map((t) => (typeof t === 'string' ? t : String(t?.trait ?? '')));
  return traitNames(value);
}

/**
 * _handle_runbook: the node must carry one of the runbook's traits (1.112; a runbook without
 * traits is refused) or, below 1.112, a trait named as the runbook; the runbook's steps replace
 * clean_steps or service_steps (both given: 400) and its disable_ramdisk is used.
 */
export async function runbookSteps(
  request: FastifyRequest,
  node: IronicObject<NodeFields>,
  body: { target: string; runbook?: string | null },
  cleanSteps: unknown,
  serviceSteps: unknown,
): Promise<RunbookResolution> {
  // 39.0: the caller must be allowed to use the runbook (its owner's project, or public)
  const runbook = await checkRunbookPolicyAndRetrieve(request, 'baremetal:runbook:use', String(body.runbook));
  const nodeUuid = String(node.get('uuid'));
  const nodeTraits = new Set(traitNames(node.get('traits')));
  if (allows(request, MINOR_112_RUNBOOK_TRAITS)) {
    const traits = [...new Set(runbookTraits(runbook.get('traits')))];
    if (traits.length === 0) {
      throw invalid(
        `Runbook ${String(runbook.get('uuid'))} has no traits configured. Please ask an administrator to add traits to the runbook.`,
      );
    }
    if (!traits.some((t) => nodeTraits.has(t))) {
      throw invalid(
        `This runbook has not been approved for use on this node ${nodeUuid}. The node does not have any of the runbook's traits ${pyRepr(traits.sort())}. Please ask an administrator to add a matching trait to your node.`,
      );
    }
  } else if (!nodeTraits.has(String(runbook.get('name')))) {
    throw invalid(
      `This runbook has not been approved for use on this node ${nodeUuid}. Please ask an administrator to add it to your node traits.`,
    );
  }
  const disableRamdisk = Boolean(runbook.get('disable_ramdisk'));
  if (body.target === 'clean') {
    if (cleanSteps) throw invalid('Please provide either "clean_steps" or a runbook, but not both.');
    return { cleanSteps: convertSteps(runbook.get('steps')), serviceSteps, disableRamdisk };
  }
  if (body.target === 'service') {
    if (serviceSteps) throw invalid('Please provide either "service_steps" or a runbook, but not both.');
    return { cleanSteps, serviceSteps: convertSteps(runbook.get('steps')), disableRamdisk };
  }
  // another target: 39.0 leaves the steps as given; the runbook's disable_ramdisk (a boolean,
  // never None) then makes check_allow_disable_ramdisk answer 400 for that target
  return { cleanSteps, serviceSteps, disableRamdisk };
}
