/**
 * Node reads batched: reads of *different* nodes by uuid that queue up behind calls in flight
 * are sent to the conductor as one `Node.list(filters={'uuid_in': [...]})` instead of one
 * `Node.get_by_uuid` each.
 *
 * Why: a conductor answers each RPC with a fixed cost (consuming the message, dispatching it,
 * one SQL query, serializing, publishing the reply) on top of the cost of each node it loads.
 * Under concurrent reads of different nodes (a dashboard refreshing a page of nodes one by one,
 * PATCHes and provision actions on many nodes, each reading its node first) that fixed cost is
 * most of what the conductor spends; one list call for the reads waiting together pays it once.
 * Identical reads are already shared by the coalescer (coalesce.ts), which sits in front of this.
 *
 * When: a read of one node by uuid (`object_class_action_versions` Node.get_by_uuid) is sent as
 * it is, at once, while fewer than `maxInFlight` calls of its group are in flight (the gateway
 * allows one per live conductor: indirection calls go to the topic all conductors share). Past
 * that it waits; when a call of its group ends, the reads waiting are sent together (up to
 * `maxBatch` a call; a lone one as its own get_by_uuid). A group is everything sent but the
 * uuid and the request ids: target, RPC version, object versions and the caller's context, so
 * callers with different credentials never share a call. A light load therefore sends exactly
 * what it sent before, and nothing waits when nothing is in flight.
 *
 * Freshness: every read waiting for a batch arrived before the batch was sent, so its answer
 * reflects the conductor's state at a moment after its request arrived, as its own call's
 * would. Nothing is cached; nothing is kept once a group's last call ends.
 *
 * The same answer as get_by_uuid, or get_by_uuid itself:
 * - Node.list and Node.get_by_uuid load a node with the same query and build the same object
 *   (21.4's and 39.0's trees); `uuid_in` is a filter of every release from 21.4 (Node 1.37).
 *   From Node 1.38 (parent_node) list hides child nodes unless `include_children` is true, which
 *   is sent. A gateway whose Node version is older than 1.37 never batches.
 * - Each node of the reply, and its nested TraitList and Traits, must be at the versions the
 *   read asked for: a list's objects are serialized by the conductor's RPC serializer at its
 *   own versions (its pin_release_version's for the node, the class's own for nested objects),
 *   not backported to the caller's manifest as get_by_uuid's are. Otherwise, or when the reply
 *   is not a list of nodes, or the conductor refuses the call, each read is sent again as its
 *   own get_by_uuid and batching stops for `offMs`: a gateway pinned below its conductors
 *   (one batch a minute is then spent finding out again). A node's dict fields are not looked
 *   into: they are users' JSON.
 * - A conductor pinned to the gateway's release sends a list's nodes converted to that version
 *   (fields of later versions removed), where get_by_uuid leaves such fields in. A gateway
 *   pinned to that release shows none of them at any microversion it serves.
 * - A read whose node is not in the reply (deleted, or named by a uuid the database matched
 *   differently) is sent as its own get_by_uuid, so a missing node is the conductor's own
 *   NodeNotFound.
 * - A batch's timeout, an unreachable broker or any other transport error ends each of its reads
 *   with that error, as their own calls would have ended; each read keeps its own deadline.
 *
 * Bounds: reads wait for a slot at most `holdMs` (1 s): past it their batch is sent anyway, so
 * calls hung on a stopped conductor hold back the reads behind them no longer than that.
 *
 * The conductor logs a batch under the request id of its first read.
 */
import { keyOf } from './coalesce.ts';
import { RemoteError } from './errors.ts';
import { ForwardingTransport } from './forwarding.ts';
import type { OutgoingMessage, Target, Transport } from './types.ts';
import { compareVersions, versionTuple } from './version.ts';
import { settle, timeLeft, type Waiter as WaitingRead, waitFor } from './waiting.ts';

/** Counts of what the batcher did, for metrics. */
export interface BatchCounts {
  /** Node.list calls sent for batched reads */
  batches: number;
  /** reads answered by a batch */
  batched: number;
  /** reads of a batch sent again as their own call (not in the reply, or the batch refused) */
  resent: number;
}

export interface BatchingOptions {
  /**
   * Reads of one group are sent at once while fewer than this many are in flight (1); a
   * function is asked at each read (the gateway gives the number of live conductors, so each
   * conductor of the shared topic has one batch to work on).
   */
  maxInFlight?: number | (() => number);
  /** most reads in one Node.list (50) */
  maxBatch?: number;
  /** longest a read waits for a slot before its batch is sent anyway, ms (1000) */
  holdMs?: number;
  /** how long batching stays off after a conductor answered a batch unusably, ms (60000) */
  offMs?: number;
}

/** The uuid of a read of one node by uuid that can be batched, else null. */
export function batchableNodeRead(message: OutgoingMessage): string | null {
  if (message.method !== 'object_class_action_versions') return null;
  const a = message.args;
  if (a.objname !== 'Node' || a.objmethod !== 'get_by_uuid') return null;
  if (!Array.isArray(a.args) || a.args.length !== 1 || typeof a.args[0] !== 'string') return null;
  if (a.kwargs && typeof a.kwargs === 'object' && Object.keys(a.kwargs).length > 0) return null;
  const node = nodeVersion(message);
  return node && compareVersions(node, '1.37') >= 0 ? a.args[0] : null;
}

function nodeVersion(message: OutgoingMessage): string | null {
  const versions = message.args.object_versions;
  const v = versions && typeof versions === 'object' ? Reflect.get(versions, 'Node') : undefined;
  return typeof v === 'string' && versionTuple(v) ? v : null;
}

/** What reads must share to share a call: all that is sent but the uuid and request ids. */
function groupOf(target: Target, message: OutgoingMessage): string {
  const { args: _uuid, ...rest } = message.args;
  return keyOf(target, message, rest);
}

/** The Node.list call that reads `uuids`, built on the first read's message. */
function listMessage(first: OutgoingMessage, uuids: string[]): OutgoingMessage {
  const filters: Record<string, unknown> = { uuid_in: uuids };
  const node = nodeVersion(first);
  if (node && compareVersions(node, '1.38') >= 0) filters.include_children = true;
  return {
    ...first,
    args: { ...first.args, objmethod: 'list', args: [], kwargs: { limit: uuids.length, filters } },
  };
}

/** True when `p` is a primitive of class `name` at the version `manifest` names for it. */
function objectAt(p: unknown, name: string, manifest: Record<string, unknown>): p is Record<string, unknown> {
  if (p === null || typeof p !== 'object') return false;
  const o = p as Record<string, unknown>;
  return o['ironic_object.name'] === name && o['ironic_object.version'] === manifest[name];
}

/**
 * True when a Node primitive and the objects a Node nests (its TraitList and their Traits) are
 * at the versions `manifest` names. Only those: the node's dict fields (extra, properties …)
 * are anyone's JSON and may hold anything, `ironic_object.name` keys included.
 */
function nodeAtManifest(p: unknown, manifest: Record<string, unknown>): boolean {
  if (!objectAt(p, 'Node', manifest)) return false;
  const data = p['ironic_object.data'];
  const traits = data && typeof data === 'object' ? Reflect.get(data, 'traits') : undefined;
  if (traits === undefined || traits === null) return true;
  if (!objectAt(traits, 'TraitList', manifest)) return false;
  const list = traits['ironic_object.data'];
  const objects = list && typeof list === 'object' ? Reflect.get(list, 'objects') : undefined;
  return Array.isArray(objects) && objects.every((t) => objectAt(t, 'Trait', manifest));
}

/** The uuid of a Node primitive, else null. */
function uuidOf(primitive: unknown): string | null {
  if (primitive === null || typeof primitive !== 'object') return null;
  const p = primitive as Record<string, unknown>;
  if (p['ironic_object.name'] !== 'Node') return null;
  const data = p['ironic_object.data'];
  const uuid = data && typeof data === 'object' ? Reflect.get(data, 'uuid') : undefined;
  return typeof uuid === 'string' ? uuid : null;
}

/** A read waiting for a batch: what its own get_by_uuid would send. */
interface Waiter extends WaitingRead {
  uuid: string;
  target: Target;
  message: OutgoingMessage;
}

interface Group {
  inFlight: number;
  waiting: Waiter[];
  /** sends the waiting reads after `holdMs` even if no slot freed */
  hold: NodeJS.Timeout | null;
}

export class BatchingTransport extends ForwardingTransport {
  private readonly groups = new Map<string, Group>();
  private readonly inFlightLimit: () => number;
  private readonly maxBatch: number;
  private readonly holdMs: number;
  private readonly offMs: number;
  private offUntil = 0;
  readonly counts: BatchCounts = { batches: 0, batched: 0, resent: 0 };

  constructor(inner: Transport, options: BatchingOptions = {}) {
    super(inner);
    const limit = options.maxInFlight ?? 1;
    this.inFlightLimit = typeof limit === 'number' ? () => limit : limit;
    const most = options.maxBatch ?? 50;
    this.maxBatch = Number.isFinite(most) ? Math.max(2, Math.floor(most)) : 50;
    this.holdMs = options.holdMs ?? 1000;
    this.offMs = options.offMs ?? 60_000;
  }

  private maxInFlight(): number {
    const n = this.inFlightLimit();
    return Number.isFinite(n) && n >= 1 ? Math.floor(n) : 1;
  }

  /** Groups with calls in flight or reads waiting (for tests: nothing is kept once calls end). */
  get active(): number {
    return this.groups.size;
  }

  override call(target: Target, message: OutgoingMessage, timeoutMs: number): Promise<unknown> {
    const uuid = batchableNodeRead(message);
    if (uuid === null || Date.now() < this.offUntil) return this.inner.call(target, message, timeoutMs);
    const k = groupOf(target, message);
    let group = this.groups.get(k);
    if (!group) {
      group = { inFlight: 0, waiting: [], hold: null };
      this.groups.set(k, group);
    }
    // (the limit is asked only when a call is in flight: a lone read never waits for it)
    if (group.waiting.length === 0 && (group.inFlight === 0 || group.inFlight < this.maxInFlight()))
      return this.track(k, group, this.forward(target, message, timeoutMs));
    const g = group;
    return waitFor(message, timeoutMs, 'batched with reads of other nodes', { uuid, target, message }, (w) => {
      g.waiting.push(w);
      g.hold ??= setTimeout(() => {
        g.hold = null;
        this.drain(k, g, true);
      }, this.holdMs);
    });
  }

  /** Counts `reply`, a call of group `k`, as in flight; sends the waiting reads when it ends. */
  private track(k: string, group: Group, reply: Promise<unknown>): Promise<unknown> {
    group.inFlight++;
    const after = (): void => {
      group.inFlight--;
      this.drain(k, group, false);
    };
    reply.then(after, after);
    return reply;
  }

  /** Sends the waiting reads while slots are free (all of them when `force`); forgets an idle group. */
  private drain(k: string, group: Group, force: boolean): void {
    const limit = this.maxInFlight();
    while (group.waiting.length > 0 && (force || group.inFlight < limit)) {
      const taken = group.waiting.splice(0, this.maxBatch).filter((w) => !w.done);
      if (taken.length > 0) this.sendBatch(k, group, taken);
    }
    if (group.waiting.length === 0 && group.hold) {
      clearTimeout(group.hold);
      group.hold = null;
    }
    if (group.inFlight === 0 && group.waiting.length === 0) this.groups.delete(k);
  }

  private sendBatch(k: string, group: Group, waiters: Waiter[]): void {
    const first = waiters[0] as Waiter;
    const timeout = timeLeft(waiters);
    if (waiters.length === 1) {
      this.track(k, group, this.forward(first.target, first.message, timeout)).then(
        (v) => settle(first, true, v),
        (e: unknown) => settle(first, false, e),
      );
      return;
    }
    const uuids = [...new Set(waiters.map((w) => w.uuid))];
    this.counts.batches++;
    this.track(k, group, this.forward(first.target, listMessage(first.message, uuids), timeout)).then(
      (reply) => this.answer(waiters, reply),
      (err: unknown) => {
        if (err instanceof RemoteError) this.refused(waiters);
        else for (const w of waiters) settle(w, false, err);
      },
    );
  }

  /** Hands each read its node from a batch's reply; reads it cannot answer are sent on their own. */
  private answer(waiters: Waiter[], reply: unknown): void {
    const manifest = (waiters[0] as Waiter).message.args.object_versions as Record<string, unknown>;
    if (!Array.isArray(reply) || !reply.every((p) => nodeAtManifest(p, manifest))) {
      this.refused(waiters);
      return;
    }
    const byUuid = new Map<string, unknown>();
    for (const p of reply) {
      const uuid = uuidOf(p);
      if (uuid === null) {
        this.refused(waiters);
        return;
      }
      byUuid.set(uuid, p);
    }
    const given = new Set<string>();
    for (const w of waiters) {
      if (w.done) continue;
      const node = byUuid.get(w.uuid);
      if (node === undefined) {
        this.resend(w);
        continue;
      }
      this.counts.batched++;
      settle(w, true, given.has(w.uuid) ? structuredClone(node) : node);
      given.add(w.uuid);
    }
  }

  /** The conductor could not answer a batch usably: each read on its own, no batches for a while. */
  private refused(waiters: Waiter[]): void {
    this.offUntil = Date.now() + this.offMs;
    for (const w of waiters) this.resend(w);
  }

  private resend(w: Waiter): void {
    if (w.done) return;
    this.counts.resent++;
    this.forward(w.target, w.message, timeLeft([w])).then(
      (v) => settle(w, true, v),
      (e: unknown) => settle(w, false, e),
    );
  }
}
