/**
 * The hardware the simulated conductor offers: Ironic's `fake-hardware` hardware type with its
 * fake interfaces (ironic/drivers/modules/fake.py at 10.1.0), the interfaces each node may
 * select, their defaults, driver properties and vendor passthru routes.
 */
import { ironicError } from '../conductor/exceptions.ts';
import { NODE_INTERFACES } from './schema.ts';
import { own } from '../own.ts';

export const FAKE_HARDWARE = 'fake-hardware';
export const DRIVERS = [FAKE_HARDWARE] as const;

/** enabled_<iface>_interfaces, first = default (as the real conductor's config in real-conductor.md, network flat first). */
export const ENABLED_INTERFACES: Readonly<Record<string, readonly string[]>> = {
  bios: ['fake', 'no-bios'],
  boot: ['fake'],
  console: ['fake', 'no-console'],
  deploy: ['fake'],
  inspect: ['fake', 'no-inspect'],
  management: ['fake'],
  network: ['flat', 'noop'],
  power: ['fake'],
  raid: ['fake', 'no-raid'],
  rescue: ['fake', 'no-rescue'],
  storage: ['noop', 'fake'],
  vendor: ['fake', 'no-vendor'],
};

export function checkDriver(name: unknown): asserts name is string {
  if (typeof name !== 'string' || !(DRIVERS as readonly string[]).includes(name)) {
    throw ironicError(
      'DriverNotFound',
      `Could not find the following driver(s) or hardware type(s): ${String(name)}.`,
      { driver_name: name },
    );
  }
}

/**
 * driver_factory.check_and_update_node_interfaces: unset interfaces get the default, set ones
 * must be enabled. Returns the interface fields to store.
 */
export function resolveInterfaces(
  values: Record<string, unknown>,
  current: Record<string, unknown> = {},
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const iface of NODE_INTERFACES) {
    const field = `${iface}_interface`;
    const v = field in values ? values[field] : current[field];
    const enabled = ENABLED_INTERFACES[iface];
    if (v === null || v === undefined) {
      out[field] = enabled[0];
      continue;
    }
    if (typeof v !== 'string' || !enabled.includes(v)) {
      throw ironicError(
        'InterfaceNotFoundInEntrypoint',
        `Could not find the following interface in the 'ironic.hardware.interfaces.${iface}' entrypoint: ${String(v)}. Valid interfaces are ${enabled.join(', ')}.`,
        { iface: v, entrypoint: `ironic.hardware.interfaces.${iface}`, valid: enabled },
      );
    }
    out[field] = v;
  }
  return out;
}

/** The fake interfaces' get_properties (only FakeVendorB has any). */
export function driverProperties(): Record<string, string> {
  return { B1: 'B1 description. Required.', B2: 'B2 description. Required.' };
}

/** FakeManagement.get_supported_boot_devices. */
export const SUPPORTED_BOOT_DEVICES = ['pxe'];

export interface VendorRoute {
  http_methods: string[];
  async: boolean;
  description: string;
  attach: boolean;
  require_exclusive_lock?: boolean;
  /** the method; receives the passthru kwargs (info + http_method) */
  func: (info: Record<string, unknown>, nodeUuid?: string) => unknown;
  /** vendor.validate for this method */
  validate?: (info: Record<string, unknown>) => void;
}

const needBar =
  (method: string) =>
  (info: Record<string, unknown>): void => {
    if (!info.bar) throw ironicError('MissingParameterValue', `Parameter 'bar' not passed to method '${method}'.`);
  };

/**
 * FakeVendorB's node routes, plus `attach_method` — a simulator addition (Ironic's fake has no
 * attach method) whose text return value the API must send as the raw response body.
 */
export const NODE_VENDOR_ROUTES: Readonly<Record<string, VendorRoute>> = {
  second_method: {
    http_methods: ['POST'],
    async: true,
    description: 'Test if the value of bar is kazoo',
    attach: false,
    require_exclusive_lock: true,
    func: (i) => i.bar === 'kazoo',
    validate: needBar('second_method'),
  },
  third_method_sync: {
    http_methods: ['POST'],
    async: false,
    description: 'Test if the value of bar is meow',
    attach: false,
    require_exclusive_lock: true,
    func: (i) => i.bar === 'meow',
    validate: needBar('third_method_sync'),
  },
  fourth_method_shared_lock: {
    http_methods: ['POST'],
    async: true,
    description: 'Test if the value of bar is woof',
    attach: false,
    require_exclusive_lock: false,
    func: (i) => i.bar === 'woof',
    validate: needBar('fourth_method_shared_lock'),
  },
  attach_method: {
    http_methods: ['GET', 'POST'],
    async: false,
    description: 'Return a fake console log as an attachment (simulator only)',
    attach: true,
    require_exclusive_lock: false,
    func: (_i, node) => `fake console log of node ${node ?? ''}\nboot ok\n`,
  },
};

/** Driver-level routes: simulator additions covering sync, async and attach (Ironic's fake has none). */
export const DRIVER_VENDOR_ROUTES: Readonly<Record<string, VendorRoute>> = {
  driver_method_sync: {
    http_methods: ['GET', 'POST'],
    async: false,
    description: 'Echo the arguments (simulator only)',
    attach: false,
    func: (i) => ({ echo: i }),
  },
  driver_method_async: {
    http_methods: ['POST'],
    async: true,
    description: 'Do nothing, asynchronously (simulator only)',
    attach: false,
    func: () => null,
  },
  driver_method_attach: {
    http_methods: ['GET'],
    async: false,
    description: 'Return a text attachment (simulator only)',
    attach: true,
    func: () => 'fake-hardware driver attachment\n',
  },
};

/** get_vendor_passthru_metadata: each route without its function. */
export function vendorMetadata(routes: Readonly<Record<string, VendorRoute>>): Record<string, Record<string, unknown>> {
  return Object.fromEntries(
    Object.entries(routes).map(([name, r]) => {
      const meta: Record<string, unknown> = {
        http_methods: r.http_methods,
        async: r.async,
        description: r.description,
        attach: r.attach,
      };
      if (r.require_exclusive_lock !== undefined) meta.require_exclusive_lock = r.require_exclusive_lock;
      return [name, meta];
    }),
  );
}

/** Looks up a route and checks the HTTP method, with Ironic's messages. */
export function vendorRoute(
  routes: Readonly<Record<string, VendorRoute>>,
  method: unknown,
  httpMethod: unknown,
): { route: VendorRoute; http: string } {
  const route = typeof method === 'string' ? own(routes, method) : undefined;
  if (!route) throw ironicError('InvalidParameterValue', `No handler for method ${String(method)}`);
  const http = String(httpMethod ?? '').toUpperCase();
  if (!route.http_methods.includes(http))
    throw ironicError('InvalidParameterValue', `The method ${String(method)} does not support HTTP ${http}`);
  return { route, http };
}

/** validate_driver_interfaces for a fake-hardware node: Ironic's order, every fake interface valid. */
export function validateInterfaces(
  node: Record<string, unknown>,
): Record<string, { result: boolean | null; reason?: string }> {
  const order = ['deploy', 'power', 'network', 'boot', 'console', 'inspect', 'management', 'raid', 'rescue', 'storage'];
  const out: Record<string, { result: boolean | null; reason?: string }> = {};
  for (const iface of order) {
    const impl = node[`${iface}_interface`];
    out[iface] =
      typeof impl === 'string' && impl.startsWith('no-')
        ? {
            result: false,
            reason: `Driver ${String(node.driver)} does not support ${iface} (disabled or not implemented).`,
          }
        : { result: true };
  }
  return out;
}
