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
