/**
 * Table look-ups by a name that came from outside (a client, an RPC peer). A plain object
 * answers for the keys of Object.prototype too: `table['constructor']` is a function and
 * `'__proto__' in table` is true, so a look-up by such a name must ask for the table's own
 * keys only.
 */

/** `table[key]` when `key` is one of the table's own keys, else undefined. */
export function own<V>(table: Readonly<Record<string, V>>, key: string): V | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}
