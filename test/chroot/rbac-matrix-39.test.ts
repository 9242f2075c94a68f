/**
 * Ironic 39.0's RBAC matrices against the unpinned gateway (which answers as Ironic 39.0): the
 * two files 39.0's test_acl.py loads, from the sid chroot's python3-ironic
 * (test/support/build-chroot.sh). Not a unit test: test/run.sh runs it in the Ironic 39.0 phase,
 * once the chroot is built. Run by hand without the chroot, it fails saying how to build it.
 * The runner is test/support/rbac-matrix.ts.
 */
import { existsSync } from 'node:fs';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  type Gap,
  type MatrixFile,
  type MatrixRelease,
  basicFixture,
  projectFixture39,
  runMatrixFile,
} from '../support/rbac-matrix.ts';

const CHROOT = process.env.IRONIC_SID_CHROOT ?? '/var/cache/ironic-gateway/sid-ironic';

/** Requests the unpinned gateway does not serve as ironic-api 39.0 does. */
const GAPS_39_0: Gap[] = [
  {
    method: 'delete',
    path: /^\/v1\/runbooks\//,
    status: 204,
    reason:
      'a 39.0 conductor cannot destroy a runbook through the indirection API (Runbook.destroy: TypeError): the gateway answers 501',
  },
];

const IRONIC_39: MatrixRelease = {
  dir: `${CHROOT}/usr/lib/python3/dist-packages/ironic/tests/unit/api`,
  pin: undefined,
  apiVersion: '1.115',
  gaps: GAPS_39_0,
};

/**
 * 39.0's test_acl.py: TestRBACBasic with the chroot's oslo.policy defaults (enforce_scope and
 * enforce_new_defaults true, the gateway's unpinned defaults too), TestRBACProjectScoped setting
 * enforce_new_defaults. No policy setting is passed: the unpinned defaults are under test.
 */
const FILES_39_0: MatrixFile[] = [
  { file: 'test_acl_basic.yaml', fixture: basicFixture, policy: {} },
  { file: 'test_rbac_project_scoped.yaml', fixture: projectFixture39, policy: {} },
];

describe('Ironic 39.0 RBAC matrices (the sid chroot), gateway unpinned', () => {
  test('the sid chroot with Ironic 39.0 is there', () => {
    assert.ok(
      existsSync(`${IRONIC_39.dir}/test_rbac_project_scoped.yaml`),
      `Ironic 39.0's RBAC matrices are not at ${IRONIC_39.dir}: build the sid chroot first ` +
        '(bash test/support/build-chroot.sh), or set IRONIC_SID_CHROOT to where it is',
    );
  });
  for (const mf of FILES_39_0) {
    test(mf.file, { timeout: 900_000, skip: !existsSync(`${IRONIC_39.dir}/${mf.file}`) && 'no sid chroot' }, () =>
      runMatrixFile(IRONIC_39, mf),
    );
  }
});
