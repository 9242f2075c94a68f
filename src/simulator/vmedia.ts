/**
 * Issue 15, slice vmedia, on the simulated conductor: virtual media (RPC 1.59 attach and
 * detach, 1.61 get), firmware components (FirmwareComponentList.get_by_node_id) and the in-band
 * inspection callback (RPC 1.56 continue_inspection), as Ironic 39.0's ConductorManager runs
 * them with fake-hardware (ironic/conductor/manager.py, drivers/modules/fake.py).
 *
 * - Virtual media: FakeManagement implements none of the three ManagementInterface methods.
 *   GET answers the driver's UnsupportedDriverExtension (400). Attach and detach take the node
 *   exclusively, validate the management interface (FakeManagement.validate passes), refuse a
 *   node in maintenance for a power failure (TemporaryFailure, 503), clear last_error and spawn
 *   the work, whose failure is journalled (last_error and a history event, event type UNKNOWN):
 *   attach fails preparing the image (fake-hardware cannot publish images), detach fails in the
 *   driver. A node with `driver_info.simulator_virtual_media` stands for a BMC that has virtual
 *   media (bmcMedia below).
 * - Firmware: FakeFirmware.cache_firmware_components stores nothing, so fake-hardware nodes have
 *   no components; rows stored in `store.firmwareComponents` (tests) are served, ordered by id.
 * - continue_inspection: accepted in `inspect wait` only ([auto_discovery] is off), else a bare
 *   NotFound; `resume` (→ inspecting), then in the background the agent's last heartbeat is
 *   timestamped, the inventory and plugin data (without `logs`) are stored as the node's
 *   NodeInventory, and `done` (→ manageable). This is the in-band path of an inspect interface
 *   that processes the data (39.0's `agent`); 39.0's FakeInspect has no continue_inspection (it
 *   raises UnsupportedDriverExtension and leaves the node in `inspecting`), which no
 *   fake-hardware node can reach anyway (fake inspection never waits).
 */
import { ironicError, pyRepr } from '../conductor/exceptions.ts';
import * as S from '../conductor/states.ts';
import { asObject, type Args, type Sim } from './context.ts';
import { toPrimitive, type Primitive } from './primitives.ts';
import { applyEvent, unsupported } from './provision.ts';
import { FIRMWARE_COMPONENT, FIRMWARE_COMPONENT_LIST } from './schema.ts';
import type { NodeRow, Store } from './store.ts';
import { recordHistory, storeInventory } from './subresources.ts';
import { isIntLike } from './table.ts';
import type { Task } from './tasks.ts';

/** faults.POWER_FAILURE */
const POWER_FAILURE = 'power failure';

/**
 * The common start of attach and detach: validate (fake: nothing), the power-failure check,
 * last_error cleared, and the spawn (a full pool: _spawn_error_handler's last_error).
 */
function spawnVmediaAction(sim: Sim, task: Task, verb: 'attach' | 'detach', work: (node: NodeRow) => void): void {
  const node = task.node;
  if (node.maintenance && node.fault === POWER_FAILURE)
    throw ironicError(
      'TemporaryFailure',
      `Unable to ${verb} virtual media for node ${node.uuid} due to power failure state`,
    );
  node.last_error = null;
  node.updated_at = new Date();
  try {
    task.spawnAfter(sim.pool, async () => {
      await sim.sleep(0);
      work(node);
      node.updated_at = new Date();
    });
  } catch (err) {
    node.last_error = 'No free conductor workers available';
    throw err;
  }
}

/**
 * The simulator's stand-in for a BMC with virtual media (redfish's management interface): a
 * node whose driver_info has `simulator_virtual_media` (a list of `{media_types, inserted,
 * image}`, as redfish's get_virtual_media answers) answers GET with it, and attach and detach
 * change it instead of failing as fake-hardware does. Tests use it to see the driver's answer
 * pass through the gateway untouched.
 */
function bmcMedia(node: NodeRow): Record<string, unknown>[] | null {
  const media = asObject(node.driver_info).simulator_virtual_media;
  return Array.isArray(media) ? (media as Record<string, unknown>[]) : null;
}

function setBmcMedia(node: NodeRow, media: Record<string, unknown>[]): void {
  node.driver_info = { ...asObject(node.driver_info), simulator_virtual_media: media };
}

/** The redfish media types of each of Ironic's virtual media device types (redfish's management interface). */
const REDFISH_MEDIA_TYPES: Readonly<Record<string, readonly string[]>> = {
  cdrom: ['cd', 'dvd'],
  floppy: ['floppy'],
  disk: ['usbstick'],
};

const handles = (m: Record<string, unknown>, type: unknown): boolean =>
  Array.isArray(m.media_types) &&
  m.media_types.some((t) => (REDFISH_MEDIA_TYPES[String(type)] ?? []).includes(String(t).toLowerCase()));

export async function get_virtual_media(sim: Sim, a: Args): Promise<unknown> {
  return sim.tasks.with(a.node_id, { shared: true, purpose: 'get virtual media devices' }, (task) => {
    const media = bmcMedia(task.node);
    if (media) return structuredClone(media);
    throw unsupported(task.node, 'get_virtual_media');
  });
}

export async function attach_virtual_media(sim: Sim, a: Args): Promise<null> {
  return sim.tasks.with(a.node_id, { purpose: 'attaching virtual media' }, (task) => {
    spawnVmediaAction(sim, task, 'attach', (node) => {
      const media = bmcMedia(node);
      if (media) {
        const i = media.findIndex((m) => handles(m, a.device_type));
        if (i >= 0) {
          setBmcMedia(
            node,
            media.map((m, j) => (j === i ? { ...m, inserted: true, image: String(a.image_url) } : m)),
          );
          return;
        }
      }
      // do_attach_virtual_media: the image is prepared (published) before the driver is called,
      // and fake-hardware's image handler cannot publish
      const reason = `Publishing images is not supported for driver ${node.driver}`;
      recordHistory(sim, node, `Could not attach device ${String(a.device_type)} to node ${node.uuid}: ${reason}`);
    });
    return null;
  });
}

export async function detach_virtual_media(sim: Sim, a: Args): Promise<null> {
  return sim.tasks.with(a.node_id, { purpose: 'detaching virtual media' }, (task) => {
    spawnVmediaAction(sim, task, 'detach', (node) => {
      const media = bmcMedia(node);
      if (media) {
        const types = Array.isArray(a.device_types) ? a.device_types : null;
        setBmcMedia(
          node,
          media.map((m) =>
            types === null || types.some((t) => handles(m, t)) ? { ...m, inserted: false, image: '' } : m,
          ),
        );
        return;
      }
      // utils.run_node_action with the driver's refusal; device_types as Python's %s prints it
      const types = a.device_types === undefined || a.device_types === null ? 'None' : pyRepr(a.device_types);
      const reason = unsupported(node, 'detach_virtual_media').message;
      recordHistory(sim, node, `Could not detach device(s) ${types} from node ${node.uuid}: ${reason}`);
    });
    return null;
  });
}

// ---- firmware components

/** FirmwareComponentList.get_by_node_id(context, node_id): the node's rows (none is an empty list). */
export function firmwareClassAction(store: Store, objname: string, method: string, a: Args): Primitive | undefined {
  if (objname !== 'FirmwareComponentList' || method !== 'get_by_node_id') return undefined;
  const args = Array.isArray(a.args) ? a.args : [];
  const raw = args.length > 0 ? args[0] : asObject(a.kwargs).node_id;
  const nodeId = isIntLike(raw) ? Number(raw) : raw;
  const requested = asObject(a.object_versions).FirmwareComponent;
  const version = typeof requested === 'string' ? requested : undefined;
  const rows = [...store.firmwareComponents.rows.values()]
    .filter((r) => r.node_id === nodeId)
    .sort((x, y) => Number(x.id) - Number(y.id));
  return {
    'ironic_object.name': FIRMWARE_COMPONENT_LIST.name,
    'ironic_object.namespace': 'ironic',
    'ironic_object.version': FIRMWARE_COMPONENT_LIST.version,
    // FirmwareComponent.obj_make_compatible drops the 1.2 fields for an older requested version
    'ironic_object.data': { objects: rows.map((r) => toPrimitive(FIRMWARE_COMPONENT, r, version)) },
  };
}

// ---- in-band inspection

export async function continue_inspection(sim: Sim, a: Args): Promise<null> {
  return sim.tasks.with(a.node_id, { purpose: 'continue inspection' }, (task) => {
    const node = task.node;
    if (node.provision_state !== S.INSPECTWAIT) {
      sim.logger.warn(
        { node: node.uuid, provision_state: node.provision_state },
        'refusing to process inspection data for a node in an invalid state',
      );
      throw ironicError('NotFound', 'Resource could not be found.');
    }
    const inventory = a.inventory;
    const pluginData = { ...asObject(a.plugin_data) };
    task.spawnAfter(sim.pool, async () => {
      await sim.sleep(0);
      node.driver_internal_info = {
        ...asObject(node.driver_internal_info),
        agent_last_heartbeat: new Date().toISOString().replace('Z', ''),
      };
      delete pluginData.logs;
      const old = sim.store.inventories.byField('node_id', node.id);
      if (old) sim.store.inventories.delete(old);
      storeInventory(sim.store, Number(node.id), inventory, pluginData);
      applyEvent(sim, node, 'done');
    });
    // 39.0's machine has inspect wait --resume--> inspecting; the simulator's table is still
    // 21.4's (states-21.4.test.ts pins it to 21.4's states.py), so the step is taken here by hand
    Object.assign(node, sim.store.provisionTimes(node, S.INSPECTING), {
      provision_state: S.INSPECTING,
      target_provision_state: S.MANAGEABLE,
      updated_at: new Date(),
    });
    return null;
  });
}

/** Stores a firmware component row for a node (what a driver's cache_firmware_components writes). */
export function storeFirmwareComponent(store: Store, nodeId: number, fields: Record<string, unknown>) {
  return store.firmwareComponents.insert({ node_id: nodeId, ...fields });
}
