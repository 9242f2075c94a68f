import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../../src/config.ts';
import { createConductorAPI, createConductorRpcClient } from '../../../src/conductor/api.ts';
import { makeContext } from '../../../src/conductor/context.ts';
import type { IronicObject } from '../../../src/conductor/objects.ts';
import { createTransport } from '../../../src/rpc/transport.ts';
import { runSimulatorCommand, simulatorHosts } from '../../../src/simulator/cli.ts';

test('simulatorHosts splits a comma-separated list and refuses empty or repeated names', () => {
  assert.deepEqual(simulatorHosts('sim-a, sim-b,sim-c'), ['sim-a', 'sim-b', 'sim-c']);
  assert.throws(() => simulatorHosts(' , '), /names no host/);
  assert.throws(() => simulatorHosts('a,a'), /twice/);
});

test('one simulator command with three hosts: three live conductors over one store, nodes spread by the hash ring', async () => {
  const url = `memory://cli-${randomUUID()}`;
  const config = loadConfig({
    env: {},
    overrides: { transport_url: url, simulator_host: 'sim-a,sim-b,sim-c', simulator_nodes: 30, log_level: 'silent' },
  });
  const cmd = await runSimulatorCommand(config, { handleSignals: false });
  const transport = createTransport(url);
  try {
    const api = createConductorAPI(createConductorRpcClient(transport, { rpc_response_timeout: 5 }), config);
    const ctx = makeContext({ is_admin: true });
    const conductors = (await api.object_class_action_versions(
      ctx,
      'Conductor',
      'list',
      { Conductor: '1.2' },
      [],
      {},
    )) as IronicObject[];
    assert.deepEqual(conductors.map((c) => c.get('hostname' as never)).sort(), ['sim-a', 'sim-b', 'sim-c']);
    const nodes = (await api.object_class_action_versions(
      ctx,
      'Node',
      'list',
      { Node: '1.23' },
      [],
      {},
    )) as IronicObject[];
    assert.equal(nodes.length, 30, 'every conductor answers from the one shared store');
    const topics = new Set<string>();
    for (const n of nodes) topics.add(await api.get_topic_for(n as never));
    assert.deepEqual([...topics].sort(), [
      'ironic.conductor_manager.sim-a',
      'ironic.conductor_manager.sim-b',
      'ironic.conductor_manager.sim-c',
    ]);
    // a node-bound call reaches the conductor its topic names, which shares the node
    const first = nodes[0]!;
    const boot = await api.get_boot_device(
      ctx,
      String(first.get('uuid' as never)),
      await api.get_topic_for(first as never),
    );
    assert.equal((boot as { boot_device: string }).boot_device, 'pxe');
  } finally {
    await transport.close();
    await cmd.stop();
  }
});
