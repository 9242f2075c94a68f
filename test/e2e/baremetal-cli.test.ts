/**
 * Debian's `baremetal` CLI (python3-ironicclient 5.0.1), unmodified, against the gateway: the
 * whole node lifecycle and the other resources, on each back end (support/backend.ts), with
 * no auth and with a JWT passed as a token (over HTTPS with `--os-cacert`: support/backend.ts).
 * Every command's exit status is checked, and its output parsed from `-f json` where the
 * command has one.
 */
import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  backends,
  clientsFor,
  gatewayModes,
  runTag,
  startGateway,
  type Backend,
  type GatewayMode,
  type RunningGateway,
} from './support/backend.ts';
import { baremetalRaw, fails, json, ok } from './support/baremetal.ts';
import { steps } from './support/steps.ts';
import { until } from './support/wait.ts';

type Row = Record<string, unknown>;

// Per back end, the two auth modes run side by side (each has its own gateway and its own
// resources); the steps of one scenario run in order.
for (const backend of backends()) {
  describe(`baremetal CLI · ${backend.name}`, { concurrency: true }, () => {
    for (const mode of gatewayModes()) {
      // no suite deadline: each step has its own (support/steps.ts)
      describe(`${backend.name} · ${mode.label}`, { concurrency: false }, () => scenario(backend, mode));
    }
  });
}

function scenario(backend: Backend, mode: GatewayMode): void {
  let gw: RunningGateway;
  const tag = runTag();
  const rc = `e2e-cli-${tag}`; // a resource class of our own: lists filtered by it see only our nodes
  const name = (s: string): string => `e2e-${tag}-${s}`;
  const mac = (n: number): string =>
    `52:54:${tag.slice(0, 2)}:${tag.slice(2, 4)}:${tag.slice(4, 6)}:${n.toString(16).padStart(2, '0')}`;
  const ids: {
    node?: string;
    others: string[];
    chassis?: string;
    port?: string;
    portgroup?: string;
    connector?: string;
    target?: string;
  } = { others: [] };
  const vif = randomUUID();

  const s = steps();
  const step = s.step;
  const show = (ident: string) => json<Row>(gw, 'node', 'show', ident);
  const waitFor = (what: string, check: (n: Row) => boolean) =>
    until(
      what,
      async () => {
        const n = await show(ids.node!);
        return check(n) ? n : undefined;
      },
      60_000,
      250,
      s.signal,
    );

  before(async () => {
    const started = await startGateway(backend, mode);
    // every command run against it stops when its step's deadline passes
    gw = Object.defineProperty(started, 'signal', { get: () => s.signal, enumerable: true });
  });
  after(async () => {
    // the step before may have timed out and still be ending: clean up only once it has
    await s.settled();
    // a failed step must not leave our nodes on a shared conductor (the gateway no longer carries a step's signal)
    const clean = { ...gw, signal: undefined };
    for (const uuid of [ids.node, ...ids.others]) {
      if (!uuid) continue;
      await baremetalRaw(clean, ['node', 'maintenance', 'set', uuid]);
      await baremetalRaw(clean, ['node', 'delete', uuid]);
    }
    if (ids.chassis) await baremetalRaw(clean, ['chassis', 'delete', ids.chassis]);
    await gw?.close();
  });

  if (mode.auth === 'jwt') {
    step('without the token the gateway answers 401, and the CLI says so', async () => {
      const r = await baremetalRaw({ ...gw, auth: 'noauth' }, ['node', 'list', '-f', 'json']);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /HTTP 401/);
    });
  }

  if (mode.https) {
    step('without --os-cacert the CLI does not trust the gateway (its certificate is checked)', async () => {
      const r = await baremetalRaw({ ...gw, cacert: undefined }, ['driver', 'list', '-f', 'json']);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /CERTIFICATE_VERIFY_FAILED/);
    });
  }

  step('chassis create, list', async () => {
    const c = await json<Row>(gw, 'chassis', 'create', '--description', `e2e ${tag}`, '--extra', `run=r-${tag}`);
    assert.equal(c.description, `e2e ${tag}`);
    assert.deepEqual(c.extra, { run: `r-${tag}` }); // not all digits: the CLI would send a number
    ids.chassis = String(c.uuid);
    const list = await json<Row[]>(gw, 'chassis', 'list');
    assert.ok(
      list.some((r) => r.UUID === ids.chassis && r.Description === `e2e ${tag}`),
      JSON.stringify(list),
    );
  });

  step('node create (three nodes)', async () => {
    for (const s of ['a', 'b', 'c']) {
      const n = await json<Row>(
        gw,
        'node',
        'create',
        '--driver',
        'fake-hardware',
        '--name',
        name(s),
        '--resource-class',
        rc,
        '--property',
        'cpus=2',
      );
      assert.equal(n.name, name(s));
      assert.equal(n.driver, 'fake-hardware');
      assert.equal(n.provision_state, 'enroll');
      assert.equal(n.resource_class, rc);
      assert.deepEqual(n.properties, { cpus: 2 }); // the CLI sends key=value values parsed as JSON
      assert.match(String(n.uuid), /^[0-9a-f-]{36}$/);
      if (s === 'a') ids.node = String(n.uuid);
      else ids.others.push(String(n.uuid));
    }
  });

  step('node list with --fields, --sort and --limit', async () => {
    const all = await json<Row[]>(gw, 'node', 'list', '--resource-class', rc);
    assert.deepEqual(all.map((r) => r.Name).sort(), [name('a'), name('b'), name('c')]);
    assert.ok(all.every((r) => r['Provisioning State'] === 'enroll' && r.Maintenance === false));
    // --limit is the API's page size (nodes come in the API's default order, by creation);
    // --sort is done by the CLI on what it received
    const page = await json<Row[]>(
      gw,
      'node',
      'list',
      '--resource-class',
      rc,
      '--fields',
      'uuid',
      'name',
      '--sort',
      'name:desc',
      '--limit',
      '2',
    );
    assert.deepEqual(page, [
      { UUID: ids.others[0], Name: name('b') },
      { UUID: ids.node, Name: name('a') },
    ]);
    const sorted = await json<Row[]>(
      gw,
      'node',
      'list',
      '--resource-class',
      rc,
      '--fields',
      'uuid',
      'name',
      '--sort',
      'name:desc',
    );
    assert.deepEqual(
      sorted.map((r) => r.Name),
      [name('c'), name('b'), name('a')],
    );
    const long = await json<Row[]>(gw, 'node', 'list', '--resource-class', rc, '--long', '--sort', 'name:asc');
    assert.deepEqual(
      long.map((r) => r.Name),
      [name('a'), name('b'), name('c')],
    );
    assert.ok(long.every((r) => r.Driver === 'fake-hardware' && r['Resource Class'] === rc));
  });

  step('node show', async () => {
    const n = await show(name('a'));
    assert.equal(n.uuid, ids.node);
    assert.equal(n.network_interface, backend.expect.networkInterface);
    for (const k of [
      'boot_interface',
      'deploy_interface',
      'management_interface',
      'power_interface',
      'vendor_interface',
    ])
      assert.equal(n[k], 'fake', k);
    assert.deepEqual(n.traits, []);
    const few = await json<Row>(gw, 'node', 'show', ids.node!, '--fields', 'uuid', 'provision_state');
    assert.deepEqual(few, { uuid: ids.node, provision_state: 'enroll' });
  });

  step('node set / unset', async () => {
    await ok(
      gw,
      'node',
      'set',
      ids.node!,
      '--extra',
      'team=e2e',
      '--extra',
      'keep=yes',
      '--property',
      'memory_mb=1024',
      '--driver-info',
      'fake_key=v',
    );
    let n = await show(ids.node!);
    assert.deepEqual(n.extra, { team: 'e2e', keep: 'yes' });
    assert.deepEqual(n.properties, { cpus: 2, memory_mb: 1024 });
    assert.deepEqual(n.driver_info, { fake_key: 'v' });
    await ok(gw, 'node', 'unset', ids.node!, '--extra', 'team', '--driver-info', 'fake_key');
    n = await show(ids.node!);
    assert.deepEqual(n.extra, { keep: 'yes' });
    assert.deepEqual(n.driver_info, {});
  });

  step('node maintenance set / unset', async () => {
    await ok(gw, 'node', 'maintenance', 'set', ids.node!, '--reason', 'e2e check');
    let n = await show(ids.node!);
    assert.equal(n.maintenance, true);
    assert.equal(n.maintenance_reason, 'e2e check');
    await ok(gw, 'node', 'maintenance', 'unset', ids.node!);
    n = await show(ids.node!);
    assert.equal(n.maintenance, false);
    assert.equal(n.maintenance_reason, null);
  });

  step('port create, list, show, set', async () => {
    const p = await json<Row>(
      gw,
      'port',
      'create',
      mac(1),
      '--node',
      ids.node!,
      '--extra',
      'slot=1',
      '--pxe-enabled',
      'true',
    );
    assert.equal(p.address, mac(1));
    assert.equal(p.node_uuid, ids.node);
    assert.equal(p.pxe_enabled, true);
    ids.port = String(p.uuid);
    const list = await json<Row[]>(gw, 'port', 'list', '--node', ids.node!);
    assert.deepEqual(list, [{ UUID: ids.port, Address: mac(1) }]);
    const shown = await json<Row>(gw, 'port', 'show', ids.port);
    assert.deepEqual(shown.extra, { slot: 1 });
    // connectivity attributes change only while the node is in enroll, manageable … (it is in enroll)
    await ok(gw, 'port', 'set', ids.port, '--extra', 'role=pxe', '--physical-network', 'physnet1');
    const byAddress = await json<Row>(gw, 'port', 'show', '--address', mac(1));
    assert.deepEqual(byAddress.extra, { slot: 1, role: 'pxe' });
    assert.equal(byAddress.physical_network, 'physnet1');
  });

  step('port group create, list', async () => {
    const g = await json<Row>(
      gw,
      'port',
      'group',
      'create',
      '--node',
      ids.node!,
      '--name',
      name('pg'),
      '--address',
      mac(2),
      '--mode',
      'active-backup',
    );
    assert.equal(g.name, name('pg'));
    assert.equal(g.address, mac(2));
    assert.equal(g.node_uuid, ids.node);
    assert.equal(g.mode, 'active-backup');
    ids.portgroup = String(g.uuid);
    const list = await json<Row[]>(gw, 'port', 'group', 'list', '--node', ids.node!);
    assert.deepEqual(list, [{ UUID: ids.portgroup, Address: mac(2), Name: name('pg') }]);
  });

  step('volume connector and target create, list', async () => {
    const c = await json<Row>(
      gw,
      'volume',
      'connector',
      'create',
      '--node',
      ids.node!,
      '--type',
      'iqn',
      '--connector-id',
      `iqn.2024-01.org.example:${tag}`,
    );
    assert.equal(c.type, 'iqn');
    assert.equal(c.connector_id, `iqn.2024-01.org.example:${tag}`);
    ids.connector = String(c.uuid);
    const cl = await json<Row[]>(gw, 'volume', 'connector', 'list', '--node', ids.node!);
    assert.deepEqual(cl, [
      { UUID: ids.connector, 'Node UUID': ids.node, Type: 'iqn', 'Connector ID': `iqn.2024-01.org.example:${tag}` },
    ]);
    const t = await json<Row>(
      gw,
      'volume',
      'target',
      'create',
      '--node',
      ids.node!,
      '--type',
      'iscsi',
      '--boot-index',
      '0',
      '--volume-id',
      `vol-${tag}`,
    );
    assert.equal(t.volume_type, 'iscsi');
    assert.equal(t.boot_index, 0);
    ids.target = String(t.uuid);
    const tl = await json<Row[]>(gw, 'volume', 'target', 'list', '--node', ids.node!);
    assert.deepEqual(tl, [
      {
        UUID: ids.target,
        'Node UUID': ids.node,
        'Driver Volume Type': 'iscsi',
        'Boot Index': 0,
        'Volume ID': `vol-${tag}`,
      },
    ]);
    if (backend.expect.volumeDeleteInEnroll) {
      // Ironic 39.0 deletes it in enroll, powered on or not; made again for the steps below
      await ok(gw, 'volume', 'target', 'delete', ids.target);
      assert.deepEqual(await json<Row[]>(gw, 'volume', 'target', 'list', '--node', ids.node!), []);
      const again = await json<Row>(
        gw,
        'volume',
        'target',
        'create',
        '--node',
        ids.node!,
        '--type',
        'iscsi',
        '--boot-index',
        '0',
        '--volume-id',
        `vol-${tag}`,
      );
      ids.target = String(again.uuid);
    } else {
      // the conductor changes volume resources only on a powered-off node (InvalidStateRequested)
      assert.match(
        await fails(gw, 'volume', 'target', 'delete', ids.target),
        /volume target deletion.*can not be performed.*HTTP 400/,
      );
    }
  });

  step('node manage --wait, provide --wait', async () => {
    await ok(gw, 'node', 'manage', ids.node!, '--wait', '60');
    assert.equal((await show(ids.node!)).provision_state, 'manageable');
    await ok(gw, 'node', 'provide', ids.node!, '--wait', '60');
    const n = await show(ids.node!);
    assert.equal(n.provision_state, 'available');
    assert.equal(n.target_provision_state, null);
  });

  step('node boot device set / show', async () => {
    await ok(gw, 'node', 'boot', 'device', 'set', ids.node!, 'pxe');
    assert.deepEqual(await json<Row>(gw, 'node', 'boot', 'device', 'show', ids.node!), {
      boot_device: 'pxe',
      persistent: false,
    });
    assert.deepEqual(await json<Row>(gw, 'node', 'boot', 'device', 'show', '--supported', ids.node!), {
      supported_boot_devices: 'pxe',
    });
    // the fake management interface refuses what it does not list (InvalidParameterValue)
    assert.match(
      await fails(gw, 'node', 'boot', 'device', 'set', ids.node!, 'disk'),
      /Invalid boot device disk specified.*HTTP 400/,
    );
  });

  step('node power on / off / reboot', async () => {
    await ok(gw, 'node', 'power', 'on', ids.node!);
    await waitFor('power on', (n) => n.power_state === 'power on' && n.target_power_state === null);
    await ok(gw, 'node', 'reboot', ids.node!);
    await waitFor('power on after reboot', (n) => n.power_state === 'power on' && n.target_power_state === null);
    await ok(gw, 'node', 'power', 'off', ids.node!);
    await waitFor('power off', (n) => n.power_state === 'power off' && n.target_power_state === null);
  });

  step('volume connector and target delete (the node is powered off now)', async () => {
    await ok(gw, 'volume', 'target', 'delete', ids.target!);
    await ok(gw, 'volume', 'connector', 'delete', ids.connector!);
    assert.deepEqual(await json<Row[]>(gw, 'volume', 'target', 'list', '--node', ids.node!), []);
    assert.deepEqual(await json<Row[]>(gw, 'volume', 'connector', 'list', '--node', ids.node!), []);
  });

  step('node console enable / show / disable', async () => {
    await ok(gw, 'node', 'console', 'enable', ids.node!);
    const c = await until(
      'console enabled',
      async () => {
        const s = await json<Row>(gw, 'node', 'console', 'show', ids.node!);
        return s.console_enabled === true ? s : undefined;
      },
      30_000,
      250,
      s.signal,
    );
    assert.deepEqual(c, { console_enabled: true, console_info: {} }); // FakeConsole.get_console
    await ok(gw, 'node', 'console', 'disable', ids.node!);
    await until(
      'console disabled',
      async () => ((await show(ids.node!)).console_enabled === false ? true : undefined),
      30_000,
      250,
      s.signal,
    );
  });

  step('node inject nmi: the fake management interface lacks it (400 UnsupportedDriverExtension)', async () => {
    assert.match(await fails(gw, 'node', 'inject', 'nmi', ids.node!), /does not support inject_nmi.*HTTP 400/);
  });

  step('node traits add / list / remove', async () => {
    await ok(gw, 'node', 'add', 'trait', ids.node!, 'CUSTOM_E2E_A', 'CUSTOM_E2E_B', 'HW_CPU_X86_AVX2');
    const list = await json<Row[]>(gw, 'node', 'trait', 'list', ids.node!);
    assert.deepEqual(list.map((r) => r.Traits).sort(), ['CUSTOM_E2E_A', 'CUSTOM_E2E_B', 'HW_CPU_X86_AVX2']);
    await ok(gw, 'node', 'remove', 'trait', ids.node!, 'CUSTOM_E2E_A');
    assert.deepEqual((await json<Row[]>(gw, 'node', 'trait', 'list', ids.node!)).map((r) => r.Traits).sort(), [
      'CUSTOM_E2E_B',
      'HW_CPU_X86_AVX2',
    ]);
    assert.match(await fails(gw, 'node', 'add', 'trait', ids.node!, 'not-a-trait'), /HTTP 400/);
  });

  step('node vif attach / list / detach', async () => {
    await ok(gw, 'node', 'vif', 'attach', ids.node!, vif);
    const list = await json<Row[]>(gw, 'node', 'vif', 'list', ids.node!);
    // the noop network interface (the real conductor's default here) keeps no VIF
    assert.deepEqual(list, backend.expect.keepsVifs ? [{ ID: vif }] : []);
    await ok(gw, 'node', 'vif', 'detach', ids.node!, vif);
    assert.deepEqual(await json<Row[]>(gw, 'node', 'vif', 'list', ids.node!), []);
  });

  step('node passthru list / call (sync and async)', async () => {
    const methods = await json<Row[]>(gw, 'node', 'passthru', 'list', ids.node!);
    const byName = new Map(methods.map((m) => [m.Name, m]));
    assert.deepEqual(byName.get('third_method_sync'), {
      Name: 'third_method_sync',
      'Supported HTTP methods': 'POST',
      Async: false,
      Description: 'Test if the value of bar is meow',
      'Response is attachment': false,
    });
    assert.deepEqual(byName.get('second_method'), {
      Name: 'second_method',
      'Supported HTTP methods': 'POST',
      Async: true,
      Description: 'Test if the value of bar is kazoo',
      'Response is attachment': false,
    });
    // sync: 200 with the method's return value (false here: the CLI prints nothing for a falsy body)
    assert.equal(await ok(gw, 'node', 'passthru', 'call', ids.node!, 'third_method_sync', '--arg', 'bar=purr'), '');
    // async: 202, no body
    assert.equal(await ok(gw, 'node', 'passthru', 'call', ids.node!, 'second_method', '--arg', 'bar=kazoo'), '');
    // the fake vendor interface validates its argument before the call (MissingParameterValue)
    assert.match(
      await fails(gw, 'node', 'passthru', 'call', ids.node!, 'second_method'),
      /Parameter 'bar' not passed.*HTTP 400/,
    );
  });

  step('node deploy --wait', async () => {
    await ok(gw, 'node', 'deploy', ids.node!, '--wait', '120');
    const n = await show(ids.node!);
    assert.equal(n.provision_state, 'active');
    assert.equal(n.target_provision_state, null);
    assert.equal(n.last_error, null);
    const active = await json<Row[]>(gw, 'node', 'list', '--resource-class', rc, '--provision-state', 'active');
    assert.deepEqual(
      active.map((r) => r.UUID),
      [ids.node],
    );
  });

  step('node undeploy --wait', async () => {
    await ok(gw, 'node', 'undeploy', ids.node!, '--wait', '120');
    const n = await show(ids.node!);
    assert.equal(n.provision_state, 'available');
    assert.equal(n.target_provision_state, null);
  });

  // issue 14 (1.52–1.60): the CLI negotiates up to its own newest microversion (1.78 on bookworm)
  step('allocation create --wait / show / list / set / delete', async () => {
    const created = await json<Row>(
      gw,
      'allocation',
      'create',
      '--resource-class',
      rc,
      '--candidate-node',
      ids.node!,
      '--name',
      name('alloc'),
      '--extra',
      'purpose=e2e',
      '--wait',
      '60',
    );
    assert.equal(created.state, 'active', JSON.stringify(created));
    assert.equal(created.node_uuid, ids.node);
    const shown = await json<Row>(gw, 'allocation', 'show', name('alloc'));
    assert.equal(shown.uuid, created.uuid);
    assert.deepEqual(shown.extra, { purpose: 'e2e' });
    const listed = await json<Row[]>(gw, 'allocation', 'list', '--node', ids.node!);
    assert.deepEqual(
      listed.map((r) => r.UUID),
      [created.uuid],
    );
    await ok(gw, 'allocation', 'set', name('alloc'), '--extra', 'step=set');
    const reshown = await json<Row>(gw, 'allocation', 'show', created.uuid as string);
    assert.deepEqual(reshown.extra, { purpose: 'e2e', step: 'set' });
    assert.equal((await show(ids.node!)).allocation_uuid, created.uuid);
    await ok(gw, 'allocation', 'delete', created.uuid as string);
    assert.match(await fails(gw, 'allocation', 'show', created.uuid as string), /HTTP 404/);
    const freed = await show(ids.node!);
    assert.equal(freed.allocation_uuid, null);
    assert.equal(freed.instance_uuid, null);
  });

  // issue 14 (1.55): deploy templates; Ironic's DeployTemplate.destroy() takes no context, so no
  // conductor (21.4 … 39.0) can delete one through the indirection API: the gateway says so (501)
  step('deploy template create / show / list / set; delete refused with its reason', async () => {
    const tname = `CUSTOM_E2E_${tag.toUpperCase()}`;
    const steps = JSON.stringify([
      { interface: 'bios', step: 'apply_configuration', args: { settings: [] }, priority: 150 },
    ]);
    const created = await json<Row>(gw, 'deploy', 'template', 'create', tname, '--steps', steps, '--extra', 'k=v');
    assert.equal(created.name, tname);
    const shown = await json<Row>(gw, 'deploy', 'template', 'show', tname);
    assert.deepEqual(shown.steps, JSON.parse(steps));
    const listed = await json<Row[]>(gw, 'deploy', 'template', 'list');
    assert.ok(listed.some((r) => r.UUID === created.uuid));
    await ok(gw, 'deploy', 'template', 'set', tname, '--extra', 'k=w');
    assert.deepEqual((await json<Row>(gw, 'deploy', 'template', 'show', tname)).extra, { k: 'w' });
    assert.match(await fails(gw, 'deploy', 'template', 'delete', tname), /HTTP 501|cannot|destroy/i);
  });

  // issue 15 (1.92, traits 1.112): runbooks, with a CLI that knows them (sid's python3-ironicclient
  // 6.3, in front of the 39.0 conductor; bookworm's 5.0.1 has no runbook commands). A 39.0
  // conductor cannot destroy a runbook through the indirection API: delete is refused (501).
  if (clientsFor(backend) === 'chroot') {
    step('runbook create / show / list / set / trait add, list, remove; delete refused with its reason', async () => {
      const rname = `CUSTOM_E2E_RB_${tag.toUpperCase()}`;
      const steps = JSON.stringify([
        { interface: 'bios', step: 'apply_configuration', args: { settings: [] }, order: 1 },
      ]);
      const created = await json<Row>(gw, 'runbook', 'create', '--name', rname, '--steps', steps, '--extra', 'k=v');
      assert.equal(created.name, rname);
      const shown = await json<Row>(gw, 'runbook', 'show', rname);
      assert.deepEqual(shown.steps, JSON.parse(steps));
      assert.ok((await json<Row[]>(gw, 'runbook', 'list')).some((r) => r.UUID === created.uuid));
      await ok(gw, 'runbook', 'set', rname, '--extra', 'k=w', '--description', `e2e ${tag}`);
      const reshown = await json<Row>(gw, 'runbook', 'show', created.uuid as string);
      assert.deepEqual(reshown.extra, { k: 'w' });
      assert.equal(reshown.description, `e2e ${tag}`);
      await ok(gw, 'runbook', 'trait', 'add', rname, 'CUSTOM_E2E_A', 'CUSTOM_E2E_B');
      const traits = await json<Row[]>(gw, 'runbook', 'trait', 'list', rname);
      assert.deepEqual(traits.map((t) => t.Traits).sort(), ['CUSTOM_E2E_A', 'CUSTOM_E2E_B']);
      await ok(gw, 'runbook', 'trait', 'remove', rname, 'CUSTOM_E2E_B');
      assert.deepEqual(
        (await json<Row[]>(gw, 'runbook', 'trait', 'list', rname)).map((t) => t.Traits),
        ['CUSTOM_E2E_A'],
      );
      assert.match(await fails(gw, 'runbook', 'delete', rname), /HTTP 501|cannot|destroy/i);
    });
  }

  step('port delete; port group delete', async () => {
    await ok(gw, 'port', 'delete', ids.port!);
    await ok(gw, 'port', 'group', 'delete', ids.portgroup!);
    assert.deepEqual(await json<Row[]>(gw, 'port', 'list', '--node', ids.node!), []);
    assert.deepEqual(await json<Row[]>(gw, 'port', 'group', 'list', '--node', ids.node!), []);
  });

  step('node delete', async () => {
    await ok(gw, 'node', 'delete', ids.node!, ...ids.others);
    ids.node = undefined;
    ids.others = [];
    assert.deepEqual(await json<Row[]>(gw, 'node', 'list', '--resource-class', rc), []);
    assert.match(await fails(gw, 'node', 'show', name('a')), /HTTP 404/);
  });

  step('chassis delete', async () => {
    await ok(gw, 'chassis', 'delete', ids.chassis!);
    const list = await json<Row[]>(gw, 'chassis', 'list');
    assert.ok(!list.some((r) => r.UUID === ids.chassis));
    ids.chassis = undefined;
  });

  step('driver list / show / property list / raid property list', async () => {
    const drivers = await json<Row[]>(gw, 'driver', 'list');
    // bookworm's CLI heads the driver's column `Supported driver(s)`, sid's `name`
    assert.deepEqual(
      drivers.map((r) => [r['Supported driver(s)'] ?? r.Name, r['Active host(s)']]),
      [['fake-hardware', backend.expect.conductorHost]],
      JSON.stringify(drivers),
    );
    const d = await json<Row>(gw, 'driver', 'show', 'fake-hardware');
    assert.equal(d.name, 'fake-hardware');
    assert.equal(d.hosts, backend.expect.conductorHost); // the CLI joins the list
    assert.equal(d.type, 'dynamic');
    // the interfaces come from Conductor 1.5's class methods (39.0, the simulator); pinned to
    // 21.4 the gateway has no RPC that carries them and reports null (src/http/routes/drivers.ts)
    if (backend.expect.driverInterfaces) {
      assert.equal(typeof d.default_deploy_interface, 'string', JSON.stringify(d));
      // (the CLI joins a list into one string)
      assert.match(String(d.enabled_deploy_interfaces), /\w/, JSON.stringify(d));
    } else assert.equal(d.default_deploy_interface, null);
    // bookworm's CLI heads the property column `Property`, sid's `property`
    const property = (p: Row) => p.Property ?? p.property;
    const props = await json<Row[]>(gw, 'driver', 'property', 'list', 'fake-hardware');
    assert.ok(
      props.length > 0 && props.every((p) => typeof property(p) === 'string' && typeof p.Description === 'string'),
      JSON.stringify(props),
    );
    const raid = await json<Row[]>(gw, 'driver', 'raid', 'property', 'list', 'fake-hardware');
    const raidNames = raid.map(property);
    for (const k of ['raid_level', 'size_gb', 'is_root_volume'])
      assert.ok(raidNames.includes(k), `${k} in ${JSON.stringify(raidNames)}`);
  });

  step('driver passthru list / call (async)', async () => {
    const methods = await json<Row[]>(gw, 'driver', 'passthru', 'list', 'fake-hardware');
    if (backend.expect.driverVendorMethods) {
      assert.deepEqual(
        methods.find((m) => m.Name === 'driver_method_async'),
        {
          Name: 'driver_method_async',
          'Supported HTTP methods': 'POST',
          Async: true,
          Description: 'Do nothing, asynchronously (simulator only)',
          'Response is attachment': false,
        },
      );
      assert.equal((await ok(gw, 'driver', 'passthru', 'call', 'fake-hardware', 'driver_method_async')).trim(), ''); // 202, no body
    } else {
      // Ironic's fake vendor interface has no driver methods: the conductor says so
      assert.deepEqual(methods, []);
      assert.match(
        await fails(gw, 'driver', 'passthru', 'call', 'fake-hardware', 'driver_method_async'),
        /No handler for method driver_method_async.*HTTP 400/,
      );
    }
  });
}
