/**
 * The simulated conductor on RabbitMQ (TEST_TRANSPORT_URL, set by test/support/stack.sh): the key
 * behaviours through ConductorAPI, and three simulators splitting nodes as the hash ring says.
 * Each test uses its own manager topic (queue names follow the topic) so the stack's real
 * conductor never consumes its messages.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { HashRing } from '../../src/conductor/hash-ring.ts';
import { createTransport } from '../../src/rpc/transport.ts';
import { stack } from '../support/stack-env.ts';
import { ctx, harness, keyBehaviours, nodes, poolFull } from '../unit/simulator/api-scenario.ts';

const url = process.env.TEST_TRANSPORT_URL;
const skip = url?.startsWith('rabbit://') ? false : 'TEST_TRANSPORT_URL (rabbit://) is not set';

const rabbit = () => () => createTransport(url!, stack.rabbitOptions());
const topic = () => `ironic.conductor_manager-simtest-${randomUUID().slice(0, 8)}`;

test('through ConductorAPI on rabbit://: state machine, locks, power, boot, traits, VIFs, vendor passthru, lists', {
  skip,
}, async () => {
  const h = await harness(rabbit(), [`sim-${randomUUID().slice(0, 6)}`], {
    nodes: 3,
    actionDelayMs: 50,
    topic: topic(),
  });
  try {
    await keyBehaviours(h.api);
  } finally {
    await h.close();
  }
});

test('through ConductorAPI on rabbit://: NoFreeConductorWorker when the pool is full', { skip }, async () => {
  const h = await harness(rabbit(), [`sim-${randomUUID().slice(0, 6)}`], {
    nodes: 2,
    workers: 1,
    actionDelayMs: 200,
    topic: topic(),
  });
  try {
    await poolFull(h.api);
  } finally {
    await h.close();
  }
});

test('three simulators on one RabbitMQ split the nodes as the hash ring says', { skip }, async () => {
  const tag = randomUUID().slice(0, 6);
  const hosts = ['a', 'b', 'c'].map((x) => `sim-${x}-${tag}`);
  // enough workers that one conductor owning most of the 24 random uuids still has room
  const h = await harness(rabbit(), hosts, { nodes: 24, workers: 30, actionDelayMs: 300, topic: topic() });
  try {
    const conductors = await h.api.object_class_action_versions(
      ctx(),
      'Conductor',
      'list',
      { Conductor: '1.2' },
      [],
      {},
    );
    assert.deepEqual(
      (conductors as Array<{ get(f: string): unknown }>).map((c) => c.get('hostname')).sort(),
      [...hosts].sort(),
    );
    const ring = new HashRing(hosts, 32);
    const served = new Map<string, number>();
    for (const node of await nodes(h.api)) {
      const uuid = String(node.get('uuid'));
      const expected = ring.getNode(uuid);
      const nodeTopic = await h.api.get_topic_for(node);
      assert.equal(nodeTopic, `${h.api.topic}.${expected}`);
      // an exclusive action reserves the node for the conductor that served it
      await h.api.do_provisioning_action(ctx(), uuid, 'manage', nodeTopic);
      const reservation = h.sims[0]!.store.node(uuid).reservation;
      assert.equal(reservation, expected, `node ${uuid} served by ${String(reservation)}`);
      served.set(expected, (served.get(expected) ?? 0) + 1);
    }
    assert.equal(served.size, 3, `every simulator should own some of 24 nodes: ${JSON.stringify([...served])}`);
    for (const s of h.sims) await s.idle();
    const states = (await nodes(h.api)).map((n) => n.get('provision_state'));
    assert.ok(
      states.every((s) => s === 'manageable'),
      String(states),
    );
  } finally {
    await h.close();
  }
});
