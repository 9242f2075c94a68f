/** The captured oslo.messaging exchanges in ../shared/fixtures/wire (request + reply pairs). */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** copies of ../shared/fixtures kept in the repo, so a fresh clone has them */
export const FIXTURES = join(import.meta.dirname, 'fixtures');
export const WIRE_DIR = join(FIXTURES, 'wire');

export interface WireSide {
  exchange: string;
  routing_key: string;
  properties: Record<string, unknown>;
  envelope_keys: string[];
  'oslo.version': string;
  message: Record<string, unknown>;
}

export interface WireFixture {
  file: string;
  request: WireSide;
  reply?: WireSide;
}

export function loadWireFixtures(): WireFixture[] {
  return readdirSync(WIRE_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({
      file,
      ...(JSON.parse(readFileSync(join(WIRE_DIR, file), 'utf8')) as Omit<WireFixture, 'file'>),
    }));
}

/** The body bytes as the broker carried them: the inner message as a JSON string in the envelope. */
export function brokerBody(side: WireSide): Buffer {
  return Buffer.from(
    JSON.stringify({ 'oslo.version': side['oslo.version'], 'oslo.message': JSON.stringify(side.message) }),
  );
}

export function loadHashRingVectors(): Array<{ uuid: string; hosts: string[]; partitions: number; replicas1: string }> {
  return JSON.parse(readFileSync(join(FIXTURES, 'hash-ring-vectors.json'), 'utf8'));
}
