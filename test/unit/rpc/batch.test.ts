import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BatchingTransport, batchableNodeRead } from '../../../src/rpc/batch.ts';
import { MessagingTimeout, RemoteError } from '../../../src/rpc/errors.ts';
import type { OutgoingMessage } from '../../../src/rpc/types.ts';
import { HeldTransport } from '../../support/held-transport.ts';

const target = { topic: 'ironic.conductor_manager' };
const tick = () => new Promise((resolve) => setImmediate(resolve));

function read(
  uuid: string,
  { node = '1.44', method = 'get_by_uuid', context = {} as Record<string, unknown> } = {},
): OutgoingMessage {
  return {
    method: 'object_class_action_versions',
    args: {
      objname: 'Node',
      objmethod: method,
      // 39.0's manifest; 21.4's (Node 1.37) has TraitList and Trait 1.0
      object_versions:
        node === '1.37'
          ? { Node: node, TraitList: '1.0', Trait: '1.0' }
          : { Node: node, TraitList: '1.2', Trait: '1.1' },
      args: [uuid],
      kwargs: {},
    },
    version: '1.31',
    context: { request_id: `req-${uuid}-${Math.random()}`, global_request_id: null, roles: ['admin'], ...context },
  };
}

/** A Node primitive as a conductor sends it (no changes key; a trait list nested, as in a real node). */
function node(uuid: string, version = '1.44', traits = version === '1.37' ? '1.0' : '1.2'): Record<string, unknown> {
  return {
    'ironic_object.name': 'Node',
    'ironic_object.namespace': 'ironic',
    'ironic_object.version': version,
    'ironic_object.data': {
      uuid,
      extra: {},
      traits: {
        'ironic_object.name': 'TraitList',
        'ironic_object.namespace': 'ironic',
        'ironic_object.version': traits,
        'ironic_object.data': {
          objects: [
            {
              'ironic_object.name': 'Trait',
              'ironic_object.namespace': 'ironic',
              'ironic_object.version': version === '1.37' ? '1.0' : '1.1',
              'ironic_object.data': { trait: 'CUSTOM_X' },
            },
          ],
        },
      },
    },
  };
}

/**
 * Reads of `uuids` through `t`, the first (sent alone, nothing being in flight) answered: the
 * others are then sent together as the next call, inner.sent[1].
 */
async function behindFirst(t: BatchingTransport, inner: HeldTransport, uuids: string[]): Promise<Promise<unknown>[]> {
  const reads = uuids.map((u) => t.call(target, read(u), 1000));
  await tick();
  inner.sent[0]?.answer(node(uuids[0] as string));
  await tick();
  return reads;
}

const uuidOf = (p: unknown) => (p as { 'ironic_object.data': { uuid: string } })['ironic_object.data'].uuid;

describe('BatchingTransport', () => {
  it('batches only reads of one node by uuid, from Node 1.37 (21.4) on', () => {
    assert.equal(batchableNodeRead(read('u-1')), 'u-1');
    assert.equal(batchableNodeRead(read('u-1', { node: '1.37' })), 'u-1');
    assert.equal(batchableNodeRead(read('u-1', { node: '1.36' })), null, 'no tree below 21.4 was checked for uuid_in');
    assert.equal(batchableNodeRead(read('n-1', { method: 'get_by_name' })), null);
    assert.equal(batchableNodeRead(read('u-1', { method: 'list' })), null);
    assert.equal(batchableNodeRead({ ...read('u-1'), method: 'object_action' }), null);
    const port = read('u-1');
    port.args.objname = 'Port';
    assert.equal(batchableNodeRead(port), null);
  });

  it('sends a lone read as it is, and reads waiting behind it as one Node.list', async () => {
    const inner = new HeldTransport();
    const t = new BatchingTransport(inner);
    const first = t.call(target, read('u-1'), 1000);
    await tick();
    assert.equal(inner.sent.length, 1);
    assert.equal(inner.sent[0].message.args.objmethod, 'get_by_uuid', 'nothing in flight: sent unchanged');
    const late = ['u-2', 'u-3', 'u-2', 'u-4'].map((u) => t.call(target, read(u), 1000));
    await tick();
    assert.equal(inner.sent.length, 1, 'nothing more is sent while one call is in flight');
    inner.sent[0].answer(node('u-1'));
    assert.equal(uuidOf(await first), 'u-1');
    await tick();
    assert.equal(inner.sent.length, 2);
    const batch = inner.sent[1].message;
    assert.equal(batch.args.objmethod, 'list');
    assert.deepEqual(batch.args.args, []);
    assert.deepEqual(batch.args.kwargs, {
      limit: 3,
      filters: { uuid_in: ['u-2', 'u-3', 'u-4'], include_children: true },
    });
    assert.deepEqual(batch.args.object_versions, read('x').args.object_versions);
    // the conductor answers in its own order (by id)
    inner.sent[1].answer([node('u-4'), node('u-2'), node('u-3')]);
    const answers = await Promise.all(late);
    assert.deepEqual(answers.map(uuidOf), ['u-2', 'u-3', 'u-2', 'u-4']);
    assert.notEqual(answers[0], answers[2], 'two reads of one node get their own objects');
    assert.deepEqual(t.counts, { batches: 1, batched: 4, resent: 0 });
    assert.equal(t.active, 0, 'nothing is kept once the calls end');
  });

  it('asks a 21.4 conductor (Node 1.37) for no include_children, which its filters refuse', async () => {
    const inner = new HeldTransport();
    const t = new BatchingTransport(inner);
    const reads = ['u-1', 'u-2', 'u-3'].map((u) => t.call(target, read(u, { node: '1.37' }), 1000));
    await tick();
    inner.sent[0].answer(node('u-1', '1.37'));
    await tick();
    assert.deepEqual(inner.sent[1].message.args.kwargs, { limit: 2, filters: { uuid_in: ['u-2', 'u-3'] } });
    inner.sent[1].answer([node('u-2', '1.37'), node('u-3', '1.37')]);
    assert.deepEqual((await Promise.all(reads)).map(uuidOf), ['u-1', 'u-2', 'u-3']);
  });

  it("sends a read whose node is not in the reply on its own: a missing node is the conductor's NodeNotFound", async () => {
    const inner = new HeldTransport();
    const t = new BatchingTransport(inner);
    const first = t.call(target, read('u-1'), 1000);
    const gone = t.call(target, read('u-gone'), 1000);
    const there = t.call(target, read('u-2'), 1000);
    await tick();
    inner.sent[0].answer(node('u-1'));
    await first;
    await tick();
    inner.sent[1].answer([node('u-2')]);
    assert.equal(uuidOf(await there), 'u-2');
    await tick();
    assert.equal(inner.sent.length, 3);
    assert.equal(inner.sent[2].message.args.objmethod, 'get_by_uuid');
    assert.deepEqual(inner.sent[2].message.args.args, ['u-gone']);
    inner.sent[2].fail(new RemoteError('NodeNotFound', 'Node u-gone could not be found.'));
    await assert.rejects(gone, { exc_type: 'NodeNotFound', message: 'Node u-gone could not be found.' });
    assert.deepEqual(t.counts, { batches: 1, batched: 1, resent: 1 });
  });

  for (const [why, reply] of [
    ['nodes at the conductor’s own version (a gateway pinned below it)', [node('u-2', '1.45'), node('u-3', '1.45')]],
    ['a nested object at another version', [node('u-2', '1.44', '1.1'), node('u-3')]],
    ['an object that is no node', [node('u-2'), { ...node('u-3'), 'ironic_object.name': 'Port' }]],
    ['no list', { nodes: [] }],
  ] as const) {
    it(`sends each read on its own and stops batching for a while when a batch answers ${why}`, async () => {
      const inner = new HeldTransport();
      const t = new BatchingTransport(inner);
      const reads = await behindFirst(t, inner, ['u-1', 'u-2', 'u-3']);
      inner.sent[1].answer(reply);
      await tick();
      assert.equal(inner.sent.length, 4, 'u-2 and u-3 sent again');
      assert.deepEqual(
        inner.sent.slice(2).map((s) => [s.message.args.objmethod, s.message.args.args]),
        [
          ['get_by_uuid', ['u-2']],
          ['get_by_uuid', ['u-3']],
        ],
      );
      inner.sent[2].answer(node('u-2'));
      inner.sent[3].answer(node('u-3'));
      assert.deepEqual((await Promise.all(reads)).map(uuidOf), ['u-1', 'u-2', 'u-3']);
      // batching is off: concurrent reads go one call each
      const more = ['u-4', 'u-5'].map((u) => t.call(target, read(u), 1000));
      await tick();
      assert.equal(inner.sent.length, 6);
      inner.sent[4].answer(node('u-4'));
      inner.sent[5].answer(node('u-5'));
      await Promise.all(more);
      assert.equal(t.active, 0);
    });
  }

  it('resumes batching once offMs has passed', async () => {
    const inner = new HeldTransport();
    const t = new BatchingTransport(inner, { offMs: 30 });
    const reads = await behindFirst(t, inner, ['u-1', 'u-2', 'u-3']);
    inner.sent[1].answer([node('u-2', '1.45'), node('u-3', '1.45')]);
    await tick();
    inner.sent[2].answer(node('u-2'));
    inner.sent[3].answer(node('u-3'));
    await Promise.all(reads);
    await new Promise((resolve) => setTimeout(resolve, 40));
    const again = ['u-4', 'u-5', 'u-6'].map((u) => t.call(target, read(u), 1000));
    await tick();
    assert.equal(inner.sent.length, 5, 'one sent, two waiting: batching is back');
    inner.sent[4].answer(node('u-4'));
    await tick();
    assert.equal(inner.sent[5].message.args.objmethod, 'list');
    inner.sent[5].answer([node('u-5'), node('u-6')]);
    assert.deepEqual((await Promise.all(again)).map(uuidOf), ['u-4', 'u-5', 'u-6']);
  });

  it("does not look into a node's dict fields: users' JSON may hold anything", async () => {
    const inner = new HeldTransport();
    const t = new BatchingTransport(inner);
    const reads = await behindFirst(t, inner, ['u-1', 'u-2', 'u-3']);
    const odd = node('u-2');
    (odd['ironic_object.data'] as Record<string, unknown>).extra = {
      x: { 'ironic_object.name': 'Whatever', 'ironic_object.version': '9.9' },
    };
    inner.sent[1].answer([odd, node('u-3')]);
    assert.deepEqual((await Promise.all(reads)).map(uuidOf), ['u-1', 'u-2', 'u-3']);
    assert.deepEqual(t.counts, { batches: 1, batched: 2, resent: 0 });
  });

  it('sends at most maxBatch reads a call; a transport that throws ends its reads, not the group', async () => {
    const inner = new HeldTransport();
    const t = new BatchingTransport(inner, { maxBatch: 2 });
    const first = t.call(target, read('u-1'), 1000);
    const late = ['u-2', 'u-3', 'u-4', 'u-5', 'u-6'].map((u) => t.call(target, read(u), 1000));
    await tick();
    inner.sent[0].answer(node('u-1'));
    await first;
    await tick();
    assert.equal(inner.sent.length, 2, 'one slot: one batch of two');
    assert.deepEqual((inner.sent[1].message.args.kwargs as { filters: { uuid_in: string[] } }).filters.uuid_in, [
      'u-2',
      'u-3',
    ]);
    // the next call throws instead of rejecting (once)
    const call = inner.call.bind(inner);
    inner.call = () => {
      inner.call = call;
      throw new Error('channel closed');
    };
    inner.sent[1].answer([node('u-2'), node('u-3')]);
    await assert.rejects(late[2] as Promise<unknown>, /channel closed/);
    await assert.rejects(late[3] as Promise<unknown>, /channel closed/);
    await tick();
    assert.equal(inner.sent.length, 3, 'the last one as its own call once the throwing one ended');
    assert.equal(inner.sent[2].message.args.objmethod, 'get_by_uuid');
    inner.sent[2].answer(node('u-6'));
    assert.deepEqual((await Promise.all([late[0], late[1], late[4]])).map(uuidOf), ['u-2', 'u-3', 'u-6']);
    assert.equal(t.active, 0);
  });

  it('sends each read on its own when the conductor refuses the batch (a filter it does not know)', async () => {
    const inner = new HeldTransport();
    const t = new BatchingTransport(inner);
    const reads = await behindFirst(t, inner, ['u-1', 'u-2', 'u-3']);
    inner.sent[1].fail(
      new RemoteError('ValueError', 'SqlAlchemy API does not support filtering by uuid_in', {}, 'builtins'),
    );
    await tick();
    inner.sent[2].answer(node('u-2'));
    inner.sent[3].answer(node('u-3'));
    assert.deepEqual((await Promise.all(reads)).map(uuidOf), ['u-1', 'u-2', 'u-3']);
    assert.equal(t.counts.resent, 2);
  });

  it("ends every read of a batch with the batch's transport error, as their own calls would have ended", async () => {
    const inner = new HeldTransport();
    const t = new BatchingTransport(inner);
    const first = t.call(target, read('u-1'), 1000);
    const late = ['u-2', 'u-3'].map((u) => t.call(target, read(u), 1000));
    await tick();
    inner.sent[0].answer(node('u-1'));
    await first;
    await tick();
    inner.sent[1].fail(new MessagingTimeout('Timed out'));
    for (const p of late) await assert.rejects(p, (e: unknown) => e instanceof MessagingTimeout);
    assert.equal(inner.sent.length, 2, 'nothing sent again');
    assert.equal(t.active, 0);
  });

  it('never batches reads of different callers, targets or object versions together', async () => {
    const inner = new HeldTransport();
    const t = new BatchingTransport(inner);
    const calls = [
      t.call(target, read('u-1', { context: { project: 'p1' } }), 1000),
      t.call(target, read('u-2', { context: { project: 'p2' } }), 1000),
      t.call(target, read('u-3', { context: { roles: ['reader'] } }), 1000),
      t.call({ topic: 'ironic.conductor_manager', server: 'c2' }, read('u-4'), 1000),
      t.call(target, read('u-5', { node: '1.43' }), 1000),
    ];
    await tick();
    assert.equal(inner.sent.length, calls.length, 'each is the first of its group: sent at once');
    for (const s of inner.sent) s.answer(node(String((s.message.args.args as string[])[0])));
    await Promise.all(calls);
    assert.equal(t.active, 0);
  });

  it('keeps as many calls in flight as it is told (one per live conductor), then batches', async () => {
    const inner = new HeldTransport();
    let conductors = 2;
    const t = new BatchingTransport(inner, { maxInFlight: () => conductors });
    const reads = ['u-1', 'u-2', 'u-3', 'u-4'].map((u) => t.call(target, read(u), 1000));
    await tick();
    assert.equal(inner.sent.length, 2, 'two sent at once');
    conductors = 1;
    inner.sent[0].answer(node('u-1'));
    await tick();
    assert.equal(inner.sent.length, 2, 'one conductor left: the call in flight fills it');
    inner.sent[1].answer(node('u-2'));
    await tick();
    assert.deepEqual((inner.sent[2].message.args.kwargs as { filters: unknown }).filters, {
      uuid_in: ['u-3', 'u-4'],
      include_children: true,
    });
    inner.sent[2].answer([node('u-3'), node('u-4')]);
    assert.deepEqual((await Promise.all(reads)).map(uuidOf), ['u-1', 'u-2', 'u-3', 'u-4']);
  });

  it('sends waiting reads after holdMs even while the calls before them hang, and keeps each deadline', async () => {
    const inner = new HeldTransport();
    const t = new BatchingTransport(inner, { holdMs: 60 });
    const hung = t.call(target, read('u-1'), 5000);
    const started = Date.now();
    const waiting = ['u-2', 'u-3'].map((u) => t.call(target, read(u), 5000));
    const short = t.call(target, read('u-4'), 30);
    await assert.rejects(short, (e: unknown) => e instanceof MessagingTimeout && /batched/.test(e.message));
    while (inner.sent.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    const held = Date.now() - started;
    assert.ok(held >= 55, `sent after ${held} ms, not before holdMs`);
    assert.deepEqual((inner.sent[1].message.args.kwargs as { filters: { uuid_in: string[] } }).filters.uuid_in, [
      'u-2',
      'u-3',
    ]);
    assert.ok(inner.sent[1].timeoutMs <= 5000 && inner.sent[1].timeoutMs > 4000, 'what is left of their deadline');
    inner.sent[1].answer([node('u-2'), node('u-3')]);
    assert.deepEqual((await Promise.all(waiting)).map(uuidOf), ['u-2', 'u-3']);
    inner.sent[0].answer(node('u-1'));
    await hung;
    await tick();
    assert.equal(inner.sent.length, 2, 'no call for the read that timed out');
    assert.equal(t.active, 0);
  });

  it('passes everything else through untouched', async () => {
    const inner = new HeldTransport();
    const t = new BatchingTransport(inner);
    const calls = [
      t.call(target, read('u-1', { node: '1.36' }), 1000),
      t.call(target, read('u-1', { node: '1.36' }), 1000),
      t.call(target, read('n-1', { method: 'get_by_name' }), 1000),
      t.call(target, read('n-1', { method: 'get_by_name' }), 1000),
    ];
    await tick();
    assert.equal(inner.sent.length, 4);
    for (const [i, s] of inner.sent.entries()) s.answer(i);
    assert.deepEqual(await Promise.all(calls), [0, 1, 2, 3]);
    assert.deepEqual(t.counts, { batches: 0, batched: 0, resent: 0 });
  });
});
