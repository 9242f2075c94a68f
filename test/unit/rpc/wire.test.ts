import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeContext, toWireContext } from '../../../src/conductor/context.ts';
import { RemoteError } from '../../../src/rpc/errors.ts';
import {
  decodeEnvelope, encodeEnvelope, parseReply, parseRequest, replyMessage, requestMessage, requestProperties, serializeFailure,
} from '../../../src/rpc/wire.ts';
import { brokerBody, loadWireFixtures } from '../../support/wire-fixtures.ts';

const fixtures = loadWireFixtures();
const CALL_KEYS = ['_msg_id', '_reply_q', '_timeout'];

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
        const ours = requestMessage(
          { method: String(m.method), args: m.args as Record<string, unknown>, version: String(m.version), context: wireCtx },
          { msgId: String(m._msg_id), replyQ: String(m._reply_q), timeout: null },
        );
        assert.deepEqual(Object.keys(ours), Object.keys(m));
        const { _unique_id: _a, ...oursRest } = ours;
        const { _unique_id: _b, ...theirsRest } = m;
        assert.deepEqual(oursRest, theirsRest);
        assert.match(String(ours._unique_id), /^[0-9a-f]{32}$/);
      });

      it('wraps the inner message as a JSON string in an oslo.version 2.0 envelope', () => {
        const outer = JSON.parse(encodeEnvelope(m).toString());
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

        it('encodes a reply with the keys the conductor sends', () => {
          const ours = replyMessage(String(m._msg_id), r.result, (r.failure as string | null) ?? null);
          assert.deepEqual(Object.keys(ours), Object.keys(r));
          assert.equal(f.reply!.exchange, '');
          assert.equal(f.reply!.routing_key, m._reply_q);
        });
      }
    });
  }

  it('a cast has no call keys', () => {
    const cast = requestMessage({ method: 'continue_node_clean', args: { node_id: 'x' }, version: '1.27', context: { request_id: 'req-1' } });
    for (const k of CALL_KEYS) assert.ok(!(k in cast), k);
    assert.equal(cast._context_request_id, 'req-1');
  });

  it('a request without expiration when no timeout is given (casts)', () => {
    assert.equal('expiration' in requestProperties(null), false);
  });

  it('serializes a failure the way oslo does and decodes it back', () => {
    const err = new RemoteError('NodeLocked', 'Node n1 is locked by host cond-1', { node: 'n1', host: 'cond-1', code: 409 });
    const s = serializeFailure(err);
    const data = JSON.parse(s);
    assert.deepEqual(Object.keys(data), ['class', 'module', 'message', 'tb', 'args', 'kwargs']);
    assert.equal(data.class, 'NodeLocked');
    assert.deepEqual(data.args, ['Node n1 is locked by host cond-1']);
    const back = parseReply(replyMessage('m1', null, s)).failure!;
    assert.equal(back.exc_type, 'NodeLocked');
    assert.deepEqual(back.kwargs, { node: 'n1', host: 'cond-1', code: 409 });
  });

  it('sends a plain Error under its name, from module builtins', () => {
    const e = new TypeError('bad');
    const data = JSON.parse(serializeFailure(e));
    assert.equal(data.class, 'TypeError');
    assert.equal(data.module, 'builtins');
  });

  it('strips oslo\'s _Remote suffix and survives a failure that is not JSON', () => {
    assert.equal(parseReply({ _msg_id: 'a', failure: JSON.stringify({ class: 'NodeLocked_Remote', message: 'x' }), result: null, ending: true }).failure!.exc_type, 'NodeLocked');
    const odd = parseReply({ _msg_id: 'a', failure: 'not json', result: null, ending: true }).failure!;
    assert.equal(odd.exc_type, 'RemoteError');
    assert.equal(odd.message, 'not json');
  });

  it('accepts a body without an envelope and refuses another major oslo.version', () => {
    assert.deepEqual(decodeEnvelope('{"method":"x"}'), { method: 'x' });
    assert.throws(() => decodeEnvelope(JSON.stringify({ 'oslo.version': '3.0', 'oslo.message': '{}' })), SyntaxError);
  });
});
