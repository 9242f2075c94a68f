/**
 * Ironic 21.4's default policy (ironic/common/policy.py at 21.4.4, with oslo.policy 4.0.0 as
 * Debian bookworm ships it): the secure-RBAC defaults written with the personas below, each
 * rule's scope types, and its deprecated (legacy) check, which oslo.policy ORs in while
 * `enforce_new_defaults` is false (21.4's default). Used by a gateway pinned from 21.4 up to before 39.0 (and, with 39.0's additions, by policy-39.ts).
 * The persona names are those of /work/shared/docs/ironic-1.39-1.82.md §6.2.
 */
import { BASE_RULES, type RuleDefault } from './policy.ts';

export const or = (...parts: string[]): string => parts.map((p) => `(${p})`).join(' or ');

export const SYSTEM_ADMIN = 'role:admin and system_scope:all';
export const SYSTEM_MEMBER = '(role:member and system_scope:all) or rule:service_role';
export const SYSTEM_READER =
  '(role:reader and system_scope:all) or (role:service and system_scope:all) or rule:service_role';
const SYSTEM_SERVICE = 'role:service and system_scope:all';
const PROJECT_SERVICE = 'role:service and project_id:%(node.owner)s';
const PROJECT_MEMBER = 'role:member and (project_id:%(node.owner)s or project_id:%(node.lessee)s)';
const PROJECT_READER = 'role:reader and (project_id:%(node.owner)s or project_id:%(node.lessee)s)';
const OWNER = (role: string) => `role:${role} and project_id:%(node.owner)s`;
const LESSEE = (role: string) => `role:${role} and project_id:%(node.lessee)s`;
const ALLOCATION_OWNER = (role: string) => `role:${role} and project_id:%(allocation.owner)s`;
export const API_READER = '(role:reader) or (role:service)';

export const SYSTEM_OR_PROJECT_READER = or(SYSTEM_READER, PROJECT_READER, PROJECT_SERVICE);
export const SYSTEM_OR_PROJECT_MEMBER = or(SYSTEM_MEMBER, PROJECT_MEMBER, SYSTEM_SERVICE);
export const SYSTEM_OR_OWNER_MEMBER_AND_LESSEE_ADMIN = or(
  SYSTEM_MEMBER,
  SYSTEM_SERVICE,
  OWNER('member'),
  LESSEE('admin'),
  LESSEE('manager'),
  PROJECT_SERVICE,
);
const SYSTEM_ADMIN_OR_OWNER_ADMIN = or(SYSTEM_ADMIN, SYSTEM_SERVICE, OWNER('admin'), OWNER('manager'), PROJECT_SERVICE);
const SYSTEM_MEMBER_OR_OWNER_ADMIN = or(
  SYSTEM_MEMBER,
  SYSTEM_SERVICE,
  OWNER('admin'),
  OWNER('manager'),
  PROJECT_SERVICE,
);
const SYSTEM_MEMBER_OR_OWNER_MEMBER = or(SYSTEM_MEMBER, SYSTEM_SERVICE, OWNER('member'), PROJECT_SERVICE);
const SYSTEM_OR_OWNER_READER = or(SYSTEM_READER, SYSTEM_SERVICE, OWNER('reader'), PROJECT_SERVICE);
const SYSTEM_MEMBER_OR_OWNER_LESSEE_ADMIN = or(
  SYSTEM_MEMBER,
  SYSTEM_SERVICE,
  OWNER('admin'),
  OWNER('manager'),
  LESSEE('admin'),
  LESSEE('manager'),
  PROJECT_SERVICE,
);

const IS_ADMIN = 'rule:is_admin';
const IS_ADMIN_OR_OBSERVER = 'rule:is_admin or rule:is_observer';
export const BOTH = ['system', 'project'] as const;
const SYSTEM = ['system'] as const;

export const rule = (
  check: string,
  deprecated: string | undefined,
  description: string,
  scope: RuleDefault['scope'] = BOTH,
): RuleDefault => ({ check, description, scope, ...(deprecated !== undefined && { deprecated }) });

/** The generic rules of 21.4's policy.py (no scope types). */
const BASE_21 = {
  admin_api: { check: 'role:admin or role:administrator', description: BASE_RULES.admin_api.description },
  public_api: { check: 'is_public_api:True', description: BASE_RULES.public_api.description },
  show_password: { check: '!', description: BASE_RULES.show_password.description },
  show_instance_secrets: { check: '!', description: BASE_RULES.show_instance_secrets.description },
  service_role: {
    check: 'role:service and project_name:%(config.service_project_name)s',
    description: 'The service role of the service project (rbac_service_role_elevated_access)',
  },
  is_member: {
    check: '(project_domain_id:default or project_domain_id:None) and (project_name:demo or project_name:baremetal)',
    description: 'May use the Bare Metal API (legacy)',
  },
  is_observer: {
    check: 'rule:is_member and (role:observer or role:baremetal_observer)',
    description: 'Read-only API access (legacy)',
  },
  is_admin: {
    check: 'rule:admin_api or (rule:is_member and role:baremetal_admin)',
    description: 'Full read/write API access (legacy)',
  },
  is_node_owner: { check: 'project_id:%(node.owner)s', description: 'Owner of node' },
  is_node_lessee: { check: 'project_id:%(node.lessee)s', description: 'Lessee of node' },
  is_allocation_owner: { check: 'project_id:%(allocation.owner)s', description: 'Owner of allocation' },
  // the gateway's own helper rules (an operator's file written for the gateway may name them)
  api_member: BASE_RULES.api_member,
  api_reader: BASE_RULES.api_reader,
} satisfies Record<string, RuleDefault>;

const N = 'baremetal:node:';
const NODE_UPDATE = 'rule:baremetal:node:update';

/** Every rule of Ironic 21.4, with its default, scope types and legacy check. */
export const IRONIC_21_4_RULES: Readonly<Record<string, RuleDefault>> = {
  ...BASE_21,
  [`${N}create`]: rule(or(SYSTEM_ADMIN, SYSTEM_SERVICE), IS_ADMIN, 'Create Node records'),
  [`${N}create:self_owned_node`]: rule(
    '(role:admin) or (role:service)',
    undefined,
    'Create node records which will be tracked as owned by the associated user project',
  ),
  [`${N}list`]: rule(
    API_READER,
    'rule:baremetal:node:get',
    'Retrieve multiple Node records, filtered by an explicit owner or the client project_id',
  ),
  [`${N}list_all`]: rule(SYSTEM_READER, 'rule:baremetal:node:get', 'Retrieve multiple Node records'),
  [`${N}get`]: rule(SYSTEM_OR_PROJECT_READER, IS_ADMIN_OR_OBSERVER, 'Retrieve a single Node record'),
  [`${N}get:filter_threshold`]: rule(
    SYSTEM_READER,
    IS_ADMIN_OR_OBSERVER,
    'Filter to allow operators to govern the threshold where information should be filtered',
  ),
  [`${N}get:last_error`]: rule(
    SYSTEM_OR_OWNER_READER,
    IS_ADMIN_OR_OBSERVER,
    'Governs if the node last_error field is masked from API clients with insufficient privileges',
  ),
  [`${N}get:reservation`]: rule(
    SYSTEM_OR_OWNER_READER,
    IS_ADMIN_OR_OBSERVER,
    'Governs if the node reservation field is masked from API clients with insufficient privileges',
  ),
  [`${N}get:driver_internal_info`]: rule(
    SYSTEM_OR_OWNER_READER,
    IS_ADMIN_OR_OBSERVER,
    'Governs if the node driver_internal_info field is masked from API clients with insufficient privileges',
  ),
  [`${N}get:driver_info`]: rule(
    SYSTEM_OR_OWNER_READER,
    IS_ADMIN_OR_OBSERVER,
    'Governs if the driver_info field is masked from API clients with insufficient privileges',
  ),
  [`${N}update:driver_info`]: rule(
    SYSTEM_MEMBER_OR_OWNER_MEMBER,
    IS_ADMIN,
    'Governs if node driver_info field can be updated via the API clients',
  ),
  [`${N}update:properties`]: rule(
    SYSTEM_MEMBER_OR_OWNER_MEMBER,
    IS_ADMIN,
    'Governs if node properties field can be updated via the API clients',
  ),
  [`${N}update:chassis_uuid`]: rule(
    SYSTEM_ADMIN,
    IS_ADMIN,
    'Governs if node chassis_uuid field can be updated via the API clients',
  ),
  [`${N}update:instance_uuid`]: rule(
    SYSTEM_MEMBER_OR_OWNER_MEMBER,
    IS_ADMIN,
    'Governs if node instance_uuid field can be updated via the API clients',
  ),
  [`${N}update:lessee`]: rule(
    SYSTEM_MEMBER_OR_OWNER_MEMBER,
    IS_ADMIN,
    'Governs if node lessee field can be updated via the API clients',
  ),
  [`${N}update:owner`]: rule(SYSTEM_MEMBER, IS_ADMIN, 'Governs if node owner field can be updated via the API clients'),
  [`${N}update:driver_interfaces`]: rule(
    SYSTEM_MEMBER_OR_OWNER_ADMIN,
    IS_ADMIN,
    'Governs if node driver and driver interfaces field can be updated via the API clients',
  ),
  [`${N}update:network_data`]: rule(
    SYSTEM_MEMBER_OR_OWNER_MEMBER,
    IS_ADMIN,
    'Governs if node network_data field can be updated via the API clients',
  ),
  [`${N}update:conductor_group`]: rule(
    SYSTEM_MEMBER,
    IS_ADMIN,
    'Governs if node conductor_group field can be updated via the API clients',
  ),
  [`${N}update:name`]: rule(
    SYSTEM_MEMBER_OR_OWNER_MEMBER,
    IS_ADMIN,
    'Governs if node name field can be updated via the API clients',
  ),
  [`${N}update:retired`]: rule(
    SYSTEM_MEMBER_OR_OWNER_MEMBER,
    IS_ADMIN,
    'Governs if node retired and retired reason can be updated by API clients',
  ),
  [`${N}update`]: rule(SYSTEM_OR_PROJECT_MEMBER, IS_ADMIN, 'Generalized update of node records'),
  [`${N}update_extra`]: rule(SYSTEM_OR_PROJECT_MEMBER, NODE_UPDATE, 'Update Node extra field'),
  [`${N}update_instance_info`]: rule(
    SYSTEM_OR_OWNER_MEMBER_AND_LESSEE_ADMIN,
    NODE_UPDATE,
    'Update Node instance_info field',
  ),
  [`${N}update_owner_provisioned`]: rule(
    SYSTEM_ADMIN,
    IS_ADMIN,
    'Update Node owner even when Node is provisioned',
    SYSTEM,
  ),
  [`${N}delete`]: rule(SYSTEM_ADMIN, IS_ADMIN, 'Delete Node records'),
  [`${N}delete:self_owned_node`]: rule(
    OWNER('admin'),
    undefined,
    'Delete node records which are associated with the requesting project',
  ),
  [`${N}validate`]: rule(SYSTEM_OR_OWNER_MEMBER_AND_LESSEE_ADMIN, IS_ADMIN, 'Request active validation of Nodes'),
  [`${N}set_maintenance`]: rule(
    SYSTEM_OR_OWNER_MEMBER_AND_LESSEE_ADMIN,
    IS_ADMIN,
    'Set maintenance flag, taking a Node out of service',
  ),
  [`${N}clear_maintenance`]: rule(
    SYSTEM_OR_OWNER_MEMBER_AND_LESSEE_ADMIN,
    IS_ADMIN,
    'Clear maintenance flag, placing the Node into service again',
  ),
  [`${N}get_boot_device`]: rule(
    SYSTEM_MEMBER_OR_OWNER_ADMIN,
    IS_ADMIN_OR_OBSERVER,
    'Retrieve Node boot device metadata',
  ),
  [`${N}set_boot_device`]: rule(SYSTEM_MEMBER_OR_OWNER_ADMIN, IS_ADMIN, 'Change Node boot device'),
  [`${N}get_indicator_state`]: rule(
    SYSTEM_OR_PROJECT_READER,
    IS_ADMIN_OR_OBSERVER,
    'Retrieve Node indicators and their states',
  ),
  [`${N}set_indicator_state`]: rule(SYSTEM_MEMBER_OR_OWNER_MEMBER, IS_ADMIN, 'Change Node indicator state'),
  [`${N}inject_nmi`]: rule(SYSTEM_MEMBER_OR_OWNER_ADMIN, IS_ADMIN, 'Inject NMI for a node'),
  [`${N}get_states`]: rule(SYSTEM_OR_PROJECT_READER, IS_ADMIN_OR_OBSERVER, 'View Node power and provision state'),
  [`${N}set_power_state`]: rule(SYSTEM_OR_PROJECT_MEMBER, IS_ADMIN, 'Change Node power status'),
  [`${N}set_boot_mode`]: rule(SYSTEM_OR_PROJECT_MEMBER, IS_ADMIN, 'Change Node boot mode'),
  [`${N}set_secure_boot`]: rule(SYSTEM_OR_PROJECT_MEMBER, IS_ADMIN, 'Change Node secure boot state'),
  [`${N}set_provision_state`]: rule(SYSTEM_OR_OWNER_MEMBER_AND_LESSEE_ADMIN, IS_ADMIN, 'Change Node provision status'),
  [`${N}set_raid_state`]: rule(SYSTEM_MEMBER_OR_OWNER_MEMBER, IS_ADMIN, 'Change Node RAID status'),
  [`${N}get_console`]: rule(SYSTEM_MEMBER_OR_OWNER_MEMBER, IS_ADMIN, 'Get Node console connection information'),
  [`${N}set_console_state`]: rule(SYSTEM_MEMBER_OR_OWNER_MEMBER, IS_ADMIN, 'Change Node console status'),
  [`${N}vif:list`]: rule(SYSTEM_OR_PROJECT_READER, IS_ADMIN, 'List VIFs attached to node'),
  [`${N}vif:attach`]: rule(SYSTEM_OR_OWNER_MEMBER_AND_LESSEE_ADMIN, IS_ADMIN, 'Attach a VIF to a node'),
  [`${N}vif:detach`]: rule(SYSTEM_OR_OWNER_MEMBER_AND_LESSEE_ADMIN, IS_ADMIN, 'Detach a VIF from a node'),
  [`${N}traits:list`]: rule(SYSTEM_OR_PROJECT_READER, IS_ADMIN_OR_OBSERVER, 'List node traits'),
  [`${N}traits:set`]: rule(SYSTEM_MEMBER_OR_OWNER_ADMIN, IS_ADMIN, 'Add a trait to, or replace all traits of, a node'),
  [`${N}traits:delete`]: rule(SYSTEM_MEMBER_OR_OWNER_ADMIN, IS_ADMIN, 'Remove one or all traits from a node'),
  [`${N}bios:get`]: rule(SYSTEM_OR_PROJECT_READER, IS_ADMIN_OR_OBSERVER, 'Retrieve Node BIOS information'),
  [`${N}disable_cleaning`]: rule(SYSTEM_ADMIN, NODE_UPDATE, 'Disable Node disk cleaning', SYSTEM),
  [`${N}history:get`]: rule(
    SYSTEM_OR_OWNER_READER,
    IS_ADMIN_OR_OBSERVER,
    'Filter to allow operators to retrieve history records for a node',
  ),
  [`${N}inventory:get`]: rule(SYSTEM_OR_OWNER_READER, IS_ADMIN_OR_OBSERVER, 'Retrieve introspection data for a node'),
  [`${N}update:shard`]: rule(SYSTEM_ADMIN, undefined, 'Governs if node shard field can be updated via the API clients'),
  'baremetal:shards:get': rule(SYSTEM_READER, undefined, 'Get Shard records'),
  'baremetal:port:get': rule(SYSTEM_OR_PROJECT_READER, IS_ADMIN_OR_OBSERVER, 'Retrieve Port records'),
  'baremetal:port:list': rule(
    API_READER,
    'rule:baremetal:port:get',
    'Retrieve multiple Port records, filtered by owner',
  ),
  'baremetal:port:list_all': rule(SYSTEM_READER, 'rule:baremetal:port:get', 'Retrieve multiple Port records'),
  'baremetal:port:create': rule(SYSTEM_ADMIN_OR_OWNER_ADMIN, IS_ADMIN, 'Create Port records'),
  'baremetal:port:delete': rule(SYSTEM_ADMIN_OR_OWNER_ADMIN, IS_ADMIN, 'Delete Port records'),
  'baremetal:port:update': rule(SYSTEM_MEMBER_OR_OWNER_ADMIN, IS_ADMIN, 'Update Port records'),
  'baremetal:portgroup:get': rule(SYSTEM_OR_PROJECT_READER, IS_ADMIN_OR_OBSERVER, 'Retrieve Portgroup records'),
  'baremetal:portgroup:create': rule(SYSTEM_ADMIN_OR_OWNER_ADMIN, IS_ADMIN, 'Create Portgroup records'),
  'baremetal:portgroup:delete': rule(SYSTEM_ADMIN_OR_OWNER_ADMIN, IS_ADMIN, 'Delete Portgroup records'),
  'baremetal:portgroup:update': rule(SYSTEM_MEMBER_OR_OWNER_ADMIN, IS_ADMIN, 'Update Portgroup records'),
  'baremetal:portgroup:list': rule(API_READER, IS_ADMIN_OR_OBSERVER, 'Retrieve Portgroup records, filtered by owner'),
  'baremetal:portgroup:list_all': rule(SYSTEM_READER, IS_ADMIN_OR_OBSERVER, 'Retrieve Portgroup records'),
  'baremetal:chassis:get': rule(SYSTEM_READER, IS_ADMIN_OR_OBSERVER, 'Retrieve Chassis records', SYSTEM),
  'baremetal:chassis:create': rule(SYSTEM_ADMIN, IS_ADMIN, 'Create Chassis records', SYSTEM),
  'baremetal:chassis:delete': rule(SYSTEM_ADMIN, IS_ADMIN, 'Delete Chassis records', SYSTEM),
  'baremetal:chassis:update': rule(SYSTEM_MEMBER, IS_ADMIN, 'Update Chassis records', SYSTEM),
  'baremetal:driver:get': rule(SYSTEM_READER, IS_ADMIN_OR_OBSERVER, 'View list of available drivers', SYSTEM),
  'baremetal:driver:get_properties': rule(
    SYSTEM_READER,
    IS_ADMIN_OR_OBSERVER,
    'View driver-specific properties',
    SYSTEM,
  ),
  'baremetal:driver:get_raid_logical_disk_properties': rule(
    SYSTEM_READER,
    IS_ADMIN_OR_OBSERVER,
    'View driver-specific RAID metadata',
    SYSTEM,
  ),
  [`${N}vendor_passthru`]: rule(SYSTEM_ADMIN, IS_ADMIN, 'Access vendor-specific Node functions'),
  'baremetal:driver:vendor_passthru': rule(SYSTEM_ADMIN, IS_ADMIN, 'Access vendor-specific Driver functions', SYSTEM),
  [`${N}ipa_heartbeat`]: {
    check: '',
    description: 'Receive heartbeats from IPA ramdisk',
    deprecated: 'rule:public_api',
  },
  'baremetal:driver:ipa_lookup': {
    check: '',
    description: 'Access IPA ramdisk functions',
    deprecated: 'rule:public_api',
  },
  'baremetal:volume:list_all': rule(
    SYSTEM_READER,
    IS_ADMIN_OR_OBSERVER,
    'Retrieve a list of all Volume connector and target records',
  ),
  'baremetal:volume:list': rule(
    API_READER,
    IS_ADMIN_OR_OBSERVER,
    'Retrieve a list of Volume connector and target records',
  ),
  'baremetal:volume:get': rule(
    SYSTEM_OR_PROJECT_READER,
    IS_ADMIN_OR_OBSERVER,
    'Retrieve Volume connector and target records',
  ),
  'baremetal:volume:create': rule(
    SYSTEM_MEMBER_OR_OWNER_LESSEE_ADMIN,
    IS_ADMIN,
    'Create Volume connector and target records',
  ),
  'baremetal:volume:delete': rule(
    SYSTEM_MEMBER_OR_OWNER_LESSEE_ADMIN,
    IS_ADMIN,
    'Delete Volume connector and target records',
  ),
  'baremetal:volume:update': rule(
    SYSTEM_OR_OWNER_MEMBER_AND_LESSEE_ADMIN,
    IS_ADMIN,
    'Update Volume connector and target records',
  ),
  'baremetal:volume:view_target_properties': rule(
    or(SYSTEM_READER, 'role:admin'),
    IS_ADMIN,
    'Ability to view volume target properties',
  ),
  'baremetal:conductor:get': rule(SYSTEM_READER, IS_ADMIN_OR_OBSERVER, 'Retrieve Conductor records', SYSTEM),
  'baremetal:allocation:get': rule(
    or(SYSTEM_READER, ALLOCATION_OWNER('reader')),
    IS_ADMIN_OR_OBSERVER,
    'Retrieve Allocation records',
  ),
  'baremetal:allocation:list': rule(
    API_READER,
    'rule:baremetal:allocation:get',
    'Retrieve multiple Allocation records, filtered by owner',
  ),
  'baremetal:allocation:list_all': rule(
    SYSTEM_READER,
    'rule:baremetal:allocation:get and is_admin_project:True',
    'Retrieve multiple Allocation records',
  ),
  'baremetal:allocation:create': rule(
    or(SYSTEM_MEMBER, 'role:member'),
    'rule:is_admin and is_admin_project:True',
    'Create Allocation records',
  ),
  'baremetal:allocation:create_restricted': rule(
    SYSTEM_MEMBER,
    'rule:baremetal:allocation:create',
    'Create Allocation records with a specific owner',
  ),
  'baremetal:allocation:delete': rule(
    or(SYSTEM_MEMBER, ALLOCATION_OWNER('member')),
    IS_ADMIN,
    'Delete Allocation records',
  ),
  'baremetal:allocation:update': rule(
    or(SYSTEM_MEMBER, ALLOCATION_OWNER('member')),
    IS_ADMIN,
    'Change name and extra fields of an allocation',
  ),
  'baremetal:allocation:create_pre_rbac': rule(
    '(rule:is_member and role:baremetal_admin) or (is_admin_project:True and role:admin)',
    undefined,
    'Logic expected to be met for allocation creation before RBAC',
    ['project'],
  ),
  'baremetal:events:post': rule(SYSTEM_ADMIN, IS_ADMIN, 'Post events', SYSTEM),
  'baremetal:deploy_template:get': rule(
    SYSTEM_READER,
    IS_ADMIN_OR_OBSERVER,
    'Retrieve Deploy Template records',
    SYSTEM,
  ),
  'baremetal:deploy_template:create': rule(SYSTEM_ADMIN, IS_ADMIN, 'Create Deploy Template records', SYSTEM),
  'baremetal:deploy_template:delete': rule(SYSTEM_ADMIN, IS_ADMIN, 'Delete Deploy Template records', SYSTEM),
  'baremetal:deploy_template:update': rule(SYSTEM_ADMIN, IS_ADMIN, 'Update Deploy Template records', SYSTEM),
};
