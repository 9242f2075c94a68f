/**
 * Mints a JWT for testing the gateway's `jwt` strategy.
 *
 *   npx tsx src/tools/mint-token.ts --secret "$SECRET" --roles admin --system-scope all
 *   npx tsx src/tools/mint-token.ts --key private.pem --alg RS256 --roles member --project p1
 *
 * Prints the token on stdout. Not for production identity: a real deployment's tokens come
 * from its identity provider.
 */
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import jsonwebtoken, { type Algorithm } from 'jsonwebtoken';

const USAGE = `usage: mint-token (--secret S | --key private.pem) [options]
  --secret S            HMAC secret (HS256 by default)
  --key FILE            PEM private key (RS256 by default; ES256/384/512 for an EC key)
  --alg ALG             algorithm, as the gateway's IRONIC_GATEWAY_JWT_ALGORITHM
  --sub USER            user id (sub claim), default "test-user"
  --project ID          project_id claim (a project-scoped token)
  --project-name NAME   project_name claim (Ironic's service_role compares it)
  --project-domain ID   project_domain_id claim
  --user-domain ID      user_domain_id claim
  --domain ID           domain_id claim (a domain-scoped token)
  --roles a,b           roles claim, comma-separated (reader, member, admin …)
  --system-scope all    system_scope claim
  --issuer ISS          iss claim
  --audience AUD        aud claim
  --expires-in SECONDS  lifetime, default 3600
`;

function main(argv: string[]): void {
  const { values } = parseArgs({
    args: argv,
    options: {
      secret: { type: 'string' },
      key: { type: 'string' },
      alg: { type: 'string' },
      sub: { type: 'string', default: 'test-user' },
      project: { type: 'string' },
      'project-name': { type: 'string' },
      'project-domain': { type: 'string' },
      'user-domain': { type: 'string' },
      domain: { type: 'string' },
      roles: { type: 'string', default: '' },
      'system-scope': { type: 'string' },
      issuer: { type: 'string' },
      audience: { type: 'string' },
      'expires-in': { type: 'string', default: '3600' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || !values.secret === !values.key) {
    process.stderr.write(USAGE);
    process.exit(values.help ? 0 : 2);
  }
  const expiresIn = Number(values['expires-in']);
  if (!Number.isInteger(expiresIn) || expiresIn <= 0)
    throw new Error('--expires-in must be a positive number of seconds');
  let key: string;
  let alg: string;
  if (values.secret) {
    key = values.secret;
    alg = values.alg ?? 'HS256';
  } else {
    if (!values.key) throw new Error('--key or --secret is required');
    key = readFileSync(values.key, 'utf8');
    const k = createPrivateKey(key);
    const curve = k.asymmetricKeyDetails?.namedCurve;
    alg =
      values.alg ??
      (k.asymmetricKeyType === 'ec'
        ? curve === 'secp384r1'
          ? 'ES384'
          : curve === 'secp521r1'
            ? 'ES512'
            : 'ES256'
        : 'RS256');
  }
  const claims: Record<string, unknown> = {
    roles: values.roles
      .split(',')
      .map((r) => r.trim())
      .filter((r) => r !== ''),
  };
  if (values.project) claims.project_id = values.project;
  if (values['project-name']) claims.project_name = values['project-name'];
  if (values['project-domain']) claims.project_domain_id = values['project-domain'];
  if (values['user-domain']) claims.user_domain_id = values['user-domain'];
  if (values.domain) claims.domain_id = values.domain;
  if (values.domain && (values.project || values['system-scope']))
    throw new Error('--domain makes a domain-scoped token: it goes with neither --project nor --system-scope');
  if (values['system-scope']) claims.system_scope = values['system-scope'];
  // jsonwebtoken refuses undefined option values, so only the given ones are passed.
  const options: jsonwebtoken.SignOptions = { algorithm: alg as Algorithm, subject: values.sub, expiresIn };
  if (values.issuer) options.issuer = values.issuer;
  if (values.audience) options.audience = values.audience;
  const token = jsonwebtoken.sign(claims, key, options);
  process.stdout.write(`${token}\n`);
}

try {
  main(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`mint-token: ${(err as Error).message}\n`);
  process.exit(2);
}
