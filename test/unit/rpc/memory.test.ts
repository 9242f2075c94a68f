import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { MessageUndeliverable, MessagingTimeout, RemoteError, TransportUnavailable } from '../../../src/rpc/errors.ts';
import { MemoryTransport } from '../../../src/rpc/memory.ts';
import type { IncomingRequest, Transport } from '../../../src/rpc/types.ts';

const TOPIC = 'ironic.conductor_manager';
const msg = (method: string, args: Record<string, unknown> = {}) => ({
  method,
  args,
  version: '1.0',
  context: { request_id: 'req-1', roles: ['admin'] },
});

describe('memory transport', () => {
  const open: Transport[] = [];
  const transport = (url: string): MemoryTransport => {
    const t = new MemoryTransport(url);
    open.push(t);
    return t;
  };
  afterEach(async () => {
    for (const t of open.splice(0)) await t.close();
  });

  it('calls a server on the shared topic and on its host topic, context included', async () => {
    const server = transport('memory://t1');
    const client = transport('memory://t1');
    const seen: IncomingRequest[] = [];
    await server.serve({ topic: TOPIC, server: 'sim-1' }, async (req) => {
      seen.push(req);
      return { echo: req.args, method: req.method };
    });
    assert.deepEqual(await client.call({ topic: TOPIC }, msg('a', { x: 1 }), 1000), { echo: { x: 1 }, method: 'a' });
    assert.deepEqual(await client.call({ topic: TOPIC, server: 'sim-1' }, msg('b'), 1000), { echo: {}, method: 'b' });
    // a full host topic as topic works like topic + server
    assert.deepEqual(await client.call({ topic: `${TOPIC}.sim-1` }, msg('c'), 1000), { echo: {}, method: 'c' });
    assert.deepEqual(
      seen.map((r) => r.method),
      ['a', 'b', 'c'],
    );
    assert.deepEqual(seen[0]!.context, { request_id: 'req-1', roles: ['admin'] });
  });

  it('serializes through JSON: non-JSON values do not survive', async () => {
    const server = transport('memory://t2');
    const client = transport('memory://t2');
    await server.serve({ topic: TOPIC, server: 's' }, async () => ({
      when: new Date('2020-01-02T03:04:05Z'),
      u: undefined,
    }));
    assert.deepEqual(await client.call({ topic: TOPIC }, msg('x'), 1000), { when: '2020-01-02T03:04:05.000Z' });
  });

  it('fails at once with MessageUndeliverable when nobody consumes the topic', async () => {
    const client = transport('memory://t3');
    const t0 = Date.now();
    await assert.rejects(client.call({ topic: TOPIC, server: 'nobody' }, msg('x'), 30_000), MessageUndeliverable);
    await assert.rejects(client.cast({ topic: TOPIC }, msg('x')), MessageUndeliverable);
    // well under the call's 30 s timeout, even on a busy machine
    assert.ok(Date.now() - t0 < 15_000, `took ${Date.now() - t0} ms`);
  });

  it('times out with MessagingTimeout and drops the late reply', async () => {
    const server = transport('memory://t4');
    const client = transport('memory://t4');
    let answered = 0;
    await server.serve({ topic: TOPIC, server: 's' }, async (req) => {
      await new Promise((r) => setTimeout(r, Number(req.args.delay)));
      answered++;
      return 'late';
    });
    const t0 = Date.now();
    await assert.rejects(client.call({ topic: TOPIC }, msg('slow', { delay: 150 }), 50), MessagingTimeout);
    assert.ok(Date.now() - t0 < 140);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(answered, 1);
    // the transport still works after a late reply
    assert.equal(await client.call({ topic: TOPIC }, msg('fast', { delay: 0 }), 500), 'late');
  });

  it('round-trips a RemoteError with class, message, kwargs and traceback', async () => {
    const server = transport('memory://t5');
    const client = transport('memory://t5');
    await server.serve({ topic: TOPIC, server: 's' }, async () => {
      throw new RemoteError('NodeLocked', 'Node n1 is locked', { node: 'n1', code: 409 }, 'ironic.common.exception', [
        'tb line\n',
      ]);
    });
    await assert.rejects(client.call({ topic: TOPIC }, msg('x'), 1000), (err: unknown) => {
      assert.ok(err instanceof RemoteError);
      assert.equal(err.exc_type, 'NodeLocked');
      assert.equal(err.message, 'Node n1 is locked');
      assert.deepEqual(err.kwargs, { node: 'n1', code: 409 });
      assert.deepEqual(err.remoteTraceback, ['tb line\n']);
      return true;
    });
  });

  it('casts without a reply', async () => {
    const server = transport('memory://t6');
    const client = transport('memory://t6');
    const got: string[] = [];
    let done!: () => void;
    const arrived = new Promise<void>((r) => {
      done = r;
    });
    await server.serve({ topic: TOPIC, server: 's' }, async (req) => {
      got.push(req.method);
      done();
      return 'ignored';
    });
    await client.cast({ topic: TOPIC, server: 's' }, msg('continue_node_clean'));
    await arrived;
    assert.deepEqual(got, ['continue_node_clean']);
  });

  it('fans a cast out to every server of the topic', async () => {
    const a = transport('memory://t7');
    const b = transport('memory://t7');
    const client = transport('memory://t7');
    const got: string[] = [];
    await a.serve({ topic: TOPIC, server: 'a' }, async () => {
      got.push('a');
      return null;
    });
    await b.serve({ topic: TOPIC, server: 'b' }, async () => {
      got.push('b');
      return null;
    });
    await client.cast({ topic: TOPIC, fanout: true }, msg('x'));
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(got.sort(), ['a', 'b']);
  });

  it('keeps buses of different names apart', async () => {
    const server = transport('memory://t8a');
    const client = transport('memory://t8b');
    await server.serve({ topic: TOPIC, server: 's' }, async () => 1);
    await assert.rejects(client.call({ topic: TOPIC }, msg('x'), 500), MessageUndeliverable);
  });

  it('rejects calls in flight when closed, and a stopped listener stops consuming', async () => {
    const server = transport('memory://t9');
    const client = transport('memory://t9');
    const listener = await server.serve({ topic: TOPIC, server: 's' }, () => new Promise(() => undefined));
    const inflight = client.call({ topic: TOPIC }, msg('x'), 5000);
    await new Promise((r) => setTimeout(r, 10));
    await client.close();
    await assert.rejects(inflight, TransportUnavailable);
    assert.equal(client.isConnected(), false);
    await listener.stop();
    const other = transport('memory://t9');
    await assert.rejects(other.call({ topic: TOPIC }, msg('x'), 500), MessageUndeliverable);
  });
});
