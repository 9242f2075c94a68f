/**
 * The `ironic-gateway` command line: `serve` (default) runs the gateway, `simulator` runs a
 * standalone simulated conductor. Settings come from IRONIC_GATEWAY_* variables and matching
 * flags. (The OpenAPI document is written by `npm run openapi`, src/tools/openapi.ts.)
 */
import { ConfigError, SETTINGS, envName, flagName, loadConfig, parseFlags, type Config } from './config.ts';
import type { Server } from 'node:net';
import { createGateway } from './gateway.ts';
import { runSimulatorCommand } from './simulator/cli.ts';
import { checkAuthConfig } from './http/auth/index.ts';

const USAGE = `usage: ironic-gateway [serve] [--setting value …]

Commands:
  serve      run the gateway (default)
  simulator  run a standalone simulated conductor on --transport-url (rabbit://…)
  help       this text

Settings (environment variable / flag):
${SETTINGS.map((s) => `  ${flagName(s.key).padEnd(30)} ${envName(s.key).padEnd(42)} ${s.description}`).join('\n')}
`;

/**
 * Refuses settings that are valid one by one but unsafe together: noauth on a non-loopback
 * address, a jwt/http_basic/policy/CORS setting that cannot work (src/http/auth).
 */
export function checkSafety(config: Config): void {
  checkAuthConfig(config);
}

/** How long a stopping gateway answers 503 before it stops listening, at most (see serve). */
const DRAIN_MS = 2000;

/** Resolves once `server` has no open connection, or after `ms`. */
async function connectionsClosed(server: Server, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const open = await new Promise<number>((resolve) => server.getConnections((err, n) => resolve(err ? 0 : n)));
    if (open === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function serve(config: Config): Promise<void> {
  checkSafety(config);
  const gateway = await createGateway(config);
  // SIGTERM/SIGINT: answer 503 (Retry-After, Connection: close) while still listening, for up
  // to DRAIN_MS or until no connection is left, so that requests already sent on open
  // connections get an answer a client can retry instead of a reset; then stop listening,
  // let the requests in flight finish, and close the transport. A shutdown that cannot finish
  // (a call that never ends) is cut off after the RPC timeout.
  const stop = async (signal: string) => {
    const log = gateway.app.log;
    log.info({ signal }, 'shutting down');
    const limitS = config.rpc_response_timeout + 5;
    setTimeout(() => {
      log.error({ seconds: limitS }, 'shutdown did not finish in time; exiting');
      process.exit(1);
    }, limitS * 1000).unref();
    gateway.app.drain();
    await connectionsClosed(gateway.app.server, DRAIN_MS);
    await gateway.close();
    log.info({ signal }, 'stopped');
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  // A stray rejection (a library callback after a broker loss) must not take every client's
  // requests down with it: log it loudly and keep serving.
  process.on('unhandledRejection', (err) => gateway.app.log.error({ err }, 'unhandled promise rejection'));
  await gateway.app.listen({ host: config.host, port: config.port });
}

async function main(argv: string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h') || argv[0] === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  const { values, rest } = parseFlags(argv);
  const command = rest[0] ?? 'serve';
  const config = loadConfig({ flags: values });
  switch (command) {
    case 'serve':
      return serve(config);
    case 'simulator':
      await runSimulatorCommand(config);
      return;
    default:
      throw new ConfigError(`unknown command ${JSON.stringify(command)}; run with --help`);
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`ironic-gateway: ${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(
    `ironic-gateway: failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
