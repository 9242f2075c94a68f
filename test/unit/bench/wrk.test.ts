import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { parseWrk, wrkLoad } from '../../../bench/wrk.ts';

const hasWrk = (() => {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return true;
  } catch (err) {
    // wrk --version exits 1 after printing its version
    return (err as { status?: number }).status === 1;
  }
})();

test('parseWrk counts every answer but the expected status, and requests with no answer', () => {
  const f = parseWrk(
    'Running 5s test\nWRK {"requests":1000,"duration_us":5000000,"p50_us":2500,"errors":2,"timeouts":1,"statuses":{"200":990,"409":7}}\n',
    200,
  );
  assert.equal(f.rps, 200);
  assert.equal(f.p50, 2.5);
  assert.deepEqual(f.statuses, { '409': 7, timeout: 1, error: 2 });
  assert.equal(f.unexpected, 10);
  assert.throws(() => parseWrk('wrk: connection refused', 200), /printed no result/);
});

test('wrkLoad sends the paths in turn with the headers, and counts statuses', {
  skip: !hasWrk && 'wrk is not installed',
}, async () => {
  const seen = new Map<string, number>();
  const server = createServer((req, res) => {
    seen.set(req.url ?? '', (seen.get(req.url ?? '') ?? 0) + 1);
    res.statusCode = req.headers['x-openstack-ironic-api-version'] === '1.38' && req.url === '/a' ? 200 : 404;
    res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const f = await wrkLoad(base, ['/a', '/b'], {
      connections: 2,
      seconds: 1,
      headers: { 'x-openstack-ironic-api-version': '1.38' },
      status: 200,
    });
    assert.ok((seen.get('/a') ?? 0) > 0 && (seen.get('/b') ?? 0) > 0, 'both paths were sent');
    assert.ok(f.rps > 0);
    assert.ok(f.statuses['404'] > 0, 'the other path is counted as unexpected');
    assert.equal(f.unexpected, f.statuses['404']);
  } finally {
    server.close();
  }
});
