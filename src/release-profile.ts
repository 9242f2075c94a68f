/**
 * What this build of the gateway implements, and the profile a configuration gets from it:
 * `pin_release_version` resolved against src/releases.ts (see ReleaseProfile there).
 */
import { OBJECT_VERSIONS } from './conductor/objects.ts';
import { RPC_API_VERSION } from './conductor/rpc-methods.ts';
import { MINOR_MAX_VERSION } from './http/versions.ts';
import { releaseProfile, type GatewaySupport, type ReleaseProfile } from './releases.ts';

export type { ReleaseProfile } from './releases.ts';

/** The newest microversion, RPC version and object versions the gateway implements. */
export const GATEWAY_SUPPORT: GatewaySupport = {
  apiMinor: MINOR_MAX_VERSION,
  rpc: RPC_API_VERSION,
  objects: OBJECT_VERSIONS,
};

/** The release profile of a configuration (`pin_release_version` unset or empty: the newest). */
export function gatewayProfile(config: { pin_release_version?: string | null }): ReleaseProfile {
  return releaseProfile(config.pin_release_version, GATEWAY_SUPPORT);
}
