/**
 * Routing of nodes to conductors, mapping exactly as Ironic's (tooz's HashRing, md5): each host
 * owns 2^exponent ring positions; a key goes to the host of the first position strictly above
 * md5(key) (bisect right), wrapping to the first. Rings are kept per `<conductor_group>:<driver>`
 * (and per driver alone, ignoring groups) over the live conductors, rebuilt every
 * hash_ring_reset_interval and at once when a lookup misses.
 */
import { createHash } from 'node:crypto';
import { ironicError } from './exceptions.ts';

/** md5 digests as 32 hex digits compare as strings exactly as the 128-bit integers do. */
const md5hex = (data: string): string => createHash('md5').update(data, 'utf8').digest('hex');

export class HashRing {
  /** sorted positions (hex) and the host at each */
  private readonly positions: string[];
  private readonly owners = new Map<string, string>();
  readonly nodes: ReadonlySet<string>;

  constructor(
    hosts: Iterable<string>,
    readonly partitions = 32,
  ) {
    this.nodes = new Set(hosts);
    for (const host of this.nodes) {
      const h = createHash('md5').update(host, 'utf8');
      for (let i = 0; i < partitions; i++) {
        h.update(host, 'utf8');
        // copy() keeps the running state: tooz reads the digest then keeps updating the same object
        this.owners.set(h.copy().digest('hex'), host);
      }
    }
    this.positions = [...this.owners.keys()].sort();
  }

  private partitionOf(key: string): number {
    const k = md5hex(key);
    let lo = 0;
    let hi = this.positions.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (k < this.positions[mid]) hi = mid;
      else lo = mid + 1;
    }
    return lo < this.positions.length ? lo : 0;
  }

  /** The `replicas` hosts for `key` (tooz's get_nodes), first the owner of its partition. */
  getNodes(key: string, replicas = 1): string[] {
    const out: string[] = [];
    if (this.positions.length === 0) return out;
    const want = Math.min(replicas, this.nodes.size);
    let p = this.partitionOf(key);
    while (out.length < want) {
      const host = this.owners.get(this.positions[p]);
      if (host !== undefined && !out.includes(host)) out.push(host);
      p = p + 1 < this.positions.length ? p + 1 : 0;
    }
    return out;
  }

  /** The one host for `key`. */
  getNode(key: string): string {
    const [host] = this.getNodes(key, 1);
    if (host === undefined) throw new Error('empty hash ring');
    return host;
  }
}

/** A conductor as the ring needs it: name, group, enabled hardware types, last heartbeat. */
export interface ConductorInfo {
  hostname: string;
  conductor_group: string;
  drivers: readonly string[];
  /** ISO time of the last heartbeat; older than heartbeatTimeoutS means dead */
  updated_at?: string | null;
}

export interface HashRingManagerOptions {
  /** hash_partition_exponent: 2^exponent positions per host */
  partitionExponent: number;
  /** hash_ring_reset_interval, seconds */
  resetIntervalS: number;
  /** conductors silent for longer are not in the rings ([conductor]heartbeat_timeout, 60 s) */
  heartbeatTimeoutS?: number;
  now?: () => number;
}

type Rings = Map<string, HashRing>;

interface LoadedRings {
  grouped: Rings;
  plain: Rings;
  /** live conductors, whatever their drivers and groups */
  hosts: number;
  at: number;
}

/** Ironic's HashRingManager over a conductor lister (the Conductor list through the conductor). */
export class HashRingManager {
  private cache: LoadedRings | null = null;
  private loading: Promise<LoadedRings> | null = null;
  private readonly now: () => number;

  constructor(
    private readonly listConductors: () => Promise<ConductorInfo[]>,
    private readonly options: HashRingManagerOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  reset(): void {
    this.cache = null;
    this.loading = null;
  }

  /**
   * The rings, rebuilt every reset interval. Once built, a rebuild runs in the background and
   * lookups keep the last rings meanwhile (stale while revalidating): a slow or stopped
   * conductor then costs a request its own call's timeout, never the conductor list's as well.
   * Only the first build (or one after `reset()`) is waited for.
   */
  private async rings(): Promise<LoadedRings> {
    const fresh = this.fresh();
    if (fresh) return fresh;
    // one load at a time: concurrent lookups share it
    if (!this.loading) {
      const loading = this.load().then((r) => {
        this.cache = r;
        return r;
      });
      this.loading = loading;
      void loading
        .finally(() => {
          if (this.loading === loading) this.loading = null;
        })
        .catch(() => undefined);
    }
    const stale = this.cache;
    if (stale) return stale;
    return this.loading;
  }

  private async load(): Promise<LoadedRings> {
    const conductors = await this.listConductors();
    const now = this.now();
    const deadline = now - (this.options.heartbeatTimeoutS ?? 60) * 1000;
    const hosts = new Set<string>();
    const grouped = new Map<string, Set<string>>();
    const plain = new Map<string, Set<string>>();
    const add = (m: Map<string, Set<string>>, key: string, host: string): void => {
      const s = m.get(key) ?? new Set<string>();
      m.set(key, s);
      s.add(host);
    };
    for (const c of conductors) {
      if (c.updated_at) {
        const t = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(c.updated_at) ? c.updated_at : `${c.updated_at}Z`);
        if (!Number.isNaN(t) && t < deadline) continue;
      }
      hosts.add(c.hostname);
      for (const d of c.drivers) {
        add(grouped, `${c.conductor_group ?? ''}:${d}`, c.hostname);
        add(plain, d, c.hostname);
      }
    }
    const partitions = 2 ** this.options.partitionExponent;
    const build = (m: Map<string, Set<string>>): Rings =>
      new Map([...m].map(([k, hosts]) => [k, new HashRing(hosts, partitions)]));
    return { grouped: build(grouped), plain: build(plain), hosts: hosts.size, at: now };
  }

  /**
   * How many conductors were alive at the last build of the rings (any driver, any group),
   * without waiting: null before the first build, which this starts (as it starts a rebuild
   * once the rings are older than the reset interval).
   */
  liveCountNow(): number | null {
    if (!this.fresh()) this.rings().catch(() => undefined);
    return this.cache ? this.cache.hosts : null;
  }

  /** The rings when built within the reset interval, else null. */
  private fresh(): LoadedRings | null {
    const limit = this.now() - this.options.resetIntervalS * 1000;
    return this.cache && this.cache.at >= limit ? this.cache : null;
  }

  private async lookup(driver: string, group: string | null): Promise<HashRing> {
    const r = await this.rings();
    if (r.plain.size === 0)
      throw ironicError('TemporaryFailure', 'Resource temporarily unavailable, please retry.', { code: 503 });
    const ring = group === null ? r.plain.get(driver) : r.grouped.get(`${group}:${driver}`);
    if (!ring)
      throw ironicError('DriverNotFound', `The driver '${driver}' is unknown.`, { driver_name: driver, code: 404 });
    return ring;
  }

  /**
   * The hostnames of the live conductors (any driver, any group), as dbapi.get_online_conductors
   * would list them; read from the same cached conductor list as the rings.
   */
  async liveHosts(): Promise<string[]> {
    let r = await this.rings();
    if (r.plain.size === 0) {
      this.reset();
      r = await this.rings();
    }
    const hosts = new Set<string>();
    for (const ring of r.plain.values()) for (const h of ring.nodes) hosts.add(h);
    return [...hosts].sort();
  }

  /**
   * The ring for `driver` in `group` (null: ignoring groups). A miss (no conductors, unknown
   * driver) rebuilds the rings once and retries, as conductors may just have joined.
   * @throws TemporaryFailure when no conductor is alive, DriverNotFound when none has the driver
   */
  async getRing(driver: string, group: string | null): Promise<HashRing> {
    try {
      return await this.lookup(driver, group);
    } catch {
      this.reset();
      return this.lookup(driver, group);
    }
  }
}
