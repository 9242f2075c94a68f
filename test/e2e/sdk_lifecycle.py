"""The node lifecycle through openstacksdk's baremetal proxy (Debian python3-openstacksdk),
unmodified, against an ironic-gateway. Run by Debian's /usr/bin/python3 from
test/e2e/openstacksdk.test.ts:

    sdk_lifecycle.py --endpoint URL [--token JWT] [--cacert CA.pem] --tag TAG
                     --conductor-host HOST --network-interface flat|noop [--keeps-vifs]

With --cacert (an https:// endpoint) the SDK verifies the gateway against that CA
(`openstack.connect(..., verify=<ca>)`).

Each step checks what it got with assert; on success the last line of stdout is the JSON
list of the steps that ran, so the caller can tell that none was left out.
"""
import argparse
import atexit
import json
import sys
import uuid

import openstack
import openstack.version
from openstack import exceptions, utils

args = argparse.ArgumentParser()
args.add_argument('--endpoint', required=True)
args.add_argument('--token')
args.add_argument('--cacert')
args.add_argument('--tag', required=True)
args.add_argument('--conductor-host', required=True)
args.add_argument('--network-interface', required=True)
args.add_argument('--keeps-vifs', action='store_true')
args.add_argument('--driver-interfaces', action='store_true',
                  help="the gateway knows drivers' interfaces (Conductor 1.5's class methods)")
args.add_argument('--api-max', required=True, help="the gateway's newest microversion, '1.N'")
opts = args.parse_args()

steps = []


def step(name):
    def run(fn):
        fn()
        steps.append(name)
        print('step ok:', name, flush=True)
    return run


def connect():
    common = dict(baremetal_endpoint_override=opts.endpoint, load_yaml_config=False, load_envvars=False)
    if opts.cacert:
        common['verify'] = opts.cacert
    if opts.token:
        # a JWT passed as a token: keystoneauth's admin_token plugin sends it as X-Auth-Token
        return openstack.connect(auth_type='admin_token', auth={'endpoint': opts.endpoint, 'token': opts.token}, **common)
    return openstack.connect(auth_type='none', **common)


conn = connect()
bm = conn.baremetal
tag = opts.tag
rc = 'e2e-sdk-' + tag
mac = lambda n: '52:55:%s:%s:%s:%02x' % (tag[0:2], tag[2:4], tag[4:6], n)
state = {}
created_nodes = []


@atexit.register
def cleanup():
    # after a failed step: leave nothing behind on a shared conductor
    for uuid_ in created_nodes:
        try:
            bm.set_node_maintenance(uuid_, reason='e2e cleanup')
            bm.delete_node(uuid_)
        except Exception as e:  # the failure that got us here is what matters
            print('cleanup of node %s: %s' % (uuid_, e), file=sys.stderr)
    if 'chassis' in state:
        try:
            bm.delete_chassis(state['chassis'])
        except Exception as e:
            print('cleanup of chassis: %s' % e, file=sys.stderr)


@step('microversion negotiation')
def _():
    api_max = tuple(int(x) for x in opts.api_max.split('.'))
    ed = bm.get_endpoint_data()
    assert ed.min_microversion == (1, 1), ed.min_microversion
    assert ed.max_microversion == api_max, (ed.max_microversion, api_max)
    # below the gateway's maximum the SDK gets what it asks for; above it, the maximum
    assert utils.maximum_supported_microversion(bm, '1.76') == '1.76'
    assert utils.maximum_supported_microversion(bm, '1.200') == opts.api_max
    assert utils.maximum_supported_microversion(bm, '1.31') == '1.31'


@step('drivers')
def _():
    drivers = list(bm.drivers())
    assert [d.name for d in drivers] == ['fake-hardware'], drivers
    d = bm.get_driver('fake-hardware')
    assert d.hosts == [opts.conductor_host], d.hosts
    # the interfaces come from Conductor 1.5's class methods (39.0, the simulator); pinned to 21.4
    # the gateway has no RPC that carries them and documents them as null (src/http/routes/drivers.ts)
    detailed = list(bm.drivers(details=True))
    if opts.driver_interfaces:
        assert detailed[0].default_deploy_interface and detailed[0].enabled_power_interfaces, detailed[0]
    else:
        assert detailed[0].default_deploy_interface is None and detailed[0].enabled_power_interfaces is None, detailed[0]


@step('chassis create, list, update')
def _():
    c = bm.create_chassis(description='sdk ' + tag, extra={'run': tag})
    state['chassis'] = c.id
    assert c.id in [x.id for x in bm.chassis()]
    c = bm.update_chassis(c, extra={'run': tag, 'more': 'yes'})
    assert bm.get_chassis(c.id).extra == {'run': tag, 'more': 'yes'}


@step('node create (enroll), get, find')
def _():
    n = bm.create_node(driver='fake-hardware', name='sdk-%s-a' % tag, resource_class=rc,
                       properties={'cpus': 2}, provision_state='enroll')
    created_nodes.append(n.id)
    state['node'] = n.id
    assert n.provision_state == 'enroll', n.provision_state
    got = bm.get_node(n.id)
    assert got.name == 'sdk-%s-a' % tag and got.resource_class == rc
    assert got.network_interface == opts.network_interface, got.network_interface
    assert bm.find_node('sdk-%s-a' % tag).id == n.id
    # the SDK's default: bookworm's (0.101) enrolls, then manages and provides, waiting for
    # available; sid's (4.x) leaves it in the server's default, enroll (it could only reach
    # available by creating at 1.10, which refuses resource_class), so the script moves it on
    b = bm.create_node(driver='fake-hardware', name='sdk-%s-b' % tag, resource_class=rc)
    created_nodes.append(b.id)
    if openstack.version.__version__.split('.')[0] == '0':
        assert b.provision_state == 'available', b.provision_state
    else:
        assert b.provision_state == 'enroll', b.provision_state
        bm.set_node_provision_state(b, 'manage', wait=True, timeout=120)
        b = bm.set_node_provision_state(b, 'provide', wait=True, timeout=120)
        assert b.provision_state == 'available', b.provision_state


@step('node list: filters, fields, details, paging')
def _():
    names = sorted(n.name for n in bm.nodes(resource_class=rc))
    assert names == ['sdk-%s-a' % tag, 'sdk-%s-b' % tag], names
    detailed = list(bm.nodes(resource_class=rc, details=True))
    assert all(n.driver == 'fake-hardware' for n in detailed)
    few = list(bm.nodes(resource_class=rc, fields=['uuid', 'name']))
    assert all(n.provision_state is None for n in few)
    # one node per page: the SDK follows the `next` links
    paged = [n.id for n in bm.nodes(resource_class=rc, limit=1)]
    assert sorted(paged) == sorted(created_nodes), paged
    available = [n.id for n in bm.nodes(resource_class=rc, provision_state='available')]
    assert available == [created_nodes[1]], available


@step('node update and patch')
def _():
    n = bm.update_node(state['node'], extra={'team': 'e2e'})
    assert n.extra == {'team': 'e2e'}
    n = bm.patch_node(state['node'], [{'op': 'add', 'path': '/properties/memory_mb', 'value': 1024},
                                      {'op': 'remove', 'path': '/extra/team'}])
    assert n.properties == {'cpus': 2, 'memory_mb': 1024}, n.properties
    assert n.extra == {}


@step('maintenance set / unset')
def _():
    bm.set_node_maintenance(state['node'], reason='sdk check')
    n = bm.get_node(state['node'])
    assert n.is_maintenance and n.maintenance_reason == 'sdk check'
    bm.unset_node_maintenance(state['node'])
    n = bm.get_node(state['node'])
    assert not n.is_maintenance and n.maintenance_reason is None


@step('ports and port groups')
def _():
    p = bm.create_port(node_id=state['node'], address=mac(1), extra={'slot': 1})
    state['port'] = p.id
    assert [x.id for x in bm.ports(node_id=state['node'])] == [p.id]
    assert bm.find_port(p.id).address == mac(1)
    bm.update_port(p, extra={'slot': 2})
    assert bm.get_port(p.id).extra == {'slot': 2}
    g = bm.create_port_group(node_id=state['node'], address=mac(2), name='sdk-%s-pg' % tag)
    state['portgroup'] = g.id
    assert [x.id for x in bm.port_groups(node=state['node'])] == [g.id]


@step('volume connector and target')
def _():
    c = bm.create_volume_connector(node_id=state['node'], type='iqn', connector_id='iqn.2024-01.org.example:sdk-' + tag)
    t = bm.create_volume_target(node_id=state['node'], volume_type='iscsi', boot_index=0, volume_id='vol-sdk-' + tag)
    assert [x.id for x in bm.volume_connectors(node=state['node'])] == [c.id]
    assert [x.id for x in bm.volume_targets(node=state['node'])] == [t.id]
    state['connector'], state['target'] = c.id, t.id


@step('manage and provide with wait')
def _():
    n = bm.set_node_provision_state(state['node'], 'manage', wait=True, timeout=120)
    assert n.provision_state == 'manageable', n.provision_state
    n = bm.set_node_provision_state(state['node'], 'provide', wait=True, timeout=120)
    assert n.provision_state == 'available', n.provision_state


@step('validate')
def _():
    v = bm.validate_node(state['node'], required=('boot', 'deploy', 'power'))
    assert v['power'].result and v['deploy'].result and v['management'].result, v


@step('power on / reboot / off with wait')
def _():
    bm.set_node_power_state(state['node'], 'power on', wait=True, timeout=60)
    assert bm.get_node(state['node']).power_state == 'power on'
    bm.set_node_power_state(state['node'], 'rebooting', wait=True, timeout=60)
    assert bm.get_node(state['node']).power_state == 'power on'
    bm.set_node_power_state(state['node'], 'power off', wait=True, timeout=60)
    assert bm.get_node(state['node']).power_state == 'power off'


@step('volume connector and target delete (powered off)')
def _():
    bm.delete_volume_target(state['target'], ignore_missing=False)
    bm.delete_volume_connector(state['connector'], ignore_missing=False)
    assert list(bm.volume_targets(node=state['node'])) == []
    assert list(bm.volume_connectors(node=state['node'])) == []


@step('boot device')
def _():
    bm.set_node_boot_device(state['node'], 'pxe', persistent=False)
    try:
        bm.set_node_boot_device(state['node'], 'disk')
        raise AssertionError('disk accepted by the fake management interface')
    except exceptions.BadRequestException as e:
        assert 'Invalid boot device disk' in str(e), e


@step('traits')
def _():
    bm.add_node_trait(state['node'], 'CUSTOM_SDK_A')
    bm.set_node_traits(state['node'], ['CUSTOM_SDK_B', 'CUSTOM_SDK_C'])
    bm.remove_node_trait(state['node'], 'CUSTOM_SDK_C')
    assert bm.get_node(state['node']).traits == ['CUSTOM_SDK_B']


@step('vifs')
def _():
    vif = str(uuid.uuid4())
    bm.attach_vif_to_node(state['node'], vif)
    listed = bm.list_node_vifs(state['node'])
    # the noop network interface (the real conductor's default here) keeps no VIF
    assert listed == ([vif] if opts.keeps_vifs else []), listed
    bm.detach_vif_from_node(state['node'], vif)
    assert bm.list_node_vifs(state['node']) == []


@step('vendor passthru list and call (sync, async)')
def _():
    methods = bm.list_node_vendor_passthru(state['node'])
    assert methods['third_method_sync']['async'] is False, methods
    assert methods['second_method']['async'] is True, methods
    r = bm.call_node_vendor_passthru(state['node'], 'POST', 'third_method_sync', {'bar': 'meow'})
    assert r.status_code == 200 and r.json() is True, (r.status_code, r.text)
    r = bm.call_node_vendor_passthru(state['node'], 'POST', 'second_method', {'bar': 'kazoo'})
    assert r.status_code == 202, (r.status_code, r.text)


@step('deploy, wait_for_nodes_provision_state active')
def _():
    bm.set_node_provision_state(state['node'], 'active')
    done = bm.wait_for_nodes_provision_state([state['node']], 'active', timeout=120)
    assert [n.id for n in done] == [state['node']]
    n = bm.get_node(state['node'])
    assert n.provision_state == 'active' and n.last_error is None, (n.provision_state, n.last_error)


@step('undeploy, wait_for_nodes_provision_state available')
def _():
    bm.set_node_provision_state(state['node'], 'deleted')
    done = bm.wait_for_nodes_provision_state([state['node']], 'available', timeout=120)
    assert done[0].provision_state == 'available'


@step('allocation create, wait, get, list, update, delete')
def _():
    alloc = bm.create_allocation(resource_class=rc, candidate_nodes=[state['node']], name='e2e-sdk-alloc-' + tag,
                                 extra={'purpose': 'e2e'})
    alloc = bm.wait_for_allocation(alloc, timeout=60)
    assert alloc.state == 'active' and alloc.node_id == state['node'], (alloc.state, alloc.node_id, alloc.last_error)
    assert bm.get_allocation('e2e-sdk-alloc-' + tag).id == alloc.id
    assert [a.id for a in bm.allocations(node=state['node'])] == [alloc.id]
    bm.update_allocation(alloc, extra={'purpose': 'e2e', 'step': 'update'})
    assert bm.get_allocation(alloc.id).extra == {'purpose': 'e2e', 'step': 'update'}
    assert bm.get_node(state['node']).allocation_id == alloc.id
    bm.delete_allocation(alloc, ignore_missing=False)
    try:
        bm.get_allocation(alloc.id)
    except openstack.exceptions.ResourceNotFound:
        pass
    else:
        raise AssertionError('the allocation is still there')
    assert bm.get_node(state['node']).allocation_id is None


@step('deploy template create, get, list, update; delete refused (501)')
def _():
    name = 'CUSTOM_E2E_SDK_' + tag.upper()
    steps = [{'interface': 'bios', 'step': 'apply_configuration', 'args': {'settings': []}, 'priority': 150}]
    t = bm.create_deploy_template(name=name, steps=steps, extra={'k': 'v'})
    assert t.name == name and t.steps == steps, t
    assert bm.get_deploy_template(t.id).name == name
    assert t.id in [x.id for x in bm.deploy_templates()]
    bm.update_deploy_template(t, extra={'k': 'w'})
    assert bm.get_deploy_template(t.id).extra == {'k': 'w'}
    try:
        bm.delete_deploy_template(t.id, ignore_missing=False)
    except openstack.exceptions.HttpException as e:
        assert e.status_code == 501, e
    else:
        raise AssertionError('deleting a deploy template was not refused')


# issue 15 (1.92, 1.112): openstacksdk 0.101 has no runbook resource, so its proxy's own session
# (keystoneauth, the endpoint and token it negotiated) sends the requests, with the microversion
# each needs; Runbook.destroy() takes no context on any conductor up to 39.0, so delete is 501
@step('runbooks through the proxy session (1.92, 1.112 traits); delete refused (501)')
def _():
    def call(method, url, version, **kw):
        r = bm.request(url, method, microversion=version, raise_exc=False, **kw)
        return r.status_code, (r.json() if r.content else None)

    name = 'CUSTOM_E2E_SDK_RB_' + tag.upper()
    rsteps = [{'interface': 'deploy', 'step': 'erase_devices', 'args': {'secret_password': 'x'}, 'order': 1}]
    code, rb = call('POST', '/runbooks', '1.92', json={'name': name, 'steps': rsteps, 'extra': {'k': 'v'}})
    if tuple(int(x) for x in opts.api_max.split('.')) < (1, 92):
        # a gateway pinned to a release before runbooks (21.4: 1.82) refuses the version
        assert code == 406, (code, rb)
        return
    assert code == 201, (code, rb)
    assert rb['name'] == name and rb['steps'][0]['args'] == {'secret_password': '******'}, rb
    code, shown = call('GET', '/runbooks/' + name, '1.92')
    assert code == 200 and shown['uuid'] == rb['uuid'], (code, shown)
    code, listed = call('GET', '/runbooks', '1.92')
    assert code == 200 and rb['uuid'] in [x['uuid'] for x in listed['runbooks']], listed
    code, patched = call('PATCH', '/runbooks/' + rb['uuid'], '1.92',
                         json=[{'op': 'replace', 'path': '/extra/k', 'value': 'w'}])
    assert code == 200 and patched['extra'] == {'k': 'w'}, (code, patched)
    code, _ = call('PUT', '/runbooks/%s/traits' % rb['uuid'], '1.112', json={'traits': ['CUSTOM_E2E_A']})
    assert code == 204, code
    code, _ = call('PUT', '/runbooks/%s/traits/CUSTOM_E2E_B' % rb['uuid'], '1.112')
    assert code == 204, code
    code, traits = call('GET', '/runbooks/%s/traits' % rb['uuid'], '1.112')
    assert code == 200 and sorted(traits['traits']) == ['CUSTOM_E2E_A', 'CUSTOM_E2E_B'], traits
    code, _ = call('GET', '/runbooks/%s/traits' % rb['uuid'], '1.111')
    assert code == 404, code
    code, _ = call('GET', '/runbooks', '1.91')
    assert code == 404, code
    code, err = call('DELETE', '/runbooks/' + rb['uuid'], '1.92')
    assert code == 501, (code, err)


@step('delete port, port group, nodes, chassis')
def _():
    bm.delete_port(state['port'], ignore_missing=False)
    bm.delete_port_group(state['portgroup'], ignore_missing=False)
    for uuid_ in list(created_nodes):
        bm.delete_node(uuid_, ignore_missing=False)
        created_nodes.remove(uuid_)
    assert list(bm.nodes(resource_class=rc)) == []
    try:
        bm.get_node(state['node'])
        raise AssertionError('deleted node still there')
    except exceptions.ResourceNotFound:
        pass
    bm.delete_chassis(state.pop('chassis'), ignore_missing=False)


print(json.dumps(steps))
