import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareVersions, parseVersion, versionTuple, versionWithin } from '../../../src/rpc/version.ts';

describe('RPC and object versions', () => {
  it('compares versions like oslo: same major, minor not above the cap', () => {
    assert.equal(versionWithin('1.44', '1.44'), true);
    assert.equal(versionWithin('1.44', '1.9'), true);
    assert.equal(versionWithin('1.44', '1.45'), false);
    assert.equal(versionWithin('1.44', '2.0'), false);
    assert.equal(versionWithin('1.10', '1.9'), true, 'numeric, not lexical');
    assert.equal(versionWithin('1.44', '1'), true, 'a missing minor is 0');
    assert.equal(versionWithin('1.44', 'one.two'), false);
  });

  it('orders versions numerically; anything compared with a non-version is false', () => {
    assert.ok(compareVersions('1.9', '1.10') < 0);
    assert.ok(compareVersions('1.23', '1.7') > 0);
    assert.ok(compareVersions('2.0', '1.99') > 0);
    assert.equal(compareVersions('1.3', '1.3'), 0);
    assert.equal(compareVersions('1.3.1', '1.3'), 0, "oslo's revision is ignored");
    const bad = compareVersions('x', '1.0');
    assert.equal(bad < 0 || bad > 0 || bad === 0, false);
  });

  it('parses X.Y strictly for a configured cap', () => {
    assert.deepEqual(parseVersion('1.44'), [1, 44]);
    assert.throws(() => parseVersion('1'), TypeError);
    assert.throws(() => parseVersion('latest'), TypeError);
    assert.deepEqual(versionTuple('1'), [1, 0]);
    assert.equal(versionTuple('1.x'), null);
  });
});
