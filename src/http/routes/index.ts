/** Every resource route table of the API, in one list: the REST ⇄ RPC map. */
import type { RouteDef } from '../route.ts';
import { allocationRoutes } from './allocations.ts';
import { chassisRoutes } from './chassis.ts';
import { driverRoutes } from './drivers.ts';
import { nodeRoutes } from './nodes/index.ts';
import { portgroupRoutes } from './portgroups.ts';
import { portRoutes } from './ports.ts';
import { ramdiskRoutes } from './ramdisk.ts';
import { volumeRoutes } from './volume.ts';
// issue 14, the resources slice
import { conductorRoutes } from './conductors.ts';
import { deployTemplateRoutes } from './deploy-templates.ts';
import { eventRoutes } from './events.ts';
import { shardRoutes } from './shards.ts';
// issue 15, slice runbooks
import { inspectionRuleRoutes } from './inspection-rules.ts';
import { runbookRoutes } from './runbooks.ts';

export const resourceRoutes: readonly RouteDef[] = [
  ...nodeRoutes,
  ...portRoutes,
  ...portgroupRoutes,
  ...chassisRoutes,
  ...driverRoutes,
  ...ramdiskRoutes,
  ...volumeRoutes,
  ...allocationRoutes,
  // issue 14, the resources slice
  ...conductorRoutes,
  ...deployTemplateRoutes,
  ...eventRoutes,
  ...shardRoutes,
  // issue 15, slice runbooks
  ...runbookRoutes,
  ...inspectionRuleRoutes,
];
