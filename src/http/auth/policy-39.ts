/**
 * Ironic 39.0's default policy (ironic/common/policy.py of the 39.0 tree in the sid chroot): the
 * rules of 21.4 (policy-21.ts), the same personas and legacy checks, plus what 39.0 changed:
 *
 * - scope types widened to system and project for disable_cleaning, conductor:get and the deploy
 *   template rules (a project-scoped token is refused by the check string, no longer by scope);
 * - the rules of what came after 21.4: the provision verbs that run arbitrary steps
 *   (set_provision_state:clean_steps / :service_steps), PATCH of parent_node and
 *   disable_power_off, firmware, virtual media, the ramdisk's continue_inspection, runbooks
 *   (owner-scoped through `%(runbook.owner)s`) and inspection rules.
 *
 * 39.0's oslo.policy enforces scope and the new defaults unless told otherwise (loadPolicy in
 * index.ts), so the legacy checks kept here only count when an operator turns
 * policy_enforce_new_defaults off.
 */
import type { RuleDefault } from './policy.ts';
import {
  API_READER,
  BOTH,
  IRONIC_21_4_RULES,
  SYSTEM_ADMIN,
  SYSTEM_MEMBER,
  SYSTEM_OR_OWNER_MEMBER_AND_LESSEE_ADMIN,
  SYSTEM_OR_PROJECT_MEMBER,
  SYSTEM_OR_PROJECT_READER,
  SYSTEM_READER,
  or,
  rule,
} from './policy-21.ts';

/** A caller of the runbook's owning project with `role`. */
const RUNBOOK_OWNER = (role: string) => `role:${role} and project_id:%(runbook.owner)s`;
/** May change or delete a runbook: system members, the owner's managers, services. */
const RUNBOOK_ADMIN = or(SYSTEM_MEMBER, RUNBOOK_OWNER('manager'), 'role:service');
/** May read a runbook: system readers, the owner's readers, services. */
const RUNBOOK_READER = or(SYSTEM_READER, RUNBOOK_OWNER('reader'), 'role:service');
/** May create a runbook: system members, any project's managers, services. */
const RUNBOOK_CREATOR = or(SYSTEM_MEMBER, 'role:manager', 'role:service');

/** 21.4's rule with 39.0's wider scope types (system and project). */
const widened = (name: string): RuleDefault => ({ ...IRONIC_21_4_RULES[name], scope: BOTH });

const N = 'baremetal:node:';

/** Every rule of Ironic 39.0, with its default, scope types and legacy check. */
export const IRONIC_39_0_RULES: Readonly<Record<string, RuleDefault>> = {
  ...IRONIC_21_4_RULES,
  [`${N}disable_cleaning`]: widened(`${N}disable_cleaning`),
  'baremetal:conductor:get': widened('baremetal:conductor:get'),
  'baremetal:deploy_template:get': widened('baremetal:deploy_template:get'),
  'baremetal:deploy_template:create': widened('baremetal:deploy_template:create'),
  'baremetal:deploy_template:delete': widened('baremetal:deploy_template:delete'),
  'baremetal:deploy_template:update': widened('baremetal:deploy_template:update'),
  [`${N}set_provision_state:clean_steps`]: rule(
    SYSTEM_OR_OWNER_MEMBER_AND_LESSEE_ADMIN,
    undefined,
    'Allow execution of arbitrary steps on a node',
  ),
  [`${N}set_provision_state:service_steps`]: rule(
    SYSTEM_OR_OWNER_MEMBER_AND_LESSEE_ADMIN,
    undefined,
    'Allow execution of arbitrary steps on a node',
  ),
  [`${N}update:parent_node`]: rule(
    SYSTEM_MEMBER,
    undefined,
    'Governs if node parent_node field can be updated via the API clients',
  ),
  [`${N}update:disable_power_off`]: rule(SYSTEM_ADMIN, undefined, 'Governs if power off can be disabled via the API'),
  [`${N}firmware:get`]: rule(SYSTEM_OR_PROJECT_READER, undefined, 'Retrieve Node Firmware components information'),
  [`${N}vmedia:attach`]: rule(SYSTEM_OR_PROJECT_MEMBER, undefined, 'Attach a virtual media device to a node'),
  [`${N}vmedia:detach`]: rule(SYSTEM_OR_PROJECT_MEMBER, undefined, 'Detach a virtual media device from a node'),
  [`${N}vmedia:get`]: rule(SYSTEM_OR_PROJECT_READER, undefined, 'Get virtual media device details from a node'),
  'baremetal:driver:ipa_continue_inspection': { check: '', description: 'Receive inspection data from the ramdisk' },
  'baremetal:runbook:get': rule(RUNBOOK_READER, undefined, 'Retrieve a single runbook record'),
  'baremetal:runbook:list': rule(
    API_READER,
    undefined,
    'Retrieve multiple runbook records, filtered by an explicit owner or the client project_id',
  ),
  'baremetal:runbook:list_all': rule(SYSTEM_READER, undefined, 'Retrieve all runbook records'),
  'baremetal:runbook:create': rule(RUNBOOK_CREATOR, undefined, 'Create Runbook records'),
  'baremetal:runbook:delete': rule(RUNBOOK_ADMIN, undefined, 'Delete a runbook record'),
  'baremetal:runbook:update': rule(RUNBOOK_ADMIN, undefined, 'Update a runbook record'),
  'baremetal:runbook:update:public': rule(SYSTEM_MEMBER, undefined, 'Set and unset a runbook as public'),
  'baremetal:runbook:update:owner': rule(SYSTEM_MEMBER, undefined, 'Set and unset the owner of a runbook'),
  'baremetal:runbook:use': rule(RUNBOOK_ADMIN, undefined, 'Allowed to use a runbook for node operations'),
  'baremetal:inspection_rule:get': rule(SYSTEM_READER, undefined, 'Get inspection rule(s)'),
  'baremetal:inspection_rule:list_all': rule(SYSTEM_READER, undefined, 'Retrieve all inspection_rule records'),
  'baremetal:inspection_rule:create': rule(SYSTEM_ADMIN, undefined, 'Create inspection rule'),
  'baremetal:inspection_rule:update': rule(SYSTEM_ADMIN, undefined, 'Update an inspection rule'),
  'baremetal:inspection_rule:delete': rule(SYSTEM_ADMIN, undefined, 'Delete an inspection rule'),
};
