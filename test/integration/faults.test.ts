/**
 * Faults of the real stack under steady load (whichever release test/support/stack.sh runs:
 * it reads only the stack's environment): a conductor that answers slowly (SIGSTOP for less than
 * the RPC timeout), one that stops answering (SIGSTOP past it), one killed (SIGKILL) and
 * started again, and a broker restart. During a fault every answer is 503/504 with Retry-After
 * in Ironic's format or a success, and none waits past the RPC timeout (plus a margin for a busy
 * machine; the figure printed is the exact overshoot); a cast sent during it is kept by the
 * broker and consumed once the conductor is back; the load is served again after it (the time
 * that took is printed).
 *
 * With a second conductor (stack.sh start-second-conductor), a killed conductor leaves the
 * gateway's hash ring once its heartbeat is older than Ironic's heartbeat timeout (60 s), and
 * its nodes are then served by the survivor.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/config.ts';
import { makeContext } from '../../src/conductor/context.ts';
import { createGateway, type Gateway } from '../../src/gateway.ts';
import { stack } from '../support/stack-env.ts';

const RPC_TIMEOUT_S = 6;
/** What a busy 2-core machine may add to an answer's time past the RPC timeout. */
const MARGIN_MS = 5_000;
const latest = { 'x-openstack-ironic-api-version': 'latest', 'content-type': 'application/json' };

let gateway: Gateway;
let app: FastifyInstance;
let node: string;
let stopped = false;

before(async () => {
  const config = loadConfig({
    env: {},
    overrides: {
      ...stack.gatewaySettings(),
      log_level: 'silent',
      rpc_response_timeout: RPC_TIMEOUT_S,
      hash_ring_reset_interval: 2,
    },
  });
  gateway = await createGateway(config);
  app = gateway.app;
  const r = await app.inject({
    method: 'POST',
    url: '/v1/nodes',
    headers: latest,
    payload: { driver: 'fake-hardware', name: `fault-${process.pid}` },
  });
  assert.equal(r.statusCode, 201, r.body);
  node = r.json().uuid as string;
});

after(async () => {
  // the stack is shared with the rest of the suite: leave the conductor running
  if (stopped) await signalConductor('CONT');
  if (node) await app.inject({ method: 'DELETE', url: `/v1/nodes/${node}`, headers: latest });
  await gateway?.close();
});

/** Signals the conductor's processes (stack.sh signal-conductor: 39.0's master and its workers too). */
async function signalConductor(signal: 'STOP' | 'CONT' | 'KILL'): Promise<void> {
  await stack.sh('signal-conductor', signal);
}

interface Sample {
  start: number;
  ms: number;
  status: number;
  retryAfter: string | undefined;
  faultstring: string | undefined;
}

/** `workers` loops of GET node (a conductor RPC each), recording every answer, until stopped. */
function steadyLoad(workers = 4): { samples: Sample[]; stop(): Promise<Sample[]> } {
  const samples: Sample[] = [];
  let running = true;
  const loop = async () => {
    while (running) {
      const start = Date.now();
      const r = await app.inject({ url: `/v1/nodes/${node}`, headers: latest });
      let faultstring: string | undefined;
      if (r.statusCode >= 400) faultstring = JSON.parse(r.json().error_message).faultstring as string;
      const retry = r.headers['retry-after'];
      samples.push({
        start,
        ms: Date.now() - start,
        status: r.statusCode,
        retryAfter: typeof retry === 'string' ? retry : undefined,
        faultstring,
      });
      if (r.statusCode !== 200) await new Promise((res) => setTimeout(res, 100));
    }
  };
  const loops = Array.from({ length: workers }, loop);
  return {
    samples,
    stop: async () => {
      running = false;
      await Promise.all(loops);
      return samples;
    },
  };
}

/** Every answer is a success or a 503/504 with Retry-After and a reason; none waited past the RPC timeout. */
function checkAnswers(samples: Sample[]): { worstOvershootMs: number; byStatus: string } {
  const counts = new Map<number, number>();
  let worst = Number.NEGATIVE_INFINITY;
  for (const s of samples) {
    counts.set(s.status, (counts.get(s.status) ?? 0) + 1);
    worst = Math.max(worst, s.ms - RPC_TIMEOUT_S * 1000);
    if (s.status === 200) continue;
    assert.ok(s.status === 503 || s.status === 504, `an answer ${s.status}: ${s.faultstring}`);
    assert.equal(s.retryAfter, '5', `${s.status} without Retry-After`);
    assert.ok(s.faultstring, `${s.status} without a reason`);
  }
  assert.ok(
    worst <= MARGIN_MS,
    `an answer took ${worst} ms past the ${RPC_TIMEOUT_S} s RPC timeout (margin ${MARGIN_MS} ms)`,
  );
  const byStatus = [...counts].map(([s, n]) => `${s}:${n}`).join(' ');
  return { worstOvershootMs: worst, byStatus };
}

/** Milliseconds from `since` to the first 200 the load got after it. */
async function servedAgain(load: { samples: Sample[] }, since: number, withinMs = 120_000): Promise<number> {
  for (;;) {
    const ok = load.samples.find((s) => s.start >= since && s.status === 200);
    if (ok) return ok.start + ok.ms - since;
    if (Date.now() - since > withinMs) assert.fail(`not served again ${withinMs / 1000} s after the fault ended`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Messages waiting in the conductor's queue on the broker. */
async function queued(): Promise<number> {
  const out = await stack.sh('ctl', 'list_queues', 'name', 'messages');
  const line = out.split('\n').find((l) => l.split(/\s+/)[0] === `ironic.conductor_manager.${stack.conductorHost()}`);
  return line ? Number(line.split(/\s+/)[1]) : Number.NaN;
}

/**
 * Whether the conductor's queue holds a message within `ms`: RabbitMQ 4's quorum queues report
 * their counts with a delay (the statistics interval), so a message just sent may show late.
 */
async function queuedWithin(ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  for (;;) {
    if ((await queued()) >= 1) return true;
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** A cast (continue_node_clean: no reply) straight through the gateway's ConductorAPI. */
function cast(): Promise<void> {
  return gateway.conductor.continue_node_clean(
    makeContext({}),
    node,
    `ironic.conductor_manager.${stack.conductorHost()}`,
  );
}

async function drained(withinMs = 60_000): Promise<void> {
  const until = Date.now() + withinMs;
  while ((await queued()) !== 0) {
    if (Date.now() > until) assert.fail(`the conductor's queue still holds messages after ${withinMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

test('a conductor that answers slowly (stopped for 2 s, under the RPC timeout): every request is served', {
  timeout: 120_000,
}, async (t) => {
  const load = steadyLoad();
  await new Promise((r) => setTimeout(r, 1000));
  await signalConductor('STOP');
  stopped = true;
  await new Promise((r) => setTimeout(r, 2000));
  await signalConductor('CONT');
  stopped = false;
  await new Promise((r) => setTimeout(r, 1000));
  const samples = await load.stop();
  const statuses = new Set(samples.map((s) => s.status));
  assert.deepEqual([...statuses], [200], `answers ${[...statuses].join(', ')}`);
  t.diagnostic(`${samples.length} requests, all 200; slowest ${Math.max(...samples.map((s) => s.ms))} ms`);
});

test('a conductor stopped past the RPC timeout: 504 with Retry-After, none hung; a cast kept; served again after SIGCONT', {
  timeout: 180_000,
}, async (t) => {
  const load = steadyLoad();
  await new Promise((r) => setTimeout(r, 1000));
  await signalConductor('STOP');
  stopped = true;
  await new Promise((r) => setTimeout(r, (RPC_TIMEOUT_S + 4) * 1000));
  await cast();
  assert.ok(await queuedWithin(10_000), 'the cast waits on the broker for the stopped conductor');
  await signalConductor('CONT');
  stopped = false;
  const resumed = Date.now();
  const recoveryMs = await servedAgain(load, resumed);
  const samples = await load.stop();
  await drained();
  const { worstOvershootMs, byStatus } = checkAnswers(samples);
  assert.ok(
    samples.some((s) => s.status === 504),
    'requests during the stop timed out as 504',
  );
  t.diagnostic(
    `${samples.length} requests (${byStatus}); slowest answer ${worstOvershootMs} ms past the RPC timeout; ` +
      `served again ${recoveryMs} ms after SIGCONT; the cast was consumed`,
  );
});

test('a conductor killed during calls: 503/504 with Retry-After, none hung; a cast kept; served again once restarted', {
  timeout: 300_000,
}, async (t) => {
  const load = steadyLoad();
  await new Promise((r) => setTimeout(r, 1000));
  await signalConductor('KILL');
  await new Promise((r) => setTimeout(r, (RPC_TIMEOUT_S + 2) * 1000));
  await cast();
  const restarting = Date.now();
  await stack.sh('restart-conductor');
  const restartedMs = Date.now() - restarting;
  const restarted = Date.now();
  const recoveryMs = await servedAgain(load, restarted);
  const samples = await load.stop();
  await drained();
  const { worstOvershootMs, byStatus } = checkAnswers(samples);
  assert.ok(
    samples.some((s) => s.status >= 500),
    'requests while the conductor was dead failed as 503/504',
  );
  t.diagnostic(
    `${samples.length} requests (${byStatus}); slowest answer ${worstOvershootMs} ms past the RPC timeout; ` +
      `the conductor took ${restartedMs} ms to start again, the load was served ${recoveryMs} ms after that; the cast was consumed`,
  );
});

test('a broker restart under steady load: 503/504 with Retry-After, none hung; served again after it', {
  timeout: 300_000,
}, async (t) => {
  const load = steadyLoad();
  await new Promise((r) => setTimeout(r, 1000));
  const restarting = Date.now();
  await stack.sh('restart-rabbit');
  const restartedMs = Date.now() - restarting;
  const back = Date.now();
  const recoveryMs = await servedAgain(load, back, 180_000);
  const samples = await load.stop();
  const { worstOvershootMs, byStatus } = checkAnswers(samples);
  assert.ok(
    samples.some((s) => s.status === 503),
    'requests while the broker was away got 503',
  );
  t.diagnostic(
    `${samples.length} requests (${byStatus}); slowest answer ${worstOvershootMs} ms past the RPC timeout; ` +
      `the broker took ${restartedMs} ms to restart, the load was served ${recoveryMs} ms after that`,
  );
});

/** Ironic's [conductor]heartbeat_timeout, which the gateway's hash ring applies too. */
const HEARTBEAT_TIMEOUT_S = 60;

test('a killed conductor leaves the hash ring after the heartbeat timeout; its nodes go to the survivor', {
  timeout: 420_000,
}, async (t) => {
  const survivor = (await stack.sh('start-second-conductor')).trim().split('\n').at(-1)!;
  const victim = stack.conductorHost();
  const nodes: string[] = [];
  try {
    for (let i = 0; i < 8; i++) {
      const r = await app.inject({
        method: 'POST',
        url: '/v1/nodes',
        headers: latest,
        payload: { driver: 'fake-hardware', name: `fault-ring-${process.pid}-${i}` },
      });
      assert.equal(r.statusCode, 201, r.body);
      nodes.push(r.json().uuid as string);
    }
    const topicOf = async (uuid: string) =>
      gateway.conductor.get_topic_for({ uuid, driver: 'fake-hardware', conductor_group: '' });
    // the ring takes in the second conductor at its next refresh
    const until = Date.now() + 60_000;
    let topics: string[] = [];
    for (;;) {
      topics = await Promise.all(nodes.map(topicOf));
      if (new Set(topics).size === 2) break;
      if (Date.now() > until) assert.fail(`the ring never spread the nodes over both conductors: ${topics.join(' ')}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
    const victimNodes = nodes.filter((_, i) => topics[i]!.endsWith(`.${victim}`));

    await signalConductor('KILL');
    const killed = Date.now();
    // every node served again: the victim's once the ring has dropped it
    const statuses = new Map<number, number>();
    let allServedMs = 0;
    for (;;) {
      // boot device: an RPC to the node's own conductor (a node read goes to any conductor)
      const answers = await Promise.all(
        nodes.map((n) => app.inject({ url: `/v1/nodes/${n}/management/boot_device`, headers: latest })),
      );
      for (const a of answers) {
        statuses.set(a.statusCode, (statuses.get(a.statusCode) ?? 0) + 1);
        if (a.statusCode !== 200) {
          assert.ok(a.statusCode === 503 || a.statusCode === 504, `${a.statusCode}: ${a.body}`);
          assert.equal(a.headers['retry-after'], '5');
        }
      }
      if (answers.every((a) => a.statusCode === 200)) {
        allServedMs = Date.now() - killed;
        break;
      }
      if (Date.now() - killed > (HEARTBEAT_TIMEOUT_S + 120) * 1000)
        assert.fail("the victim's nodes were never served again");
      await new Promise((r) => setTimeout(r, 500));
    }
    const after = await Promise.all(nodes.map(topicOf));
    assert.ok(
      after.every((topic) => topic.endsWith(`.${survivor}`)),
      `every node routed to the survivor: ${after.join(' ')}`,
    );
    assert.ok(
      allServedMs >= (HEARTBEAT_TIMEOUT_S - 10) * 1000,
      `the victim left the ring ${allServedMs} ms after it died, before the heartbeat timeout`,
    );
    t.diagnostic(
      `${victimNodes.length} of ${nodes.length} nodes on the killed conductor; answers while it was in the ring ` +
        `${[...statuses].map(([s, n]) => `${s}:${n}`).join(' ')}; every node served again ${allServedMs} ms after the kill ` +
        `(heartbeat timeout ${HEARTBEAT_TIMEOUT_S} s)`,
    );
  } finally {
    // back to the stack the rest of the suite expects: the first conductor, alone
    await stack.sh('restart-conductor');
    for (const n of nodes) await app.inject({ method: 'DELETE', url: `/v1/nodes/${n}`, headers: latest });
    await stack.sh('stop-second-conductor');
  }
});
