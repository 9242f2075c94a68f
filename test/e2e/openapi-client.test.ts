/**
 * A TypeScript client generated from openapi/openapi.json (openapi-typescript types in
 * test/e2e/generated/openapi.d.ts, openapi-fetch over them) driving the node lifecycle on each
 * back end. The types are type-checked with the project's strict tsconfig, so a change of the
 * spec that breaks this client breaks `tsc`; the first test fails when the generated file is
 * older than the spec (`npm run openapi:client` regenerates it).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import createClient from 'openapi-fetch';
import { Agent } from 'undici';
import openapiTS from 'openapi-typescript';
import type { paths } from './generated/openapi.d.ts';
import { checkFetch, openApiCheck } from '../support/openapi-check.ts';
import { backends, gatewayModes, runTag, startGateway, type RunningGateway } from './support/backend.ts';
import { withDeadline } from './support/steps.ts';
import { until } from './support/wait.ts';

const root = join(import.meta.dirname, '..', '..');
const GENERATED = join(import.meta.dirname, 'generated', 'openapi.d.ts');

test('test/e2e/generated/openapi.d.ts is what openapi-typescript makes of openapi/openapi.json (run `npm run openapi:client` when this fails)', async () => {
  const spec = JSON.parse(readFileSync(join(root, 'openapi', 'openapi.json'), 'utf8'));
  assert.equal(readFileSync(GENERATED, 'utf8'), await openapiTS(spec));
});

type Client = ReturnType<typeof createClient<paths>>;
type Node = NonNullable<Awaited<ReturnType<typeof getNode>>>;

async function getNode(api: Client, ident: string) {
  const { data, error, response } = await api.GET('/v1/nodes/{node_ident}', {
    params: { path: { node_ident: ident } },
  });
  assert.equal(response.status, 200, JSON.stringify(error));
  return data!;
}

/** Every answer the client gets is checked against the document (test/support/openapi-check.ts). */
const contract = openApiCheck();
interface Checked {
  answers: number;
  disagreements: string[];
}

function clientFor(gw: RunningGateway, checked: Checked): Client {
  // Over HTTPS, Node's fetch trusts the test CA through an undici Agent (Node's fetch is
  // undici; its bundled copy is not importable, so the test depends on the package).
  const dispatcher = gw.cacert ? new Agent({ connect: { ca: readFileSync(gw.cacert) } }) : undefined;
  const client = createClient<paths>({
    baseUrl: gw.url,
    ...(dispatcher ? { fetch: (request: Request) => fetch(request, { dispatcher } as RequestInit) } : {}),
    headers: {
      'X-OpenStack-Ironic-API-Version': '1.82',
      ...(gw.token ? { Authorization: `Bearer ${gw.token}` } : {}),
    },
  });
  client.use({
    onResponse: async ({ request, response }) => {
      checked.answers++;
      checked.disagreements.push(...(await checkFetch(contract, request, response)));
    },
  });
  return client;
}

/** The lifecycle's deadline: 10–30 s on a quiet machine, several times that on a busy one. */
const LIFECYCLE_TIMEOUT_MS = 300_000;

for (const backend of backends()) {
  describe(`openapi-fetch client · ${backend.name}`, { concurrency: true }, () => {
    for (const mode of gatewayModes()) {
      describe(`${backend.name} · ${mode.label}`, () => {
        let gw: RunningGateway;
        let api: Client;
        let uuid: string | undefined;
        let ended: Promise<void> = Promise.resolve();
        const checked: Checked = { answers: 0, disagreements: [] };
        before(async () => {
          gw = await startGateway(backend, mode);
          api = clientFor(gw, checked);
        });
        after(async () => {
          await ended;
          if (uuid) {
            // after a failure: leave nothing on a shared conductor
            await api.PATCH('/v1/nodes/{node_ident}', {
              params: { path: { node_ident: uuid } },
              body: [{ op: 'replace', path: '/maintenance', value: true }],
            });
            await api.DELETE('/v1/nodes/{node_ident}', { params: { path: { node_ident: uuid } } });
          }
          await gw?.close();
        });

        // our deadline is reported, not node:test's; the clean-up waits for the lifecycle to have stopped
        test('the node lifecycle', { timeout: LIFECYCLE_TIMEOUT_MS + 60_000 }, async () => {
          const run = withDeadline('the node lifecycle', LIFECYCLE_TIMEOUT_MS, (signal) => lifecycle(signal));
          ended = run.ended;
          await run.result;
          const { answers, disagreements } = checked;
          assert.ok(answers >= 15, `${answers} answers checked against openapi/openapi.json`);
          assert.deepEqual(
            disagreements,
            [],
            `answers that disagree with openapi/openapi.json:\n${disagreements.join('\n')}`,
          );
        });
        const lifecycle = async (signal: AbortSignal): Promise<void> => {
          const tag = runTag();
          const rc = `e2e-oa-${tag}`;
          const provision = async (target: string, expected: string): Promise<Node> => {
            const r = await api.PUT('/v1/nodes/{node_ident}/states/provision', {
              params: { path: { node_ident: uuid! } },
              body: { target },
            });
            assert.equal(r.response.status, 202, JSON.stringify(r.error));
            return until(
              `provision state ${expected}`,
              async () => {
                const n = await getNode(api, uuid!);
                assert.equal(n.last_error ?? null, null);
                return n.provision_state === expected && n.target_provision_state === null ? n : undefined;
              },
              120_000,
              200,
              signal,
            );
          };

          // version discovery
          const root = await api.GET('/');
          assert.equal(root.data?.default_version.version, '1.82');
          assert.equal(root.data?.default_version.min_version, '1.1');

          // create
          const created = await api.POST('/v1/nodes', {
            body: { driver: 'fake-hardware', name: `e2e-oa-${tag}`, resource_class: rc, properties: { cpus: 4 } },
          });
          assert.equal(created.response.status, 201, JSON.stringify(created.error));
          uuid = created.data!.uuid!;
          assert.equal(created.data!.provision_state, 'enroll');

          // list with a filter and fields, and read by name
          const list = await api.GET('/v1/nodes', {
            params: { query: { resource_class: rc, fields: 'uuid,name,provision_state' } },
          });
          assert.deepEqual(
            list.data!.nodes.map((n) => [n.uuid, n.name, n.provision_state]),
            [[uuid, `e2e-oa-${tag}`, 'enroll']],
          );
          const byName = await getNode(api, `e2e-oa-${tag}`);
          assert.equal(byName.uuid, uuid);
          assert.equal(byName.network_interface, backend.expect.networkInterface);

          // update with JSON Patch
          const patched = await api.PATCH('/v1/nodes/{node_ident}', {
            params: { path: { node_ident: uuid } },
            body: [
              { op: 'add', path: '/extra/owner', value: 'e2e' },
              { op: 'replace', path: '/properties/cpus', value: 8 },
            ],
          });
          assert.equal(patched.response.status, 200, JSON.stringify(patched.error));
          assert.deepEqual(patched.data!.extra, { owner: 'e2e' });
          assert.deepEqual(patched.data!.properties, { cpus: 8 });

          // an Ironic error comes back typed, in Ironic's format
          const bad = await api.PUT('/v1/nodes/{node_ident}/states/provision', {
            params: { path: { node_ident: uuid } },
            body: { target: 'active' },
          });
          assert.equal(bad.response.status, 400);
          // (a 400 may also be the JSON limits' raw refusal, issue 15: not this one)
          assert.ok(bad.error && 'error_message' in bad.error, JSON.stringify(bad.error));
          assert.match(JSON.parse(bad.error.error_message).faultstring, /enroll/);

          await provision('manage', 'manageable');
          await provision('provide', 'available');

          // power
          const power = await api.PUT('/v1/nodes/{node_ident}/states/power', {
            params: { path: { node_ident: uuid } },
            body: { target: 'power on' },
          });
          assert.equal(power.response.status, 202, JSON.stringify(power.error));
          await until(
            'power on',
            async () => ((await getNode(api, uuid!)).power_state === 'power on' ? true : undefined),
            60_000,
            200,
            signal,
          );
          const states = await api.GET('/v1/nodes/{node_ident}/states', { params: { path: { node_ident: uuid } } });
          assert.equal(states.data!.power_state, 'power on');
          assert.equal(states.data!.provision_state, 'available');

          // traits
          const traits = await api.PUT('/v1/nodes/{node_ident}/traits', {
            params: { path: { node_ident: uuid } },
            body: { traits: ['CUSTOM_OA_1', 'CUSTOM_OA_2'] },
          });
          assert.equal(traits.response.status, 204, JSON.stringify(traits.error));
          const got = await api.GET('/v1/nodes/{node_ident}/traits', { params: { path: { node_ident: uuid } } });
          assert.deepEqual([...got.data!.traits].sort(), ['CUSTOM_OA_1', 'CUSTOM_OA_2']);

          // deploy and undeploy
          const active = await provision('active', 'active');
          assert.equal(active.provision_state, 'active');
          await provision('deleted', 'available');

          // delete
          const del = await api.DELETE('/v1/nodes/{node_ident}', { params: { path: { node_ident: uuid } } });
          assert.equal(del.response.status, 204, JSON.stringify(del.error));
          const gone = await api.GET('/v1/nodes/{node_ident}', { params: { path: { node_ident: uuid } } });
          assert.equal(gone.response.status, 404);
          uuid = undefined;
        };
      });
    }
  });
}
