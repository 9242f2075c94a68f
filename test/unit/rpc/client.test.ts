import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RpcClient } from '../../../src/rpc/client.ts';
import { MessagingTimeout, RpcVersionCapError } from '../../../src/rpc/errors.ts';
import { MemoryTransport } from '../../../src/rpc/memory.ts';
import { createTransport } from '../../../src/rpc/transport.ts';
import { RabbitTransport } from '../../../src/rpc/rabbit.ts';
import type { IncomingRequest } from '../../../src/rpc/types.ts';

describe('RpcClient', () => {
  it('refuses a method above the cap with RpcVersionCapError, before sending', async () => {
    const t = new MemoryTransport('memory://client-cap');
    let sent = 0;
    await t.serve({ topic: 'top', server: 's' }, async () => {
      sent++;
      return null;
    });
    const client = new RpcClient<{ id: string }>(t, {
      defaultTimeoutMs: 1000,
      versionCap: '1.40',
      serializeContext: (c) => ({ request_id: c.id }),
    });
    assert.equal(client.canSendVersion('1.40'), true);
    assert.equal(client.canSendVersion('1.41'), false);
    await assert.rejects(
      client.call({ id: 'r' }, { topic: 'top' }, 'create_port', {}, { version: '1.41' }),
      RpcVersionCapError,
    );
    await assert.rejects(client.cast({ id: 'r' }, { topic: 'top' }, 'x', {}, { version: '1.41' }), RpcVersionCapError);
    await client.call({ id: 'r' }, { topic: 'top' }, 'ok', {}, { version: '1.40' });
    assert.equal(sent, 1);
    await t.close();
  });

  it('sends the serialized context and arguments and deserializes the result', async () => {
    const t = new MemoryTransport('memory://client-ser');
    let seen: IncomingRequest | undefined;
    await t.serve({ topic: 'top', server: 's' }, async (req) => {
      seen = req;
      return { n: 41 };
    });
    const client = new RpcClient<{ id: string }>(t, {
      defaultTimeoutMs: 1000,
      serializeContext: (c) => ({ request_id: c.id }),
      serializer: { serialize: (v) => ({ wrapped: v }), deserialize: (v) => (v as { n: number }).n + 1 },
    });
    assert.equal(await client.call({ id: 'req-9' }, { topic: 'top' }, 'm', { a: 1 }, { version: '1.2' }), 42);
    assert.deepEqual(seen, {
      method: 'm',
      args: { wrapped: { a: 1 } },
      version: '1.2',
      context: { request_id: 'req-9' },
    });
    await t.close();
  });

  it('rejects (never throws) an argument JSON cannot carry, sends nothing, and tells the observer', async () => {
    const t = new MemoryTransport('memory://client-bad-arg');
    let sent = 0;
    await t.serve({ topic: 'top', server: 's' }, async () => {
      sent++;
      return null;
    });
    const events: string[] = [];
    const client = new RpcClient(t, {
      defaultTimeoutMs: 1000,
      serializeContext: (c: Record<string, unknown>) => c,
      observer: (e) => events.push(`${e.kind} ${e.method} ${e.outcome}`),
    });
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    let call: Promise<unknown> | undefined;
    assert.doesNotThrow(() => {
      call = client.call({}, { topic: 'top' }, 'm', { circular }, { version: '1.0' });
    });
    await assert.rejects(call!, TypeError);
    await assert.rejects(client.cast({}, { topic: 'top' }, 'c', { big: 1n }, { version: '1.0' }), TypeError);
    assert.equal(sent, 0);
    assert.deepEqual(events, ['call m TypeError', 'cast c TypeError']);
    await t.close();
  });

  it('uses the default timeout unless the call sets one', async () => {
    const t = new MemoryTransport('memory://client-timeout');
    await t.serve({ topic: 'top', server: 's' }, () => new Promise(() => undefined));
    const client = new RpcClient(t, { defaultTimeoutMs: 60, serializeContext: (c: Record<string, unknown>) => c });
    let t0 = Date.now();
    await assert.rejects(client.call({}, { topic: 'top' }, 'm', {}, { version: '1.0' }), MessagingTimeout);
    const d1 = Date.now() - t0;
    assert.ok(d1 >= 55 && d1 < 500, `default timeout took ${d1} ms`);
    t0 = Date.now();
    await assert.rejects(
      client.call({}, { topic: 'top' }, 'm', {}, { version: '1.0', timeoutMs: 20 }),
      MessagingTimeout,
    );
    assert.ok(Date.now() - t0 < 55);
    await t.close();
  });

  it('createTransport picks the transport from the URL', async () => {
    const m = createTransport('memory://x');
    assert.ok(m instanceof MemoryTransport);
    const r = createTransport('rabbit://guest:guest@127.0.0.1:1/');
    assert.ok(r instanceof RabbitTransport);
    assert.equal(r.isConnected(), false);
    assert.throws(() => createTransport('kafka://x'), TypeError);
    await m.close();
    await r.close();
  });
});
