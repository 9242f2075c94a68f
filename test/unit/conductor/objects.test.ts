import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  IronicObject,
  OBJECT_FIELDS,
  OBJECT_VERSIONS,
  isObjectPrimitive,
  objectSerializer,
  traitList,
  traitNames,
  type NodeFields,
  type ObjectPrimitive,
} from '../../../src/conductor/objects.ts';
import { CLASSES } from '../../../src/simulator/schema.ts';
import { RELEASE_MAPPING } from '../../../src/releases.ts';
import { loadWireFixtures } from '../../support/wire-fixtures.ts';

const fixtures = loadWireFixtures();
const byName = (n: string) => fixtures.find((f) => f.file.includes(n))!;

describe('versioned objects', () => {
  it("exports 39.0's versions: its release mapping, plus BIOSSettingList and FirmwareComponentList", () => {
    const { BIOSSettingList, FirmwareComponentList, ...mapped } = OBJECT_VERSIONS;
    assert.deepEqual([BIOSSettingList, FirmwareComponentList], ['1.1', '1.1']);
    assert.deepEqual(
      mapped,
      Object.fromEntries(Object.entries(RELEASE_MAPPING['39.0']!.objects).filter(([c]) => c !== 'Deployment')),
    );
    assert.deepEqual(Object.keys(OBJECT_FIELDS).sort(), Object.keys(OBJECT_VERSIONS).sort());
  });

  it("knows the fields the simulated conductor's own codec serves at the same versions", () => {
    // schema.ts is written apart from objects.ts on purpose; the two must agree field for field
    const compared: string[] = [];
    for (const cls of Object.values(CLASSES)) {
      if (cls.version !== OBJECT_VERSIONS[cls.name as keyof typeof OBJECT_VERSIONS]) continue;
      assert.deepEqual(
        [...OBJECT_FIELDS[cls.name as keyof typeof OBJECT_FIELDS]].sort(),
        [...cls.fields].sort(),
        cls.name,
      );
      compared.push(cls.name);
    }
    assert.ok(compared.includes('Chassis') && compared.includes('Conductor'), compared.join());
  });

  it('decodes a newer Node (1.37) leniently and sends back exactly the changed field', () => {
    const sent = byName('update_node').request.message.args as { node_obj: ObjectPrimitive };
    const unchanged: ObjectPrimitive = { ...sent.node_obj };
    delete unchanged['ironic_object.changes'];
    const node = IronicObject.fromPrimitive<NodeFields>(unchanged);
    assert.equal(node.version, '1.37');
    assert.equal(node.get('uuid'), 'dc4b7e89-a9b7-47d5-9bf5-76b26abe9625');
    assert.ok(node.has('shard'), 'a field unknown to 1.23 is kept');
    assert.deepEqual(node.whatChanged(), []);
    assert.deepEqual(traitNames(node.get('traits')), []);
    node.set('extra', { foo: 'bar' });
    // the primitive is what ironic-api 21.4 itself sent for this update
    assert.deepEqual(node.toPrimitive(), sent.node_obj);
  });

  it('round-trips every object in the captured replies', () => {
    for (const f of fixtures) {
      const result = f.reply?.message.result;
      const back = objectSerializer.serialize(objectSerializer.deserialize(result));
      assert.deepEqual(back, result, f.file);
    }
  });

  it('decodes lists and nested objects to IronicObject', () => {
    const list = objectSerializer.deserialize(byName('Node.list').reply!.message.result) as IronicObject<NodeFields>[];
    assert.ok(Array.isArray(list) && list.length === 1);
    assert.ok(list[0] instanceof IronicObject);
    const traits = list[0]!.get('traits');
    assert.ok(traits instanceof IronicObject);
    assert.equal(traits.name, 'TraitList');
    const conductors = objectSerializer.deserialize(byName('Conductor.list').reply!.message.result) as IronicObject[];
    assert.deepEqual(conductors[0]!.get('drivers'), ['fake-hardware']);
  });

  it('a new object sends every field it was given as changed, at the version asked (the newest by default)', () => {
    assert.equal(IronicObject.create('Node', { uuid: 'u1' }).version, OBJECT_VERSIONS.Node);
    const node = IronicObject.create('Node', { uuid: 'u1', driver: 'fake-hardware', extra: {} }, '1.23');
    const p = node.toPrimitive();
    assert.equal(p['ironic_object.version'], '1.23');
    assert.equal(p['ironic_object.namespace'], 'ironic');
    assert.deepEqual(p['ironic_object.data'], { uuid: 'u1', driver: 'fake-hardware', extra: {} });
    assert.deepEqual(p['ironic_object.changes']?.sort(), ['driver', 'extra', 'uuid']);
    node.resetChanges();
    assert.equal('ironic_object.changes' in node.toPrimitive(), false);
  });

  it('writes datetimes as ISO strings and counts a changed nested object as a change', () => {
    const node = new IronicObject<NodeFields>('Node', { uuid: 'u', traits: traitList(['CUSTOM_A']) });
    node.set('provision_updated_at', new Date('2026-01-02T03:04:05.678Z') as unknown as string);
    assert.equal(node.toPrimitive()['ironic_object.data'].provision_updated_at, '2026-01-02T03:04:05Z');
    node.resetChanges();
    const traits = node.get('traits')!;
    traits.get('objects')![0]!.set('trait', 'CUSTOM_B');
    assert.deepEqual(node.whatChanged(), ['traits']);
    assert.deepEqual(traitNames(node.toPrimitive()['ironic_object.data'].traits), ['CUSTOM_B']);
  });

  it('recognizes primitives and gives plain fields', () => {
    const p = traitList(['X']).toPrimitive();
    assert.ok(isObjectPrimitive(p));
    assert.equal(isObjectPrimitive({ 'ironic_object.name': 'X' }), false);
    assert.deepEqual(new IronicObject('Node', { uuid: 'u', traits: traitList(['X'], '1') }).toPlain(), {
      uuid: 'u',
      traits: { objects: [{ node_id: '1', trait: 'X' }] },
    });
  });
});
