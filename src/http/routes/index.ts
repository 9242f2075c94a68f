/** Every resource route table of the API, in one list: the REST ⇄ RPC map. */
import type { RouteDef } from '../route.ts';

export const resourceRoutes: readonly RouteDef[] = [];
