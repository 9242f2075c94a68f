/** Calls a simulated conductor's endpoint the way a transport would: JSON in, JSON out, failures as RemoteError. */
import assert from 'node:assert/strict';
import { RemoteError } from '../../../src/rpc/errors.ts';
import { createSimulator, type Simulator, type SimulatorOptions } from '../../../src/simulator/index.ts';

export type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

export function makeSim(
  opts: Partial<SimulatorOptions> = {},
): Simulator & { call(method: string, args?: Record<string, unknown>): Promise<Json> } {
  const sim = createSimulator({ host: 'sim-1', actionDelayMs: 20, workers: 10, ...opts });
  return Object.assign(sim, {
    async call(method: string, args: Record<string, unknown> = {}): Promise<Json> {
      const result = await sim.endpoint({
        method,
        args: JSON.parse(JSON.stringify(args)),
        version: '1.44',
        context: {},
      });
      return result === undefined ? null : JSON.parse(JSON.stringify(result));
    },
  });
}

/** Asserts the promise fails with Ironic's exception `className` (and a message matching `message`). */
export async function rejectsWith(
  p: Promise<unknown>,
  className: string,
  message?: RegExp | string,
): Promise<RemoteError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof RemoteError, `expected a RemoteError, got ${String(err)}`);
    assert.equal(err.exc_type, className, err.message);
    if (typeof message === 'string') assert.equal(err.message, message);
    else if (message) assert.match(err.message, message);
    return err;
  }
  assert.fail(`expected ${className}, but the call succeeded`);
}

export const classAction = (
  objname: string,
  objmethod: string,
  args: unknown[] = [],
  kwargs: Record<string, unknown> = {},
  version?: string,
) => ({
  objname,
  objmethod,
  object_versions: {
    [objname]:
      version ??
      {
        Node: '1.23',
        Port: '1.7',
        Portgroup: '1.3',
        Chassis: '1.3',
        VolumeConnector: '1.0',
        VolumeTarget: '1.0',
        Conductor: '1.2',
      }[objname],
  },
  args,
  kwargs,
});

export const data = (p: Json): Json => p['ironic_object.data'];

export async function nodeState(sim: ReturnType<typeof makeSim>, uuid: string): Promise<Json> {
  return data(await sim.call('object_class_action_versions', classAction('Node', 'get_by_uuid', [uuid])));
}
