/** The named microversion table: Ironic's names, in order, and no bare microversion elsewhere. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import * as versions from '../../../src/http/versions.ts';
import { linesMatching } from '../../support/source-lines.ts';

const IRONIC_VERSIONS = '/usr/lib/python3/dist-packages/ironic/api/controllers/v1/versions.py';

const named = Object.entries(versions).filter(([k]) => /^MINOR_\d+_/.test(k)) as [string, number][];

test('every MINOR_<n>_<NAME> constant is worth n, one per microversion, 1 to the maximum', () => {
  for (const [name, value] of named) assert.equal(value, Number(/^MINOR_(\d+)_/.exec(name)?.[1]), name);
  const minors = named.map(([, v]) => v).sort((a, b) => a - b);
  assert.deepEqual(
    minors,
    Array.from({ length: versions.MINOR_MAX_VERSION }, (_, i) => i + 1),
  );
  assert.equal(versions.MINOR_MIN_VERSION, 1);
});

const CHROOT_VERSIONS = `${process.env.IRONIC_CHROOT_DIR ?? '/var/cache/ironic-gateway/sid-ironic'}${IRONIC_VERSIONS}`;

function namesIn(file: string): Map<string, number> {
  return new Map(
    [...readFileSync(file, 'utf8').matchAll(/^(MINOR_\d+_\w+) = (\d+)$/gm)].map((m) => [m[1], Number(m[2])]),
  );
}

test('the names are those of Ironic 21.4’s versions.py, up to its 1.82', {
  skip: !existsSync(IRONIC_VERSIONS) && 'Ironic is not installed',
}, () => {
  const theirs = namesIn(IRONIC_VERSIONS);
  for (const [name, value] of named) {
    if (value <= versions.MINOR_82_NODE_SHARD) assert.equal(theirs.get(name), value, `${name} in ${IRONIC_VERSIONS}`);
  }
});

test('the names are those of Ironic 39.0’s versions.py, every one', {
  skip: !existsSync(CHROOT_VERSIONS) && 'the 39.0 chroot is not built',
}, () => {
  const theirs = namesIn(CHROOT_VERSIONS);
  theirs.delete('MINOR_0_JUNO'); // the pre-microversion API, not served
  assert.equal(theirs.size, named.length);
  for (const [name, value] of named) assert.equal(theirs.get(name), value, `${name} in ${CHROOT_VERSIONS}`);
});

test('each microversion names the first release that served it', () => {
  assert.ok(versions.API_RELEASES.some((r) => r.api === versions.MINOR_MAX_VERSION));
  assert.equal(versions.releaseOf(versions.MINOR_82_NODE_SHARD), '21.4');
  assert.equal(versions.releaseOf(versions.MINOR_115_NODE_HISTORY_FIELDS), '39.0');
  assert.equal(versions.releaseOf(versions.MINOR_110_DEPLOYWAIT_ABORT), '35.0');
  assert.equal(versions.releaseOf(versions.MINOR_89_ATTACH_DETACH_VMEDIA), '24.0');
  assert.equal(versions.releaseOf(versions.MINOR_52_ALLOCATION), '12.1');
  assert.equal(versions.releaseOf(versions.MINOR_39_INSPECT_WAIT), '11.0');
  assert.equal(versions.releaseOf(versions.MINOR_37_NODE_TRAITS), '10.1');
  assert.equal(versions.releaseOf(versions.MINOR_38_RESCUE_INTERFACE), '10.1');
  assert.equal(versions.releaseOf(versions.MINOR_36_AGENT_VERSION_HEARTBEAT), '≤10.0');
});

test('predicates and checks read the negotiated version', () => {
  const at = (minor: number) => ({ apiVersion: { major: 1, minor } });
  assert.equal(versions.allowSoftPowerOff(at(26)), false);
  assert.equal(versions.allowSoftPowerOff(at(27)), true);
  assert.throws(() => versions.checkAllows(at(31), versions.MINOR_32_VOLUME), /Request not acceptable/);
  assert.doesNotThrow(() => versions.checkAllows(at(32), versions.MINOR_32_VOLUME));
  assert.match(
    String(versions.needsVersion(versions.MINOR_16_DRIVER_FILTER)),
    /minimal required API version should be 1\.16/,
  );
});

// What a bare microversion looks like in code: compared with `.minor`, given as a route's
// minVersion or a lookup's namesFrom, or a number cast to the brand.
const BARE = [
  /\.minor\s*[<>]=?\s*\d/,
  /\d\s*[<>]=?\s*[\w.]*\.minor\b/,
  /\b(minVersion|namesFrom)\s*:\s*\d/,
  /as Microversion\b/,
  /\batLeast\(/,
];

test('no bare microversion number outside src/http/versions.ts', () => {
  assert.deepEqual(
    linesMatching('src', BARE, (file) => file === 'src/http/versions.ts'),
    [],
  );
});
