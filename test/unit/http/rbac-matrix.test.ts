/**
 * Ironic 21.4's RBAC matrices (the host's python3-ironic) against a gateway pinned to 21.4: the
 * files 21.4's test_acl.py loads, with the policy settings of each of its classes. The runner is
 * test/support/rbac-matrix.ts; Ironic 39.0's matrices are test/chroot/rbac-matrix-39.test.ts.
 */
import { existsSync } from 'node:fs';
import { describe, test } from 'node:test';
import {
  GAPS_21_4,
  type MatrixFile,
  type MatrixRelease,
  basicFixture,
  projectFixture,
  runMatrixFile,
  systemFixture,
} from '../../support/rbac-matrix.ts';

const IRONIC_21: MatrixRelease = {
  dir: '/usr/lib/python3/dist-packages/ironic/tests/unit/api',
  pin: '21.4',
  apiVersion: '1.82',
  gaps: GAPS_21_4,
};

const FILES_21_4: MatrixFile[] = [
  { file: 'test_acl_basic.yaml', fixture: basicFixture, policy: {} },
  { file: 'test_rbac_legacy.yaml', fixture: systemFixture, policy: {} },
  {
    file: 'test_rbac_legacy.yaml',
    label: 'test_rbac_legacy.yaml (TestRBACScoped: enforce_scope, enforce_new_defaults)',
    fixture: systemFixture,
    policy: { policy_enforce_new_defaults: true, policy_enforce_scope: true },
    canary: true,
  },
  { file: 'test_rbac_system_scoped.yaml', fixture: systemFixture, policy: {} },
  {
    file: 'test_rbac_project_scoped.yaml',
    fixture: projectFixture,
    policy: { policy_enforce_new_defaults: true, policy_enforce_scope: true },
  },
];

describe('Ironic 21.4 RBAC matrices (installed python3-ironic), gateway pinned to 21.4', {
  skip: !existsSync(IRONIC_21.dir) && 'python3-ironic is not installed',
}, () => {
  for (const mf of FILES_21_4) {
    test(mf.label ?? mf.file, { timeout: 900_000 }, () => runMatrixFile(IRONIC_21, mf));
  }
});
