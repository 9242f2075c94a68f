import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TransportUnavailable } from '../../../src/rpc/errors.ts';
import { parseRabbitUrl } from '../../../src/rpc/rabbit-url.ts';
import { RabbitTransport } from '../../../src/rpc/rabbit.ts';

describe('rabbit transport URL and connection failures', () => {
  it('parses one host with the default vhost', () => {
    assert.deepEqual(parseRabbitUrl('rabbit://guest:guest@127.0.0.1:5672/'), [
      { hostname: '127.0.0.1', port: 5672, username: 'guest', password: 'guest', vhost: '/' },
    ]);
  });

  it("parses several hosts in oslo's form and in the vhost-first form", () => {
    const oslo = parseRabbitUrl('rabbit://u:p%40ss@h1:5673,v:q@h2/ironic');
    assert.deepEqual(
      oslo.map((h) => [h.hostname, h.port, h.username, h.password, h.vhost]),
      [
        ['h1', 5673, 'u', 'p@ss', 'ironic'],
        ['h2', 5672, 'v', 'q', 'ironic'],
      ],
    );
    const other = parseRabbitUrl('rabbit://u:p@h1:5673/ironic,v:q@h2:5674');
    assert.deepEqual(
      other.map((h) => [h.hostname, h.port, h.vhost]),
      [
        ['h1', 5673, 'ironic'],
        ['h2', 5674, 'ironic'],
      ],
    );
  });

  it('refuses a URL that is not rabbit://', () => {
    assert.throws(() => parseRabbitUrl('amqp://x'), TypeError);
  });

  it('a call with no broker reachable fails with TransportUnavailable within its timeout', async () => {
    // port 1 on loopback refuses at once: the transport keeps retrying until the call gives up
    const t = new RabbitTransport('rabbit://guest:guest@127.0.0.1:1/', {
      reconnectInitialDelayMs: 10,
      reconnectMaxDelayMs: 20,
    });
    const t0 = Date.now();
    await assert.rejects(
      t.call({ topic: 'x' }, { method: 'm', args: {}, version: '1.0', context: {} }, 300),
      TransportUnavailable,
    );
    const took = Date.now() - t0;
    // at the call's 300 ms, not hung (the upper bound is loose: a busy machine is slow)
    assert.ok(took >= 250 && took < 10_000, `took ${took} ms`);
    assert.equal(t.isConnected(), false);
    await t.close();
  });
});
