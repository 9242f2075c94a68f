import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeContext, toWireContext } from '../../../src/conductor/context.ts';
import { RemoteError } from '../../../src/rpc/errors.ts';
import {
  answer,
  decodeEnvelope,
  encodeReply,
  encodeRequest,
  newId,
  parseReply,
  parseRequest,
  requestProperties,
  serializeFailure,
} from '../../../src/rpc/wire.ts';
import { brokerBody, loadWireFixtures } from '../../support/wire-fixtures.ts';

const fixtures = loadWireFixtures();
const CALL_KEYS = ['_msg_id', '_reply_q', '_timeout'];

/** The plain definition the encoders are held to: JSON.stringify of the envelope around `message`. */
const envelopeOf = (message: Record<string, unknown>): string =>
  JSON.stringify({ 'oslo.version': '2.0', 'oslo.message': JSON.stringify(message) });

/** The captured request `m` re-encoded by encodeRequest, with its own ids and context. */
function encodeCaptured(m: Record<string, unknown>): Buffer {
  const context: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(m)) if (k.startsWith('_context_')) context[k.slice('_context_'.length)] = v;
  const call =
    '_msg_id' in m
      ? { msgId: String(m._msg_id), replyQ: String(m._reply_q), timeout: m._timeout as number | null }
      : null;
  return encodeRequest(
    { method: String(m.method), args: m.args as Record<string, unknown>, version: String(m.version), context },
    call,
    String(m._unique_id),
  );
}

describe('wire format against the captured conductor traffic', () => {
  it('has fixtures to check', () => assert.ok(fixtures.length >= 13));

  for (const f of fixtures) {
    describe(f.file, () => {
      const m = f.request.message;

      it('decodes the request as the broker carried it', () => {
        const parsed = parseRequest(decodeEnvelope(brokerBody(f.request)));
        assert.equal(parsed.request.method, m.method);
        assert.equal(parsed.request.version, m.version);
        assert.deepEqual(parsed.request.args, m.args);
        assert.equal(parsed.msgId, m._msg_id);
        assert.equal(parsed.replyQ, m._reply_q);
        assert.equal(parsed.request.context.request_id, m._context_request_id);
      });

      it('encodes a request with the same keys, in the same order, and the same context keys', () => {
        const wireCtx = toWireContext(makeContext({ request_id: String(m._context_request_id) }));
        const ours = decodeEnvelope(
          encodeRequest(
            {
              method: String(m.method),
              args: m.args as Record<string, unknown>,
              version: String(m.version),
              context: wireCtx,
            },
            { msgId: String(m._msg_id), replyQ: String(m._reply_q), timeout: null },
          ),
        );
        assert.deepEqual(Object.keys(ours), Object.keys(m));
        const { _unique_id: _a, ...oursRest } = ours;
        const { _unique_id: _b, ...theirsRest } = m;
        assert.deepEqual(oursRest, theirsRest);
        assert.match(String(ours._unique_id), /^[0-9a-f]{32}$/);
      });

      it('wraps the inner message as a JSON string in an oslo.version 2.0 envelope', () => {
        const outer = JSON.parse(encodeCaptured(m).toString());
        assert.deepEqual(Object.keys(outer).sort(), f.request.envelope_keys);
        assert.equal(outer['oslo.version'], '2.0');
        assert.equal(typeof outer['oslo.message'], 'string');
        assert.deepEqual(JSON.parse(outer['oslo.message']), m);
      });

      it('sets the request properties the conductor saw', () => {
        const seen = f.request.properties;
        // expiration is the call's timeout in ms
        const p = requestProperties(Number(seen.expiration));
        assert.equal(p.expiration, seen.expiration);
        assert.equal(p.priority, seen.priority);
        assert.equal(p.deliveryMode, seen.delivery_mode);
        assert.equal(p.contentEncoding, seen.content_encoding);
        assert.equal(p.contentType, seen.content_type);
        assert.equal(f.request.exchange, 'ironic');
      });

      if (f.reply) {
        const r = f.reply.message;
        it('decodes the reply', () => {
          const reply = parseReply(decodeEnvelope(brokerBody(f.reply!)));
          assert.equal(reply.msgId, m._msg_id);
          assert.equal(reply.ending, true);
          if (r.failure === null) {
            assert.equal(reply.failure, null);
            assert.deepEqual(reply.result, r.result);
          } else {
            const failure = JSON.parse(String(r.failure));
            assert.ok(reply.failure instanceof RemoteError);
            assert.equal(reply.failure.exc_type, failure.class);
            assert.equal(reply.failure.message, failure.message);
            assert.equal(reply.failure.module, 'ironic.common.exception');
            assert.deepEqual(reply.failure.kwargs, failure.kwargs);
            assert.deepEqual(reply.failure.remoteTraceback, failure.tb);
          }
        });

        it('encodes a reply with the keys and values the conductor sends', () => {
          const ours = decodeEnvelope(
            encodeReply(String(m._msg_id), r.result, (r.failure as string | null) ?? null, String(r._unique_id)),
          );
          assert.deepEqual(Object.keys(ours), Object.keys(r));
          assert.deepEqual(ours, r);
          assert.equal(f.reply!.exchange, '');
          assert.equal(f.reply!.routing_key, m._reply_q);
        });
      }
    });
  }

  it('makes ids as uuid4().hex does: 32 hex digits, version 4, RFC 4122 variant, never twice', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const id = newId();
      assert.match(id, /^[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}$/);
      seen.add(id);
    }
    assert.equal(seen.size, 5000);
  });

  it('a cast has no call keys', () => {
    const cast = decodeEnvelope(
      encodeRequest(
        { method: 'continue_node_clean', args: { node_id: 'x' }, version: '1.27', context: { request_id: 'req-1' } },
        null,
        'u1',
      ),
    );
    for (const k of CALL_KEYS) assert.ok(!(k in cast), k);
    assert.equal(cast._context_request_id, 'req-1');
    assert.equal(cast._unique_id, 'u1');
  });

  it('writes a request as the same bytes as JSON.stringify of the message object', () => {
    const context = {
      ...toWireContext(makeContext({ user_id: 'u "quoted" \\ \u2028 é', roles: ['admin', 'member'] })),
      skipped: undefined,
      fn: () => 1,
      date: new Date(0),
      nested: { a: [1, null, 'x\n'] },
    } as Record<string, unknown>;
    const args = {
      node_id: 'n1',
      patch: [{ op: 'replace', path: '/extra/"k"', value: '\u0000\t😀' }],
      missing: undefined,
    };
    const expected: Record<string, unknown> = {
      method: 'update_node',
      args,
      version: '1.1',
      _msg_id: 'm1',
      _reply_q: 'reply_q',
      _timeout: null,
      _unique_id: 'u1',
    };
    for (const [k, v] of Object.entries(context)) expected[`_context_${k}`] = v;
    const body = encodeRequest(
      { method: 'update_node', args, version: '1.1', context },
      { msgId: 'm1', replyQ: 'reply_q', timeout: null },
      'u1',
    );
    assert.equal(body.toString('utf8'), envelopeOf(expected));
    assert.deepEqual(
      Object.keys(decodeEnvelope(body)).filter((k) => k.startsWith('_context_')),
      Object.keys(context)
        .filter((k) => k !== 'skipped' && k !== 'fn')
        .map((k) => `_context_${k}`),
    );
  });

  it('writes the same bytes as JSON.stringify for any string, number and nesting (seeded random values)', () => {
    let seed = 7;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    // ASCII (controls, quotes, backslashes included), U+2028, non-BMP pairs and lone surrogates
    const alphabet = [
      ...Array.from({ length: 128 }, (_, i) => String.fromCharCode(i)),
      '\u2028',
      'é',
      '😀',
      '\ud800',
      '\udfff',
    ];
    const str = (): string => Array.from({ length: rnd(12) }, () => alphabet[rnd(alphabet.length)]).join('');
    const value = (depth: number): unknown => {
      switch (rnd(depth > 2 ? 5 : 7)) {
        case 0:
          return null;
        case 1:
          return rnd(2) === 0;
        case 2:
          return [0, -1.5, 1e21, 2 ** 53, Number.NaN, -0][rnd(6)];
        case 3:
        case 4:
          return str();
        case 5:
          return Array.from({ length: rnd(4) }, () => value(depth + 1));
        default:
          return Object.fromEntries(Array.from({ length: rnd(4) }, () => [str(), value(depth + 1)]));
      }
    };
    for (let i = 0; i < 500; i++) {
      const context = Object.fromEntries(Array.from({ length: rnd(6) }, () => [str(), value(0)]));
      const args = Object.fromEntries(Array.from({ length: rnd(4) }, () => [str(), value(0)]));
      const method = str();
      const expected: Record<string, unknown> = { method, args, version: '1.0', _unique_id: 'u' };
      for (const [k, v] of Object.entries(context)) expected[`_context_${k}`] = v;
      const body = encodeRequest({ method, args, version: '1.0', context }, null, 'u');
      assert.equal(body.toString('utf8'), envelopeOf(expected), `case ${i}`);
    }
  });

  it('writes a reply as the same bytes as JSON.stringify of the reply object', () => {
    for (const result of [
      null,
      undefined,
      0,
      'plain',
      'q"uo\\te\n',
      { nodes: [{ uuid: 'u', extra: { k: '\u2028é😀' } }] },
      [1, [2]],
    ]) {
      const expected = { result: result ?? null, failure: null, ending: true, _msg_id: 'm', _unique_id: 'u' };
      assert.equal(encodeReply('m', result, null, 'u').toString(), envelopeOf(expected));
    }
    const failure = serializeFailure(new RemoteError('NodeLocked', 'locked "n1"', { node: 'n1' }));
    assert.equal(
      encodeReply('m', { ignored: 1 }, failure, 'u').toString(),
      envelopeOf({ result: null, failure, ending: true, _msg_id: 'm', _unique_id: 'u' }),
    );
  });

  it("answers with the endpoint's failure, and with a TypeError for a result JSON cannot carry", async () => {
    const request = { method: 'm', args: {}, version: '1.0', context: {} };
    const ok = parseReply(decodeEnvelope(await answer(async () => ({ a: 1 }), request, 'm1')));
    assert.deepEqual([ok.msgId, ok.result, ok.failure], ['m1', { a: 1 }, null]);
    const locked = parseReply(
      decodeEnvelope(
        await answer(
          async () => {
            throw new RemoteError('NodeLocked', 'locked', { node: 'n' });
          },
          request,
          'm2',
        ),
      ),
    );
    assert.equal(locked.failure?.exc_type, 'NodeLocked');
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const bad = parseReply(decodeEnvelope(await answer(async () => circular, request, 'm3')));
    assert.equal(bad.msgId, 'm3');
    assert.equal(bad.failure?.exc_type, 'TypeError');
  });

  it('refuses to encode what JSON cannot carry, without sending anything', () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    assert.throws(() => encodeRequest({ method: 'x', args: circular, version: '1.0', context: {} }, null), TypeError);
    assert.throws(() => encodeRequest({ method: 'x', args: { n: 1n }, version: '1.0', context: {} }, null), TypeError);
  });

  it('a request without expiration when no timeout is given (casts)', () => {
    assert.equal('expiration' in requestProperties(null), false);
  });

  it('serializes a failure the way oslo does and decodes it back', () => {
    const err = new RemoteError('NodeLocked', 'Node n1 is locked by host cond-1', {
      node: 'n1',
      host: 'cond-1',
      code: 409,
    });
    const s = serializeFailure(err);
    const data = JSON.parse(s);
    assert.deepEqual(Object.keys(data), ['class', 'module', 'message', 'tb', 'args', 'kwargs']);
    assert.equal(data.class, 'NodeLocked');
    assert.deepEqual(data.args, ['Node n1 is locked by host cond-1']);
    const back = parseReply(decodeEnvelope(encodeReply('m1', null, s))).failure!;
    assert.equal(back.exc_type, 'NodeLocked');
    assert.deepEqual(back.kwargs, { node: 'n1', host: 'cond-1', code: 409 });
  });

  it('sends a plain Error under its name, from module builtins', () => {
    const e = new TypeError('bad');
    const data = JSON.parse(serializeFailure(e));
    assert.equal(data.class, 'TypeError');
    assert.equal(data.module, 'builtins');
  });

  it("strips oslo's _Remote suffix and survives a failure that is not JSON", () => {
    assert.equal(
      parseReply({
        _msg_id: 'a',
        failure: JSON.stringify({ class: 'NodeLocked_Remote', message: 'x' }),
        result: null,
        ending: true,
      }).failure!.exc_type,
      'NodeLocked',
    );
    const odd = parseReply({ _msg_id: 'a', failure: 'not json', result: null, ending: true }).failure!;
    assert.equal(odd.exc_type, 'RemoteError');
    assert.equal(odd.message, 'not json');
  });

  it('accepts a body without an envelope and refuses another major oslo.version', () => {
    assert.deepEqual(decodeEnvelope('{"method":"x"}'), { method: 'x' });
    assert.throws(() => decodeEnvelope(JSON.stringify({ 'oslo.version': '3.0', 'oslo.message': '{}' })), SyntaxError);
    assert.throws(() => decodeEnvelope(JSON.stringify({ 'oslo.version': '20.0', 'oslo.message': '{}' })), SyntaxError);
    assert.deepEqual(decodeEnvelope(JSON.stringify({ 'oslo.version': '2.1', 'oslo.message': '{"a":1}' })), { a: 1 });
  });
});
