/**
 * The responders for bench/rpc.ts, in their own process (as a conductor would be), so the bench
 * process measures only the clients: a raw amqplib echo on queue `bench.raw`, a minimal oslo
 * echo written on amqplib (topic `bench.oslo`, server `bench-1`), and RabbitTransport.serve's
 * echo (topic `bench.conductor_manager`, server `bench-1`).
 */
import { connect } from 'amqplib';
import { RabbitTransport } from '../src/rpc/rabbit.ts';

const url = process.argv[2];
if (!url) throw new Error('usage: echo-server.ts <rabbit url>');

const conn = await connect(url.replace(/^rabbit:/, 'amqp:'), { noDelay: true });
const ch = await conn.createChannel();
await ch.assertQueue('bench.raw', { exclusive: true, autoDelete: true });
await ch.consume(
  'bench.raw',
  (m) => {
    if (m) ch.publish('', m.properties.replyTo, m.content, { correlationId: m.properties.correlationId });
  },
  { noAck: true },
);

// a minimal oslo responder (what any conductor must do: read _msg_id/_reply_q, answer the envelope)
await ch.assertExchange('ironic', 'topic', { durable: false, autoDelete: false });
await ch.assertQueue('bench.oslo.bench-1', { exclusive: true, autoDelete: true });
await ch.bindQueue('bench.oslo.bench-1', 'ironic', 'bench.oslo.bench-1');
await ch.consume(
  'bench.oslo.bench-1',
  (m) => {
    if (!m) return;
    const inner = JSON.parse(JSON.parse(m.content.toString())['oslo.message']);
    const reply = JSON.stringify({
      result: inner.args,
      failure: null,
      ending: true,
      _msg_id: inner._msg_id,
      _unique_id: inner._unique_id,
    });
    ch.publish('', inner._reply_q, Buffer.from(JSON.stringify({ 'oslo.version': '2.0', 'oslo.message': reply })), {
      contentType: 'application/json',
      contentEncoding: 'utf-8',
      deliveryMode: 2,
      priority: 0,
    });
  },
  { noAck: true },
);

// the transport's own server side, as the simulator uses it
const server = new RabbitTransport(url);
await server.serve({ topic: 'bench.conductor_manager', server: 'bench-1' }, async (req) => req.args);

process.stdout.write('ready\n');
let stopping = false;
const stop = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  await server.close();
  await conn.close().catch(() => undefined);
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.stdin.on('end', () => void stop());
process.stdin.resume();
