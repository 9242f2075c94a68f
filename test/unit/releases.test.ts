/** The release mapping against the installed Ironic trees, and what a pin makes of it. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { OBJECT_VERSIONS } from '../../src/conductor/objects.ts';
import { RPC_API_VERSION } from '../../src/conductor/rpc-methods.ts';
import { MINOR_MAX_VERSION } from '../../src/http/versions.ts';
import { gatewayProfile } from '../../src/release-profile.ts';
import { RELEASE_ALIASES, RELEASE_MAPPING, releaseProfile } from '../../src/releases.ts';

const HOST_TREE = '/usr/lib/python3/dist-packages/ironic/common/release_mappings.py';
const CHROOT_TREE = `${process.env.IRONIC_CHROOT_DIR ?? '/var/cache/ironic-gateway/sid-ironic'}/usr/lib/python3/dist-packages/ironic/common/release_mappings.py`;

/** The mapping as Python evaluates the file (its module-level code only: no Ironic import needed). */
function pythonMapping(file: string): {
  mapping: Record<string, { api: string; rpc: string; objects: Record<string, string> }>;
  aliases: Record<string, string>;
} {
  const script = `
import json, re, sys
src = open(sys.argv[1]).read().split('\\ndef ')[0].replace('from ironic.common.i18n import _', '')
ns = {'_': lambda s: s}
exec(src, ns)
rm = ns['RELEASE_MAPPING']
aliases = dict(re.findall(r"RELEASE_MAPPING\\['([^']+)'\\] = RELEASE_MAPPING\\['([^']+)'\\]", open(sys.argv[1]).read()))
print(json.dumps({'mapping': {k: {'api': v['api'], 'rpc': v['rpc'], 'objects': {o: vs[0] for o, vs in v['objects'].items()}} for k, v in rm.items() if k not in aliases and k != 'master'}, 'aliases': aliases}))
`;
  return JSON.parse(execFileSync('python3', ['-c', script, file], { encoding: 'utf8' }));
}

describe('release mapping', () => {
  it('is Ironic 39.0’s, from 10.1 on, aliases included', {
    skip: !existsSync(CHROOT_TREE) && 'the 39.0 chroot is not built',
  }, () => {
    const theirs = pythonMapping(CHROOT_TREE);
    const fromQueens = Object.fromEntries(Object.entries(theirs.mapping).filter(([k]) => !['9.2', '10.0'].includes(k)));
    assert.deepEqual(RELEASE_MAPPING, fromQueens);
    assert.deepEqual(RELEASE_ALIASES, theirs.aliases);
  });

  it('agrees with Ironic 21.4’s rows but for the one 39.0 corrected', {
    skip: !existsSync(HOST_TREE) && 'Ironic 21.4 is not installed',
  }, () => {
    const theirs = pythonMapping(HOST_TREE);
    for (const [release, row] of Object.entries(theirs.mapping)) {
      if (['9.2', '10.0'].includes(release)) continue;
      const ours = RELEASE_MAPPING[release];
      if (release === '21.3') {
        // 21.4's file has Portgroup 1.4 for 21.3; 39.0's (and ours) 1.5, the version 21.3 shipped
        assert.deepEqual({ ...ours!.objects, Portgroup: '1.4' }, row.objects);
        continue;
      }
      assert.deepEqual(ours, row, release);
    }
  });
});

describe('release profile (pin_release_version)', () => {
  // a gateway that implemented no more than 21.4, to see the caps work
  const support = {
    apiMinor: 82,
    rpc: '1.55',
    objects: { ...RELEASE_MAPPING['21.4']!.objects, BIOSSettingList: '1.0' },
  };

  it('unpinned is everything the gateway implements', () => {
    const p = gatewayProfile({});
    assert.deepEqual(
      [p.pin, p.apiMinor, p.rpc, p.objects],
      [null, MINOR_MAX_VERSION, RPC_API_VERSION, OBJECT_VERSIONS],
    );
  });

  it('10.1 is Queens: 1.38, RPC 1.44, Node 1.23, no Allocation', () => {
    const p = releaseProfile('10.1', support);
    assert.equal(p.apiMinor, 38);
    assert.equal(p.rpc, '1.44');
    assert.equal(p.objects.Node, '1.23');
    assert.equal(p.objects.Conductor, '1.2');
    assert.equal(p.objects.Allocation, undefined);
  });

  it('an alias resolves to its release; a newer release is capped at what the gateway implements', () => {
    assert.deepEqual(releaseProfile('antelope', support), { ...releaseProfile('21.4', support), pin: 'antelope' });
    assert.equal(releaseProfile('2023.1', support).release, '21.4');
    const newest = releaseProfile('39.0', support);
    assert.deepEqual([newest.apiMinor, newest.rpc, newest.objects.Node], [82, '1.55', '1.37']);
    assert.equal(newest.objects.Runbook, undefined, 'a class the gateway does not implement is not sent');
    const mid = releaseProfile('15.0', support);
    assert.deepEqual([mid.apiMinor, mid.rpc, mid.objects.Node, mid.objects.Port], [65, '1.50', '1.34', '1.9']);
  });

  it('every release from 10.1 to 39.0 pins to its own row; list classes follow their items', () => {
    for (const [name, row] of Object.entries(RELEASE_MAPPING)) {
      const p = gatewayProfile({ pin_release_version: name });
      assert.equal(`1.${p.apiMinor}`, row.api, name);
      assert.equal(p.rpc, row.rpc, name);
      for (const [cls, v] of Object.entries(row.objects))
        if (cls !== 'Deployment') assert.equal(p.objects[cls], v, `${name} ${cls}`);
    }
    assert.equal(gatewayProfile({ pin_release_version: '21.4' }).objects.BIOSSettingList, '1.0');
    assert.equal(gatewayProfile({ pin_release_version: '21.4' }).objects.FirmwareComponentList, undefined);
    assert.equal(gatewayProfile({ pin_release_version: '2026.2' }).objects.BIOSSettingList, '1.1');
    assert.equal(gatewayProfile({ pin_release_version: '39.0' }).objects.FirmwareComponentList, '1.1');
    assert.deepEqual(gatewayProfile({ pin_release_version: '39.0' }), {
      ...gatewayProfile({}),
      pin: '39.0',
      release: '39.0',
    });
  });

  it('the setting refuses a name that is no release, and one older than Queens', () => {
    for (const bad of ['21.9', 'queens', '10.0', '9.2']) {
      assert.throws(
        () => loadConfig({ env: { IRONIC_GATEWAY_PIN_RELEASE_VERSION: bad } }),
        (e: unknown) =>
          e instanceof ConfigError && /IRONIC_GATEWAY_PIN_RELEASE_VERSION/.test(e.message) && /10\.1/.test(e.message),
        bad,
      );
    }
    assert.equal(loadConfig({ env: { IRONIC_GATEWAY_PIN_RELEASE_VERSION: 'zed' } }).pin_release_version, 'zed');
  });
});
