/** Every node route of the Bare Metal API 1.1–1.38: the node part of the REST ⇄ RPC map. */
import type { RouteDef } from '../../route.ts';
import { crudRoutes } from './crud.ts';
import { indicatorRoutes } from './indicators.ts';
import { managementRoutes } from './management.ts';
import { readRoutes } from './reads.ts';
import { stateRoutes } from './states.ts';
import { subresourceRoutes } from './subresources.ts';
import { traitRoutes } from './traits.ts';
import { vendorRoutes } from './vendor.ts';
import { vifRoutes } from './vifs.ts';
// issue 15, slice vmedia
import { vmediaRoutes } from './vmedia.ts';

export const nodeRoutes: readonly RouteDef[] = [
  ...readRoutes,
  ...crudRoutes,
  ...stateRoutes,
  ...managementRoutes,
  ...indicatorRoutes,
  ...vendorRoutes,
  ...traitRoutes,
  ...vifRoutes,
  ...subresourceRoutes,
  ...vmediaRoutes,
];
