/** The simulator's tables: pages in id order without sorting the table, uuid lookups by index. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PORT } from '../../../src/simulator/schema.ts';
import { Table } from '../../../src/simulator/table.ts';

/** A seeded pseudo-random generator (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('a page by id is what sorting the whole table gives, with markers, limits, filters and deletes', () => {
  const next = random(42);
  const table = new Table(PORT);
  const rows = Array.from({ length: 300 }, (_, i) => table.insert({ address: `52:54:00:00:${i >> 8}:${i & 255}` }));
  for (const r of rows) if (next() < 0.2) table.delete(r);
  const all = [...table.rows.values()];
  for (let round = 0; round < 200; round++) {
    const even = next() < 0.5;
    const keep = even ? (r: { id: number }) => r.id % 2 === 0 : () => true;
    const marker = next() < 0.5 ? all[Math.floor(next() * all.length)] : undefined;
    const limit = next() < 0.8 ? Math.floor(next() * 60) : undefined;
    const expected = all
      .filter(keep)
      .sort((a, b) => a.id - b.id)
      .filter((r) => !marker || r.id > marker.id)
      .slice(0, limit ?? Number.POSITIVE_INFINITY);
    const page = table.list({ marker: marker?.uuid, limit }, keep);
    assert.deepEqual(
      page.map((r) => r.id),
      expected.map((r) => r.id),
      `round ${round}: marker ${marker?.id} limit ${limit} even ${even}`,
    );
  }
  assert.deepEqual(
    table.list({ sort_dir: 'desc', limit: 3 }).map((r) => r.id),
    all
      .map((r) => r.id)
      .sort((a, b) => b - a)
      .slice(0, 3),
  );
});

test('uuid lookups follow inserts, deletes and a row whose uuid was changed in place', () => {
  const table = new Table(PORT);
  const a = table.insert({ address: '52:54:00:00:00:01' });
  assert.equal(table.byUuid(a.uuid), a);
  table.delete(a);
  assert.throws(() => table.byUuid(a.uuid), /could not be found/);
  const b = table.insert({ address: '52:54:00:00:00:02' });
  const old = b.uuid;
  b.uuid = '1be26c0b-03f2-4d2e-ae87-c02d7f33c123';
  assert.equal(table.byUuid(b.uuid), b);
  assert.throws(() => table.byUuid(old), /could not be found/);
});

test('a page in another order (sort_key, desc) is what sorting the whole table gives, with markers and limits', () => {
  const next = random(7);
  const table = new Table(PORT);
  // few distinct values, so the id tie-breaker decides most of the order
  const rows = Array.from({ length: 250 }, (_, i) =>
    table.insert({ address: `52:54:00:00:${i >> 8}:${i & 255}`, pxe_enabled: next() < 0.5, extra: {} }),
  );
  for (const r of rows) if (next() < 0.1) table.delete(r);
  for (const r of table.rows.values()) r.physical_network = next() < 0.3 ? null : `net-${Math.floor(next() * 4)}`;
  const all = [...table.rows.values()];
  const value = (v: unknown): string => (v === null || v === undefined ? '' : `~${String(v)}`);
  for (let round = 0; round < 200; round++) {
    const key = next() < 0.5 ? 'physical_network' : 'pxe_enabled';
    const dir = next() < 0.5 ? 'asc' : 'desc';
    const sign = dir === 'desc' ? -1 : 1;
    const order = (a: (typeof all)[0], b: (typeof all)[0]): number => {
      const va = key === 'pxe_enabled' ? Number(a[key]) : value(a[key]);
      const vb = key === 'pxe_enabled' ? Number(b[key]) : value(b[key]);
      const c = va < vb ? -1 : va > vb ? 1 : a.id - b.id;
      return sign * c;
    };
    const even = next() < 0.3;
    const keep = even ? (r: { id: number }) => r.id % 2 === 0 : () => true;
    const marker = next() < 0.5 ? all[Math.floor(next() * all.length)] : undefined;
    const limit = next() < 0.8 ? Math.floor(next() * 40) : undefined;
    const sorted = all.filter(keep).sort(order);
    const after = marker ? sorted.filter((r) => order(r, marker) > 0) : sorted;
    const expected = after.slice(0, limit ?? Number.POSITIVE_INFINITY);
    const page = table.list({ sort_key: key, sort_dir: dir, marker: marker?.uuid, limit }, keep);
    assert.deepEqual(
      page.map((r) => r.id),
      expected.map((r) => r.id),
      `round ${round}: ${key} ${dir} marker ${marker?.id} limit ${limit} even ${even}`,
    );
  }
});

test('indexed fields follow inserts, updates and deletes; a stale entry is never answered', () => {
  const table = new Table(PORT, ['address', 'node_id']);
  assert.equal(table.isIndexed('address'), true);
  assert.equal(table.isIndexed('pxe_enabled'), false);
  const a = table.insert({ address: '52:54:00:00:00:01', node_id: 1 });
  const b = table.insert({ address: '52:54:00:00:00:02', node_id: 1 });
  const c = table.insert({ address: '52:54:00:00:00:03', node_id: 2 });
  assert.equal(table.byField('address', '52:54:00:00:00:02'), b);
  assert.deepEqual(
    table.rowsWith('node_id', 1)?.map((r) => r.id),
    [a.id, b.id],
  );
  table.update(b, { node_id: 2, address: '52:54:00:00:00:22' });
  assert.equal(table.byField('address', '52:54:00:00:00:02'), undefined);
  assert.equal(table.byField('address', '52:54:00:00:00:22'), b);
  assert.deepEqual(
    table.rowsWith('node_id', 2)?.map((r) => r.id),
    [b.id, c.id],
  );
  assert.deepEqual(
    table.rowsWith('node_id', 1)?.map((r) => r.id),
    [a.id],
  );
  table.delete(a);
  assert.deepEqual(table.rowsWith('node_id', 1), []);
  assert.equal(table.byField('address', '52:54:00:00:00:01'), undefined);
  // assigned in place: the old entry is checked against the row and not answered
  c.node_id = 3;
  assert.deepEqual(
    table.rowsWith('node_id', 2)?.map((r) => r.id),
    [b.id],
  );
  assert.equal(table.rowsWith('pxe_enabled', true), undefined);
  // a list walks only the rows it is given, in id order, with its limit and marker
  const more = [1, 2, 3, 4].map((i) => table.insert({ address: `52:54:00:00:01:0${i}`, node_id: 9 }));
  assert.deepEqual(
    table
      .list({ limit: 2, marker: more[0]!.uuid }, (r) => r.node_id === 9, table.rowsWith('node_id', 9))
      .map((r) => r.id),
    [more[1]!.id, more[2]!.id],
  );
});

test('a page by an indexed field or created_at follows writes between reads, as sorting the whole table does', () => {
  const next = random(11);
  const table = new Table(PORT, ['address', 'node_id']);
  const rows = Array.from({ length: 200 }, () =>
    table.insert({ address: `52:54:00:00:00:${Math.floor(next() * 40)}`, node_id: Math.floor(next() * 9) }),
  );
  // spread creation times, set before the first read (created_at is never assigned in place after)
  for (const r of rows) r.created_at = new Date(1_700_000_000_000 + Math.floor(next() * 20) * 1000);
  for (let round = 0; round < 300; round++) {
    // a write between reads: an update of the sort key, a delete or an insert
    const live = [...table.rows.values()];
    const pick = live[Math.floor(next() * live.length)];
    const w = next();
    if (pick && w < 0.3) table.update(pick, { node_id: Math.floor(next() * 9) });
    else if (pick && w < 0.4) table.delete(pick);
    else if (w < 0.5) table.insert({ address: `52:54:00:00:01:${round}`, node_id: Math.floor(next() * 9) });
    const all = [...table.rows.values()];
    const key = ['address', 'node_id', 'created_at'][Math.floor(next() * 3)] as string;
    const dir = next() < 0.5 ? 'asc' : 'desc';
    const sign = dir === 'desc' ? -1 : 1;
    const value = (r: (typeof all)[0]): number | string =>
      key === 'created_at' ? (r.created_at as Date).getTime() : (r[key] as number | string);
    const order = (a: (typeof all)[0], b: (typeof all)[0]): number => {
      const va = value(a);
      const vb = value(b);
      return sign * (va < vb ? -1 : va > vb ? 1 : a.id - b.id);
    };
    const odd = next() < 0.3;
    const keep = odd ? (r: { id: number }) => r.id % 2 === 1 : () => true;
    const marker = next() < 0.5 ? all[Math.floor(next() * all.length)] : undefined;
    const limit = Math.floor(next() * 30);
    const sorted = all.filter(keep).sort(order);
    const expected = (marker ? sorted.filter((r) => order(r, marker) > 0) : sorted).slice(0, limit);
    assert.deepEqual(
      table.list({ sort_key: key, sort_dir: dir, marker: marker?.uuid, limit }, keep).map((r) => r.id),
      expected.map((r) => r.id),
      `round ${round}: ${key} ${dir} marker ${marker?.id} limit ${limit}`,
    );
  }
});
