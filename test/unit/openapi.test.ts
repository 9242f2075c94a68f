import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { OPENAPI_PATH, renderOpenApi } from '../../src/tools/openapi.ts';

test('openapi/openapi.json is what the routes generate (run `npm run openapi` when this fails)', async () => {
  const committed = readFileSync(OPENAPI_PATH, 'utf8');
  const generated = await renderOpenApi();
  assert.equal(committed, generated);
  const doc = JSON.parse(generated);
  assert.equal(doc.openapi, '3.1.0');
  assert.ok(doc.paths['/v1'], 'discovery documented');
});

test('each /v1 operation’s x-openstack min-ver is its route’s minimum microversion', async () => {
  const { resourceRoutes } = await import('../../src/http/routes/index.ts');
  const doc = JSON.parse(await renderOpenApi()) as {
    paths: Record<
      string,
      Record<string, { 'x-openstack'?: { 'min-ver'?: string }; parameters?: { name?: string; $ref?: string }[] }>
    >;
    components: { parameters: Record<string, { name: string }> };
  };
  const nameOf = (p: { name?: string; $ref?: string }) =>
    p.$ref ? doc.components.parameters[p.$ref.replace('#/components/parameters/', '')]?.name : p.name;
  let checked = 0;
  for (const route of resourceRoutes) {
    if ((route.schema as { hide?: boolean } | undefined)?.hide) continue;
    const path = route.url.replace(/:(\w+)/g, '{$1}');
    for (const method of [route.method].flat()) {
      const op = doc.paths[path]?.[method.toLowerCase()];
      assert.ok(op, `${method} ${path} is documented`);
      assert.equal(op['x-openstack']?.['min-ver'], `1.${route.minVersion ?? 1}`, `${method} ${path}`);
      assert.ok(
        op.parameters?.some((p) => nameOf(p)?.toLowerCase() === 'x-openstack-ironic-api-version'),
        `${method} ${path} documents the version header`,
      );
      checked++;
    }
  }
  assert.ok(checked > 90, `${checked} operations checked`);
});
