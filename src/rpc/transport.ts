/** Chooses the transport from the URL scheme: `memory://[name]` or `rabbit://…`. */
import { MemoryTransport, isMemoryUrl } from './memory.ts';
import { RabbitTransport, type RabbitOptions } from './rabbit.ts';
import type { Transport } from './types.ts';

export interface TransportOptions extends Partial<RabbitOptions> {
  /** oslo's control_exchange; 'ironic' by default */
  exchange?: string;
}

export function createTransport(url: string, options: TransportOptions = {}): Transport {
  if (isMemoryUrl(url)) return new MemoryTransport(url, options.exchange ?? 'ironic');
  if (url.startsWith('rabbit://')) return new RabbitTransport(url, options);
  throw new TypeError(`unsupported transport URL ${JSON.stringify(url)}: use memory:// or rabbit://`);
}

/** A transport URL without its credentials (every host of a multi-host URL), for logs and health. */
export function redactTransportUrl(url: string): string {
  return url.replace(/\/\/[^@/,]*@/g, '//***@').replace(/,[^@/,]*@/g, ',***@');
}
