import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { createTransport } from '../../../src/rpc/transport.ts';
import { harness, keyBehaviours, poolFull } from './api-scenario.ts';

test('through ConductorAPI on memory://: state machine, locks, power, boot, traits, VIFs, vendor passthru, lists', async () => {
  const url = `memory://sim-${randomUUID()}`;
  const h = await harness(() => createTransport(url), ['sim-1'], { nodes: 3, actionDelayMs: 30 });
  try {
    await keyBehaviours(h.api);
  } finally {
    await h.close();
  }
});

test('through ConductorAPI on memory://: NoFreeConductorWorker when the pool is full', async () => {
  const url = `memory://sim-${randomUUID()}`;
  const h = await harness(() => createTransport(url), ['sim-1'], { nodes: 2, workers: 1, actionDelayMs: 100 });
  try {
    await poolFull(h.api);
  } finally {
    await h.close();
  }
});
