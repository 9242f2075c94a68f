/** Enrolls fake nodes so a newcomer sees data at once: each with one PXE port, powered off. */
import { resolveInterfaces, FAKE_HARDWARE } from './drivers.ts';
import { ENROLL, POWER_OFF } from '../conductor/states.ts';
import type { NodeRow, Store } from './store.ts';

const mac = (n: number): string =>
  `52:54:00:${[(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff].map((b) => b.toString(16).padStart(2, '0')).join(':')}`;

/** Adds fake nodes named `fake-node-<i>` (those already present are kept) and returns the new ones. */
export function seedNodes(store: Store, count: number): NodeRow[] {
  const out: NodeRow[] = [];
  for (let i = 1; i <= count; i++) {
    const name = `fake-node-${i}`;
    if (store.nodes.byField('name', name)) continue;
    const node = store.createNode({
      name,
      driver: FAKE_HARDWARE,
      provision_state: ENROLL,
      power_state: POWER_OFF,
      properties: { cpus: 8, memory_mb: 16384, local_gb: 100, cpu_arch: 'x86_64' },
      ...resolveInterfaces({}),
    });
    store.createPort({ node_id: node.id, address: mac(node.id), pxe_enabled: true });
    out.push(node);
  }
  return out;
}
