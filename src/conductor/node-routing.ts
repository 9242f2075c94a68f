/**
 * The routing fields of nodes the gateway has read (uuid → driver and conductor group), so a
 * route that needs nothing of its node but the conductor to send to (boot device, NMI, console,
 * VIFs, indicators, validate: lookup.ts withNodeTopic) can skip reading it again.
 *
 * What it is for and what not: only the choice of topic. Ironic's conductors do not refuse a
 * node the hash ring maps elsewhere; the one that receives the call loads the node under its
 * lock, so existence and state are always current. Policy never comes from here (lookup.ts
 * skips the read only when the caller passes whatever the node's owner and lessee are).
 *
 * Staleness rule: an entry lives `ttlS` seconds from the read that stored it (the hash ring
 * itself is rebuilt every hash_ring_reset_interval, so routing is already that stale in Ironic),
 * and is dropped at once when this gateway updates or deletes the node, or when a call routed
 * by it fails with NodeNotFound or DriverNotFound. A node whose driver or group another gateway
 * changed may be routed by the old values for up to `ttlS`. Bounded to `max` entries (LRU).
 */
import { LRUCache } from 'lru-cache';

export interface NodeRoute {
  uuid: string;
  driver: string;
  /** undefined: the node object had no such field (Node 1.23, Queens) */
  conductor_group?: string | null;
}

export class NodeRoutingCache {
  private readonly cache: LRUCache<string, NodeRoute> | null;

  /** @param ttlS seconds an entry is used; 0 turns the cache off */
  constructor(
    readonly ttlS: number,
    readonly max = 10_000,
  ) {
    this.cache = ttlS > 0 ? new LRUCache<string, NodeRoute>({ max, ttl: ttlS * 1000, ttlAutopurge: false }) : null;
  }

  get enabled(): boolean {
    return this.cache !== null;
  }

  get size(): number {
    return this.cache?.size ?? 0;
  }

  remember(route: NodeRoute): void {
    this.cache?.set(route.uuid, route);
  }

  get(uuid: string): NodeRoute | undefined {
    return this.cache?.get(uuid);
  }

  forget(uuid: string): void {
    this.cache?.delete(uuid);
  }
}
