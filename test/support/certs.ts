/**
 * Certificates made for a test with Debian's `openssl` command (Node's crypto makes keys but
 * cannot sign X.509): a CA, server certificates for 127.0.0.1/localhost and client
 * certificates, ECDSA P-256 (fast to make), valid for two days, with the extensions strict
 * verifiers ask for (subjectAltName, key identifiers, extendedKeyUsage).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const OPENSSL = 'openssl';

export interface CertFiles {
  cert: string;
  key: string;
}

export interface TestCa extends CertFiles {
  name: string;
}

async function openssl(args: string[], cwd: string): Promise<void> {
  await run(OPENSSL, args, { cwd, timeout: 60_000 });
}

/** A directory under the worktree's .tmp/ holding one test's certificates; remove() when done. */
export class CertDir {
  readonly dir: string;
  private serial = 1;

  constructor(prefix = 'tls') {
    const base = join(root, '.tmp');
    mkdirSync(base, { recursive: true });
    this.dir = mkdtempSync(join(base, `${prefix}-`));
  }

  path(name: string): string {
    return join(this.dir, name);
  }

  /** A self-signed CA. */
  async ca(name: string): Promise<TestCa> {
    const key = this.path(`${name}.key`);
    const cert = this.path(`${name}.pem`);
    await openssl(
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '2',
        '-subj',
        `/O=ironic-gateway tests/CN=${name}`,
        '-addext',
        'basicConstraints=critical,CA:TRUE',
        '-addext',
        'keyUsage=critical,keyCertSign,cRLSign',
      ],
      this.dir,
    );
    return { name, key, cert };
  }

  /** A certificate signed by `ca`: for a server (127.0.0.1, localhost) or a client. */
  async issue(ca: TestCa, name: string, use: 'server' | 'client', cn = name): Promise<CertFiles> {
    const key = this.path(`${name}.key`);
    const csr = this.path(`${name}.csr`);
    const cert = this.path(`${name}.pem`);
    const ext = this.path(`${name}.ext`);
    writeFileSync(
      ext,
      [
        'basicConstraints=critical,CA:FALSE',
        'keyUsage=critical,digitalSignature',
        `extendedKeyUsage=${use === 'server' ? 'serverAuth' : 'clientAuth'}`,
        'subjectKeyIdentifier=hash',
        'authorityKeyIdentifier=keyid,issuer',
        ...(use === 'server' ? ['subjectAltName=IP:127.0.0.1,DNS:localhost'] : []),
        '',
      ].join('\n'),
    );
    await openssl(
      [
        'req',
        '-new',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        key,
        '-out',
        csr,
        '-subj',
        `/O=ironic-gateway tests/CN=${cn}`,
      ],
      this.dir,
    );
    await openssl(
      [
        'x509',
        '-req',
        '-in',
        csr,
        '-CA',
        ca.cert,
        '-CAkey',
        ca.key,
        '-set_serial',
        String(Date.now() * 100 + this.serial++),
        '-days',
        '2',
        '-extfile',
        ext,
        '-out',
        cert,
      ],
      this.dir,
    );
    return { key, cert };
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
