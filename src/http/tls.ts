/**
 * HTTPS on the gateway itself: the certificate, its key and an optional client CA bundle, read
 * from files (ironic-api's counterpart: `[api]enable_ssl_api` with `[ssl]cert_file`,
 * `key_file` and `ca_file`, ironic/api/wsgi_service.py through oslo.service's sslutils).
 *
 * Unlike ironic-api, the files are watched: when cert-manager, certbot or an operator replace
 * them, new connections get the new certificate (`tls.Server#setSecureContext`) and the
 * connections already open carry on with the one they negotiated. A replacement that is
 * wrong (unreadable, not PEM, expired, key not matching) is refused with an error in the log
 * and the previous certificate keeps serving.
 */
import { X509Certificate, createHash, createPrivateKey } from 'node:crypto';
import { type FSWatcher, readFileSync, watch } from 'node:fs';
import { dirname } from 'node:path';
import { type SecureContextOptions, type Server as TlsServer, type TlsOptions, createSecureContext } from 'node:tls';
import type { Logger } from 'pino';
import { type Config, ConfigError, envName } from '../config.ts';

/** The oldest protocol served: TLS 1.0 and 1.1 are refused at the handshake. */
export const MIN_TLS_VERSION = 'TLSv1.2';

/**
 * Mozilla's "intermediate" configuration (forward secrecy and AEAD ciphers only), without the
 * DHE suites that would need a parameter file. TLS 1.3 suites first.
 */
export const CIPHERS = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

/** How long after the last change on disk the files are read: a renewal writes several. */
export const RELOAD_DEBOUNCE_MS = 1000;
/** A re-read however quiet the watcher is (file systems where inotify misses changes). */
export const RELOAD_POLL_MS = 60_000;

type TlsSettings = Pick<Config, 'tls_cert_file' | 'tls_key_file' | 'tls_client_ca_file' | 'tls_public_routes_open'>;

/** What the log says about the certificate being served. */
export interface CertificateSummary {
  subject: string;
  issuer: string;
  not_after: string;
  fingerprint256: string;
  chain_length: number;
}

/** The files' contents, checked: a pair that can serve, and the client CAs when configured. */
export interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
  clientCa?: Buffer;
  summary: CertificateSummary;
  /** a digest of the three files, to tell a real change from a touch */
  digest: string;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g;

function readSetting(key: 'tls_cert_file' | 'tls_key_file' | 'tls_client_ca_file', path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new ConfigError(`cannot read ${envName(key)} ${path}: ${code}`);
  }
}

function certificates(key: 'tls_cert_file' | 'tls_client_ca_file', path: string, pem: Buffer): X509Certificate[] {
  const blocks = pem.toString('latin1').match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) throw new ConfigError(`${envName(key)} ${path} holds no PEM certificate`);
  return blocks.map((block, i) => {
    try {
      return new X509Certificate(block);
    } catch (err) {
      throw new ConfigError(
        `${envName(key)} ${path}: certificate ${i + 1} cannot be parsed: ${(err as Error).message}`,
      );
    }
  });
}

/**
 * Reads and checks the TLS files; throws ConfigError with one line naming the setting and
 * what is wrong (start-up stops on it; a reload logs it and keeps the previous certificate).
 */
export function readTlsMaterial(settings: TlsSettings, now: Date = new Date()): TlsMaterial {
  const certPath = settings.tls_cert_file;
  const keyPath = settings.tls_key_file;
  if (!certPath || !keyPath)
    throw new ConfigError(`${envName('tls_cert_file')} and ${envName('tls_key_file')} are needed together`);
  const cert = readSetting('tls_cert_file', certPath);
  const key = readSetting('tls_key_file', keyPath);
  const clientCa = settings.tls_client_ca_file
    ? readSetting('tls_client_ca_file', settings.tls_client_ca_file)
    : undefined;

  const chain = certificates('tls_cert_file', certPath, cert);
  const leaf = chain[0];
  if (new Date(leaf.validTo).getTime() < now.getTime())
    throw new ConfigError(`${envName('tls_cert_file')} ${certPath}: the certificate expired on ${leaf.validTo}`);
  let privateKey: ReturnType<typeof createPrivateKey>;
  try {
    privateKey = createPrivateKey(key);
  } catch (err) {
    throw new ConfigError(
      `${envName('tls_key_file')} ${keyPath} is not an unencrypted PEM private key: ${(err as Error).message}`,
    );
  }
  if (!leaf.checkPrivateKey(privateKey))
    throw new ConfigError(
      `${envName('tls_key_file')} ${keyPath} does not match the certificate in ${envName('tls_cert_file')} ${certPath}` +
        (chain.length > 1 ? ' (the server certificate must come first, its chain after it)' : ''),
    );
  if (clientCa && settings.tls_client_ca_file)
    certificates('tls_client_ca_file', settings.tls_client_ca_file, clientCa);
  try {
    createSecureContext(contextOptions({ cert, key, clientCa }));
  } catch (err) {
    throw new ConfigError(`${envName('tls_cert_file')} ${certPath}: unusable: ${(err as Error).message}`);
  }

  const digest = createHash('sha256')
    .update(cert)
    .update('\0')
    .update(key)
    .update('\0')
    .update(clientCa ?? '')
    .digest('hex');
  return {
    cert,
    key,
    clientCa,
    digest,
    summary: {
      subject: oneLine(leaf.subject),
      issuer: oneLine(leaf.issuer),
      not_after: new Date(leaf.validTo).toISOString(),
      fingerprint256: leaf.fingerprint256,
      chain_length: chain.length,
    },
  };
}

/** `X509Certificate#subject` is one attribute per line, the most general first: `CN=…, O=…`. */
export function oneLine(name: string): string {
  return name.split('\n').filter(Boolean).reverse().join(', ');
}

/** What a secure context is made of: the part a rotation replaces. */
export function contextOptions(material: Pick<TlsMaterial, 'cert' | 'key' | 'clientCa'>): SecureContextOptions {
  return {
    cert: material.cert,
    key: material.key,
    ...(material.clientCa ? { ca: material.clientCa } : {}),
    minVersion: MIN_TLS_VERSION,
    ciphers: CIPHERS,
  };
}

/** The options of the HTTPS server (Fastify's `https` option). */
export function serverOptions(material: TlsMaterial, settings: TlsSettings): TlsOptions {
  const mutual = material.clientCa !== undefined;
  return {
    ...contextOptions(material),
    // With mutual TLS a certificate is always asked for; it is required at the handshake
    // unless public routes stay open, and then the route decides (src/http/auth/client-cert.ts).
    requestCert: mutual,
    rejectUnauthorized: mutual && !settings.tls_public_routes_open,
  };
}

/** The mutual-TLS mode, as the start-up log line and docs/tls.md name it. */
export function clientCertMode(settings: TlsSettings): 'off' | 'required' | 'required except public routes' {
  if (!settings.tls_client_ca_file) return 'off';
  return settings.tls_public_routes_open ? 'required except public routes' : 'required';
}

export interface CertificateWatcherOptions {
  debounceMs?: number;
  pollMs?: number;
}

/**
 * Watches the TLS files and swaps the server's secure context when they change. Directories
 * are watched rather than files: cert-manager (Kubernetes secret volumes) and certbot replace
 * a symbolic link, which a watch on the old file would never see.
 */
export class CertificateWatcher {
  private readonly watchers: FSWatcher[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly poller: NodeJS.Timeout;
  private served: string;
  private refused: string | undefined;
  private closed = false;

  constructor(
    private readonly server: Pick<TlsServer, 'setSecureContext'>,
    private readonly settings: TlsSettings,
    current: TlsMaterial,
    private readonly log: Pick<Logger, 'info' | 'warn' | 'error'>,
    private readonly options: CertificateWatcherOptions = {},
  ) {
    this.served = current.digest;
    const files = [settings.tls_cert_file, settings.tls_key_file, settings.tls_client_ca_file].filter(
      (f): f is string => Boolean(f),
    );
    for (const dir of new Set(files.map((f) => dirname(f)))) {
      try {
        const w = watch(dir, { persistent: false }, () => this.schedule());
        w.on('error', (err) => this.log.warn({ err, dir }, 'cannot watch TLS files any more; polling only'));
        this.watchers.push(w);
      } catch (err) {
        this.log.warn({ err, dir }, 'cannot watch TLS files; polling only');
      }
    }
    this.poller = setInterval(() => this.schedule(), options.pollMs ?? RELOAD_POLL_MS);
    this.poller.unref();
  }

  private schedule(): void {
    if (this.closed) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.reload(), this.options.debounceMs ?? RELOAD_DEBOUNCE_MS);
    this.timer.unref();
  }

  /** Reads the files now; swaps the context when they changed and are good. */
  reload(): void {
    if (this.closed) return;
    let material: TlsMaterial;
    try {
      material = readTlsMaterial(this.settings);
    } catch (err) {
      // One error line per bad state of the files, not one per file-system event.
      const reason = (err as Error).message;
      if (reason !== this.refused)
        this.log.error({ reason }, `new TLS files refused; the previous certificate keeps serving: ${reason}`);
      this.refused = reason;
      return;
    }
    this.refused = undefined;
    if (material.digest === this.served) return;
    try {
      this.server.setSecureContext(contextOptions(material));
    } catch (err) {
      this.log.error({ err }, 'new TLS files refused; the previous certificate keeps serving');
      return;
    }
    this.served = material.digest;
    this.log.info({ certificate: material.summary }, 'TLS certificate reloaded; new connections use it');
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    clearInterval(this.poller);
    for (const w of this.watchers) w.close();
  }
}
