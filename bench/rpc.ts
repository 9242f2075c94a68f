/**
 * RPC round trip: the gateway's RpcClient (oslo envelope with a full request context, rabbit
 * transport) beside raw amqplib request/reply on the same broker, serial and with 32 calls in
 * flight, all answered by echo responders in another process (bench/echo-server.ts).
 *
 * Two raw baselines: a 30-byte echo (the broker's floor for any request/reply), and a raw
 * amqplib client sending the gateway's exact request bytes, pre-encoded once, matching replies
 * by order without parsing them (the floor for the oslo protocol: no client can do less per
 * call). The client's cost is the gateway beside the second; the first shows what the oslo
 * message itself costs. Prints figures only. Uses TEST_TRANSPORT_URL, else .tmp/stack-21.4.env,
 * else starts the stack with test/support/stack.sh (and stops it afterwards).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { connect } from 'amqplib';
import { createConductorAPI, createConductorRpcClient } from '../src/conductor/api.ts';
import { makeContext, toWireContext } from '../src/conductor/context.ts';
import { RpcClient } from '../src/rpc/client.ts';
import { RabbitTransport } from '../src/rpc/rabbit.ts';
import { encodeRequest, newId, requestProperties } from '../src/rpc/wire.ts';
import { testStack } from './stack.ts';

type Call = () => Promise<unknown>;

export interface RpcBenchOptions {
  serial?: number;
  parallel?: number;
  inFlight?: number;
}

interface Figures {
  meanMs: number;
  p50Ms: number;
  p99Ms: number;
  perSecond: number;
}

function figures(times: number[], totalMs: number): Figures {
  times.sort((a, b) => a - b);
  const n = times.length;
  return {
    meanMs: times.reduce((a, b) => a + b, 0) / n,
    p50Ms: times[Math.floor(n / 2)]!,
    p99Ms: times[Math.floor(n * 0.99)]!,
    perSecond: (n * 1000) / totalMs,
  };
}

/**
 * Serial round trips, the clients interleaved call by call so that a busy machine's drift
 * weighs on all of them alike.
 */
async function serialInterleaved(calls: Call[], n: number): Promise<Figures[]> {
  const times = calls.map(() => [] as number[]);
  const spent = calls.map(() => 0);
  for (let i = 0; i < n; i++) {
    for (const [k, call] of calls.entries()) {
      const s = performance.now();
      await call();
      const d = performance.now() - s;
      times[k]!.push(d);
      spent[k]! += d;
    }
  }
  return calls.map((_, k) => figures(times[k]!, spent[k]!));
}

async function parallel(call: Call, n: number, inFlight: number): Promise<Figures> {
  const times: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next++ < n) {
        const s = performance.now();
        await call();
        times.push(performance.now() - s);
      }
    }),
  );
  return figures(times, performance.now() - t0);
}

/** `rounds` alternating rounds per client; each client's median round (by throughput). */
async function parallelRounds(calls: Call[], n: number, inFlight: number, rounds: number): Promise<Figures[]> {
  const runs = calls.map(() => [] as Figures[]);
  for (let r = 0; r < rounds; r++)
    for (const [k, call] of calls.entries()) runs[k]!.push(await parallel(call, Math.ceil(n / rounds), inFlight));
  return runs.map((rs) => rs.sort((a, b) => a.perSecond - b.perSecond)[Math.floor(rs.length / 2)]!);
}

/** Starts bench/echo-server.ts in its own process; resolves once it serves. */
async function startResponders(url: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'echo-server.ts'), url], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`echo server exited with ${code}`)));
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) resolve();
    });
  });
  return child;
}

/** A plain amqplib request/reply client: the floor any AMQP RPC client can reach on this broker. */
async function rawClient(url: string): Promise<{ call: Call; close: () => Promise<void> }> {
  const conn = await connect(url.replace(/^rabbit:/, 'amqp:'), { noDelay: true });
  const ch = await conn.createChannel();
  const rq = await ch.assertQueue('', { exclusive: true, autoDelete: true });
  const waiting = new Map<string, () => void>();
  await ch.consume(
    rq.queue,
    (m) => {
      if (!m) return;
      const id = m.properties.correlationId as string;
      waiting.get(id)?.();
      waiting.delete(id);
    },
    { noAck: true },
  );
  let seq = 0;
  const body = Buffer.from(JSON.stringify({ method: 'echo', args: { x: 1 } }));
  return {
    call: () =>
      new Promise<void>((resolve) => {
        const id = String(seq++);
        waiting.set(id, resolve);
        ch.publish('', 'bench.raw', body, { replyTo: rq.queue, correlationId: id });
      }),
    close: () => conn.close(),
  };
}

/**
 * A hand-rolled amqplib client sending the gateway's exact bytes and properties (oslo envelope,
 * full context, mandatory, expiration) to the minimal oslo responder: the floor for the oslo
 * protocol itself. One consumer on one queue answers in order, so replies match by order.
 */
async function rawOsloClient(url: string): Promise<{ call: Call; close: () => Promise<void> }> {
  const conn = await connect(url.replace(/^rabbit:/, 'amqp:'), { noDelay: true });
  const ch = await conn.createChannel();
  const rq = await ch.assertQueue('', { exclusive: true, autoDelete: true });
  const fifo: Array<() => void> = [];
  await ch.consume(
    rq.queue,
    (m) => {
      if (m) fifo.shift()?.();
    },
    { noAck: true },
  );
  const body = encodeRequest(
    { method: 'echo', args: { x: 1 }, version: '1.0', context: toWireContext(makeContext()) },
    { msgId: newId(), replyQ: rq.queue, timeout: null },
  );
  const props = { ...requestProperties(30_000), mandatory: true };
  return {
    call: () =>
      new Promise<void>((resolve) => {
        fifo.push(resolve);
        ch.publish('ironic', 'bench.oslo.bench-1', body, props);
      }),
    close: () => conn.close(),
  };
}

/** The gateway's RpcClient on the rabbit transport (oslo envelope, mandatory, expiration, reply queue). */
function gatewayClient(url: string, topic: string): { call: Call; close: () => Promise<void> } {
  const transport = new RabbitTransport(url);
  const client = new RpcClient(transport, { defaultTimeoutMs: 30_000, serializeContext: toWireContext });
  const ctx = makeContext();
  return {
    call: () => client.call(ctx, { topic, server: 'bench-1' }, 'echo', { x: 1 }, { version: '1.0' }),
    close: () => transport.close(),
  };
}

/** alternating rounds per client with calls in flight; each client's median round counts */
const ROUNDS = 7;

const fmt = (f: Figures): string =>
  `mean ${f.meanMs.toFixed(3)} ms  p50 ${f.p50Ms.toFixed(3)} ms  p99 ${f.p99Ms.toFixed(3)} ms  ${Math.round(f.perSecond).toLocaleString('en-US').padStart(7)} calls/s`;

export async function benchRpc(options: RpcBenchOptions = {}): Promise<void> {
  const nSerial = options.serial ?? 3000;
  const nParallel = options.parallel ?? 30000;
  const inFlight = options.inFlight ?? 32;
  const stack = testStack();
  try {
    const responders = await startResponders(stack.url);
    const raw = await rawClient(stack.url);
    const rawOslo = await rawOsloClient(stack.url);
    const gw = gatewayClient(stack.url, 'bench.oslo');
    const gwServe = gatewayClient(stack.url, 'bench.conductor_manager');
    // warm up every path (JIT, broker queues)
    const clients = [raw, rawOslo, gw, gwServe];
    await serialInterleaved(
      clients.map((c) => c.call),
      300,
    );
    const [rawSerial, rawOsloSerial, gwSerial, serveSerial] = (await serialInterleaved(
      clients.map((c) => c.call),
      nSerial,
    )) as [Figures, Figures, Figures, Figures];
    const [rawPar, rawOsloPar, gwPar, servePar] = (await parallelRounds(
      clients.map((c) => c.call),
      nParallel,
      inFlight,
      ROUNDS,
    )) as [Figures, Figures, Figures, Figures];
    console.log(
      `\nRPC round trip on ${stack.url.replace(/\/\/[^@]*@/, '//')}: ${nSerial} serial calls per client, interleaved; ${nParallel} with ${inFlight} in flight, median of ${ROUNDS} alternating rounds`,
    );
    const row = (label: string, f: Figures): void => console.log(`  ${label.padEnd(46)} ${fmt(f)}`);
    const ratio = (label: string, text: string): void => console.log(`  ${label.padEnd(46)} ${text}`);
    const x = (n: number): string => `${n.toFixed(2)}×`;
    console.log('  serial');
    row('raw amqplib echo, 30-byte body (broker floor)', rawSerial);
    row('raw amqplib, same oslo request bytes', rawOsloSerial);
    row('gateway RpcClient → minimal oslo responder', gwSerial);
    row('gateway RpcClient → RabbitTransport.serve', serveSerial);
    console.log(`  ${inFlight} in flight`);
    row('raw amqplib echo, 30-byte body (broker floor)', rawPar);
    row('raw amqplib, same oslo request bytes', rawOsloPar);
    row('gateway RpcClient → minimal oslo responder', gwPar);
    row('gateway RpcClient → RabbitTransport.serve', servePar);
    // the target (≤ 1.2×) is the client's cost: the gateway beside raw amqplib carrying the same request
    console.log('  gateway client beside raw amqplib with the same request (target ≤ 1.2×)');
    ratio('  mean round trip, serial', x(gwSerial.meanMs / rawOsloSerial.meanMs));
    ratio('  throughput, in flight', x(rawOsloPar.perSecond / gwPar.perSecond));
    // the 30-byte echo shows what the oslo message itself costs: a raw client that sends it
    // pre-encoded and never parses a reply is already this far from the echo
    console.log('  beside the 30-byte echo: gateway client / raw client with the oslo bytes');
    ratio(
      '  mean round trip, serial',
      `${x(gwSerial.meanMs / rawSerial.meanMs)} / ${x(rawOsloSerial.meanMs / rawSerial.meanMs)}`,
    );
    ratio(
      '  throughput, in flight',
      `${x(rawPar.perSecond / gwPar.perSecond)} / ${x(rawPar.perSecond / rawOsloPar.perSecond)}`,
    );
    await raw.close();
    await rawOslo.close();
    await gw.close();
    await gwServe.close();
    responders.kill('SIGTERM');

    if (stack.host) {
      // for scale: the real Python conductor answering an indirection call
      const transport = new RabbitTransport(stack.url);
      const api = createConductorAPI(createConductorRpcClient(transport, { rpc_response_timeout: 30 }), {
        hash_partition_exponent: 5,
        hash_ring_reset_interval: 15,
      });
      const ctx = makeContext({ is_admin: true });
      const call = () => api.object_class_action_versions(ctx, 'Conductor', 'list', { Conductor: '1.2' }, [], {});
      await serialInterleaved([call], 20);
      const [real] = await serialInterleaved([call], 200);
      console.log(`  ${'serial, real ironic-conductor Conductor.list'.padEnd(46)} ${fmt(real!)}`);
      await transport.close();
    }
  } finally {
    stack.stop?.();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchRpc();
