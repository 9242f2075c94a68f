import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CoalescingTransport, isCoalescableRead } from '../../../src/rpc/coalesce.ts';
import { MessagingTimeout, RemoteError } from '../../../src/rpc/errors.ts';
import type { OutgoingMessage } from '../../../src/rpc/types.ts';
import { HeldTransport } from '../../support/held-transport.ts';

function read(objmethod: string, context: Record<string, unknown> = {}, args: unknown[] = ['u-1']): OutgoingMessage {
  return {
    method: 'object_class_action_versions',
    args: { objname: 'Node', objmethod, object_versions: { Node: '1.44' }, args, kwargs: {} },
    version: '1.31',
    context: {
      request_id: `req-${Math.random()}`,
      global_request_id: null,
      project: null,
      roles: ['admin'],
      ...context,
    },
  };
}

const target = { topic: 'ironic.conductor_manager' };
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('CoalescingTransport', () => {
  it('takes only indirection get/list class methods for reads', () => {
    assert.equal(isCoalescableRead(read('get_by_uuid')), true);
    assert.equal(isCoalescableRead(read('list')), true);
    assert.equal(isCoalescableRead(read('create')), false);
    assert.equal(isCoalescableRead(read('destroy')), false);
    assert.equal(isCoalescableRead({ ...read('get_by_uuid'), method: 'object_action' }), false);
    assert.equal(isCoalescableRead({ ...read('get_by_uuid'), method: 'get_boot_device' }), false);
  });

  it('never answers a read with a call sent before it arrived: late arrivals share the next call', async () => {
    const inner = new HeldTransport();
    const t = new CoalescingTransport(inner);
    const first = t.call(target, read('get_by_uuid'), 1000);
    await tick();
    assert.equal(inner.sent.length, 1);
    // three identical reads (other request ids) arrive while the first is in flight
    const late = [1, 2, 3].map(() => t.call(target, read('get_by_uuid'), 1000));
    await tick();
    assert.equal(inner.sent.length, 1, 'nothing more is sent while the first call is in flight');
    inner.sent[0].answer({ extra: { v: 'before' } });
    assert.deepEqual(await first, { extra: { v: 'before' } });
    await tick();
    assert.equal(inner.sent.length, 2, 'one call is sent for the three, after the first ended');
    inner.sent[1].answer({ extra: { v: 'after' } });
    const answers = (await Promise.all(late)) as { extra: { v: string } }[];
    for (const a of answers) assert.deepEqual(a, { extra: { v: 'after' } });
    // each caller has its own copy
    answers[0].extra.v = 'changed';
    assert.equal(answers[1].extra.v, 'after');
    assert.equal(answers[2].extra.v, 'after');
    assert.deepEqual(t.counts, { sent: 2, joined: 2 });
    assert.equal(t.inFlight, 0, 'nothing is kept once the calls end');
  });

  it('shares nothing between different callers, arguments or writes', async () => {
    const inner = new HeldTransport();
    const t = new CoalescingTransport(inner);
    const calls = [
      t.call(target, read('get_by_uuid', { project: 'p1' }), 1000),
      t.call(target, read('get_by_uuid', { project: 'p2' }), 1000),
      t.call(target, read('get_by_uuid', { roles: ['reader'] }), 1000),
      t.call(target, read('get_by_uuid', {}, ['u-2']), 1000),
      t.call({ topic: 'ironic.conductor_manager', server: 'c2' }, read('get_by_uuid'), 1000),
      t.call(target, read('create'), 1000),
      t.call(target, read('create'), 1000),
    ];
    await tick();
    assert.equal(inner.sent.length, calls.length);
    for (const [i, s] of inner.sent.entries()) s.answer(i);
    assert.deepEqual(await Promise.all(calls), [0, 1, 2, 3, 4, 5, 6]);
    assert.equal(t.inFlight, 0);
  });

  it('gives every waiting read the same error', async () => {
    const inner = new HeldTransport();
    const t = new CoalescingTransport(inner);
    const first = t.call(target, read('get_by_name', {}, ['no-such']), 1000);
    const late = [
      t.call(target, read('get_by_name', {}, ['no-such']), 1000),
      t.call(target, read('get_by_name', {}, ['no-such']), 1000),
    ];
    await tick();
    inner.sent[0].fail(new RemoteError('NodeNotFound', 'Node no-such could not be found.'));
    await assert.rejects(first, { exc_type: 'NodeNotFound' });
    await tick();
    inner.sent[1].fail(new RemoteError('NodeNotFound', 'Node no-such could not be found (2).'));
    for (const p of late)
      await assert.rejects(p, { exc_type: 'NodeNotFound', message: 'Node no-such could not be found (2).' });
    assert.equal(t.inFlight, 0);
  });

  it('ends a waiting read at its own timeout, and sends nothing for reads no longer waiting', async () => {
    const inner = new HeldTransport();
    const t = new CoalescingTransport(inner);
    const first = t.call(target, read('list', {}, []), 5000);
    const started = Date.now();
    const late = t.call(target, read('list', {}, []), 50);
    await assert.rejects(late, (e: unknown) => e instanceof MessagingTimeout && /coalesced/.test(e.message));
    const waited = Date.now() - started;
    assert.ok(waited >= 45, `timed out after ${waited} ms, not before its 50 ms`);
    inner.sent[0].answer([]);
    assert.deepEqual(await first, []);
    await tick();
    assert.equal(inner.sent.length, 1, 'no call for a read that timed out');
    assert.equal(t.inFlight, 0);
  });

  it("sends the next call with what is left of the waiting reads' latest deadline", async () => {
    const inner = new HeldTransport();
    const t = new CoalescingTransport(inner);
    const first = t.call(target, read('list', {}, []), 10_000);
    const late = [t.call(target, read('list', {}, []), 200), t.call(target, read('list', {}, []), 8_000)];
    await tick();
    inner.sent[0].answer([]);
    await first;
    await tick();
    assert.equal(inner.sent.length, 2);
    const timeout = inner.sent[1].timeoutMs;
    assert.ok(timeout > 7_000 && timeout <= 8_000, `the next call's timeout ${timeout} ms is the later reader's`);
    inner.sent[1].answer(['n']);
    assert.deepEqual(await Promise.all(late), [['n'], ['n']]);
  });
});

describe('CoalescingTransport behind a call that hangs', () => {
  it('sends the waiting reads their own call after holdMs, without waiting for the hung one', async () => {
    const inner = new HeldTransport();
    const t = new CoalescingTransport(inner, { holdMs: 40 });
    const hung = t.call(target, read('get_by_uuid'), 2000);
    const late = [t.call(target, read('get_by_uuid'), 2000), t.call(target, read('get_by_uuid'), 2000)];
    await tick();
    assert.equal(inner.sent.length, 1);
    await new Promise((resolve) => setTimeout(resolve, 80));
    assert.equal(inner.sent.length, 2, 'the waiting reads were sent after holdMs');
    inner.sent[1].answer({ n: 2 });
    assert.deepEqual(await Promise.all(late), [{ n: 2 }, { n: 2 }]);
    // a read arriving now waits for the calls in flight (the hung one), then gets a call of its own
    const again = t.call(target, read('get_by_uuid'), 2000);
    await new Promise((resolve) => setTimeout(resolve, 80));
    assert.equal(inner.sent.length, 3);
    inner.sent[2].answer({ n: 3 });
    assert.deepEqual(await again, { n: 3 });
    inner.sent[0].answer({ n: 1 });
    assert.deepEqual(await hung, { n: 1 });
    await tick();
    assert.equal(t.inFlight, 0, 'the key is forgotten once its last call ended');
    assert.equal(inner.sent.length, 3, 'nothing more was sent');
  });
});

describe('CoalescingTransport over a transport that throws', () => {
  it('rejects the read and every read waiting behind it, and keeps nothing', async () => {
    const inner = new HeldTransport();
    let throwing = false;
    const call = inner.call.bind(inner);
    inner.call = (t, m, ms) => {
      if (throwing) throw new Error('channel closing');
      return call(t, m, ms);
    };
    const t = new CoalescingTransport(inner, { holdMs: 1000 });
    const first = t.call(target, read('list', {}, []), 1000);
    const late = t.call(target, read('list', {}, []), 1000);
    await tick();
    throwing = true;
    inner.sent[0].answer([]);
    assert.deepEqual(await first, []);
    await assert.rejects(late, /channel closing/);
    await assert.rejects(t.call(target, read('list', {}, []), 1000), /channel closing/);
    assert.equal(t.inFlight, 0);
  });
});
