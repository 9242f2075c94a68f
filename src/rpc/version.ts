/**
 * 'X.Y' versions — the conductor's RPC API versions and oslo.versionedobjects' object versions —
 * compared as numbers: the one comparator the client, the HTTP layer and the simulator share
 * (oslo.messaging's `version_is_compatible`, oslo.versionedobjects' `convert_version_to_tuple`).
 */

/** 'X.Y' (or 'X', minor 0; a third part, oslo's revision, is ignored) → [X, Y]; null when not numeric. */
export function versionTuple(v: string): [major: number, minor: number] | null {
  const m = /^(\d+)(?:\.(\d+)(?:\.\d+)?)?$/.exec(v);
  return m ? [Number(m[1]), Number(m[2] ?? 0)] : null;
}

/** Parses 'X.Y' strictly (a configured version cap); throws TypeError on anything else. */
export function parseVersion(v: string): [major: number, minor: number] {
  const m = /^(\d+)\.(\d+)$/.exec(v);
  if (!m) throw new TypeError(`not an RPC version: ${v}`);
  return [Number(m[1]), Number(m[2])];
}

/**
 * Negative, zero or positive as `a` is below, equal to or above `b`; NaN when either is not a
 * version, so that every comparison with it is false.
 */
export function compareVersions(a: string, b: string): number {
  const x = versionTuple(a);
  const y = versionTuple(b);
  if (!x || !y) return Number.NaN;
  return x[0] - y[0] || x[1] - y[1];
}

/** oslo's version_is_compatible(cap, v): same major, minor not above the cap's; false when either is not a version. */
export function versionWithin(cap: string, v: string): boolean {
  const c = versionTuple(cap);
  const x = versionTuple(v);
  return c !== null && x !== null && c[0] === x[0] && x[1] <= c[1];
}
