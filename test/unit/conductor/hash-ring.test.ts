import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RemoteError } from '../../../src/rpc/errors.ts';
import { HashRing, HashRingManager, type ConductorInfo } from '../../../src/conductor/hash-ring.ts';
import { loadHashRingVectors } from '../../support/wire-fixtures.ts';

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

describe('hash ring (tooz-compatible)', () => {
  const vectors = loadHashRingVectors();
  it('has vectors', () => assert.ok(vectors.length >= 12));
  for (const v of vectors) {
    it(`maps ${v.uuid} over ${v.hosts.join(',')} to ${v.replicas1}`, () => {
      assert.equal(new HashRing(v.hosts, v.partitions).getNode(v.uuid), v.replicas1);
      // host order does not matter
      assert.equal(new HashRing([...v.hosts].reverse(), v.partitions).getNode(v.uuid), v.replicas1);
    });
  }

  it('returns distinct replicas, the owner first', () => {
    const ring = new HashRing(['a', 'b', 'c']);
    const nodes = ring.getNodes('k', 5);
    assert.equal(nodes.length, 3);
    assert.equal(new Set(nodes).size, 3);
    assert.equal(nodes[0], ring.getNode('k'));
  });
});

describe('HashRingManager', () => {
  const make = (list: () => ConductorInfo[], now = () => 1_000_000_000_000) => {
    let loads = 0;
    const m = new HashRingManager(
      async () => {
        loads++;
        return list();
      },
      { partitionExponent: 5, resetIntervalS: 15, now },
    );
    return { m, loads: () => loads };
  };
  const alive = iso(1_000_000_000_000 - 5_000);

  it('keeps one ring per group:driver and one per driver, only over live conductors', async () => {
    const { m } = make(() => [
      { hostname: 'c1', conductor_group: '', drivers: ['fake-hardware', 'ipmi'], updated_at: alive },
      { hostname: 'c2', conductor_group: 'rack2', drivers: ['fake-hardware'], updated_at: alive },
      {
        hostname: 'dead',
        conductor_group: '',
        drivers: ['fake-hardware'],
        updated_at: iso(1_000_000_000_000 - 120_000),
      },
    ]);
    assert.deepEqual([...(await m.getRing('fake-hardware', '')).nodes], ['c1']);
    assert.deepEqual([...(await m.getRing('fake-hardware', 'rack2')).nodes], ['c2']);
    assert.deepEqual([...(await m.getRing('fake-hardware', null)).nodes].sort(), ['c1', 'c2']);
    assert.deepEqual([...(await m.getRing('ipmi', null)).nodes], ['c1']);
  });

  it('DriverNotFound for an unknown driver, TemporaryFailure when no conductor is alive', async () => {
    const { m } = make(() => [{ hostname: 'c1', conductor_group: '', drivers: ['fake-hardware'], updated_at: alive }]);
    await assert.rejects(
      m.getRing('ipmi', ''),
      (e: unknown) => e instanceof RemoteError && e.exc_type === 'DriverNotFound',
    );
    const { m: empty } = make(() => []);
    await assert.rejects(
      empty.getRing('fake-hardware', ''),
      (e: unknown) => e instanceof RemoteError && e.exc_type === 'TemporaryFailure',
    );
  });

  it('caches for the reset interval and reloads at once on a miss', async () => {
    let t = 1_000_000_000_000;
    let hosts: ConductorInfo[] = [
      { hostname: 'c1', conductor_group: '', drivers: ['fake-hardware'], updated_at: alive },
    ];
    const { m, loads } = make(
      () => hosts,
      () => t,
    );
    await m.getRing('fake-hardware', '');
    await m.getRing('fake-hardware', '');
    assert.equal(loads(), 1);
    // a new driver appears: the miss reloads without waiting for the interval
    hosts = [...hosts, { hostname: 'c2', conductor_group: '', drivers: ['ipmi'], updated_at: alive }];
    assert.deepEqual([...(await m.getRing('ipmi', '')).nodes], ['c2']);
    assert.equal(loads(), 2);
    t += 16_000;
    hosts = [{ hostname: 'c3', conductor_group: '', drivers: ['fake-hardware'], updated_at: iso(t) }];
    // past the interval the last rings still answer while they are rebuilt in the background
    assert.deepEqual([...(await m.getRing('fake-hardware', '')).nodes], ['c1']);
    await new Promise((r) => setImmediate(r));
    assert.equal(loads(), 3);
    assert.deepEqual([...(await m.getRing('fake-hardware', '')).nodes], ['c3']);
    assert.equal(loads(), 3);
  });

  it('a rebuild that fails keeps the last rings; the next interval tries again', async () => {
    let t = 1_000_000_000_000;
    let fail = false;
    let loads = 0;
    const m = new HashRingManager(
      async () => {
        loads++;
        if (fail) throw new Error('MessagingTimeout');
        return [{ hostname: 'c1', conductor_group: '', drivers: ['fake-hardware'], updated_at: iso(t) }];
      },
      { partitionExponent: 5, resetIntervalS: 15, heartbeatTimeoutS: 60, now: () => t },
    );
    await m.getRing('fake-hardware', '');
    fail = true;
    t += 16_000;
    assert.deepEqual([...(await m.getRing('fake-hardware', '')).nodes], ['c1'], 'no wait for the failing rebuild');
    await new Promise((r) => setImmediate(r));
    assert.deepEqual([...(await m.getRing('fake-hardware', '')).nodes], ['c1']);
    assert.equal(loads, 3, 'each lookup past the interval tries a rebuild, none waits for it');
  });

  it('counts the live conductors of the last build without waiting, starting a build when there is none', async () => {
    let t = 1_000_000_000_000;
    let loads = 0;
    let conductors = [
      { hostname: 'c1', conductor_group: '', drivers: ['fake-hardware', 'ipmi'], updated_at: iso(t) },
      { hostname: 'c2', conductor_group: 'g1', drivers: ['fake-hardware'], updated_at: iso(t) },
      { hostname: 'dead', conductor_group: '', drivers: ['fake-hardware'], updated_at: iso(t - 120_000) },
    ];
    const m = new HashRingManager(
      async () => {
        loads++;
        return conductors;
      },
      { partitionExponent: 5, resetIntervalS: 15, heartbeatTimeoutS: 60, now: () => t },
    );
    assert.equal(m.liveCountNow(), null, 'no build yet: nothing to count');
    assert.equal(loads, 1, 'but one started');
    await new Promise((r) => setImmediate(r));
    assert.equal(m.liveCountNow(), 2, 'each live host once, whatever its drivers and group; the dead one not');
    assert.equal(loads, 1, 'no rebuild within the interval');
    conductors = [...conductors, { hostname: 'c3', conductor_group: '', drivers: ['ipmi'], updated_at: iso(t) }];
    t += 16_000;
    assert.equal(m.liveCountNow(), 2, 'the last count while the rebuild runs');
    await new Promise((r) => setImmediate(r));
    assert.equal(m.liveCountNow(), 3);
    assert.equal(loads, 2);
  });
});
