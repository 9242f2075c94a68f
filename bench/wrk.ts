/**
 * Load from wrk (Debian's `wrk`, a C load generator; test/support/install-system-packages.sh
 * installs it): a fixed number of connections on 2 threads for a fixed time, cycling through
 * the given GET paths. Used where the side under test may outrun a Node load generator (the
 * gateway's `GET /v1` at several thousand requests a second): autocannon in the bench's own
 * process would then measure itself. Each wrk thread cycles the paths in turn, so concurrent
 * requests of a round robin name different objects.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface WrkFigure {
  rps: number;
  /** median latency, ms */
  p50: number;
  /** answers other than the request's expected status, and requests with no answer */
  unexpected: number;
  /** how many of each unexpected status (`timeout`, `error` for no answer) */
  statuses: Record<string, number>;
}

const luaString = (s: string): string => JSON.stringify(s);

/** The wrk script: the paths in turn, the headers; counts statuses; prints one JSON line at the end. */
export function wrkScript(paths: string[], headers: Record<string, string>): string {
  const headerTable = Object.entries(headers)
    .map(([k, v]) => `[${luaString(k)}] = ${luaString(v)}`)
    .join(', ');
  return `
local paths = { ${paths.map(luaString).join(', ')} }
local headers = { ${headerTable} }
local requests = {}
-- built per thread once wrk knows the host (wrk.format adds the Host header from it)
function init(args)
  for i, p in ipairs(paths) do requests[i] = wrk.format("GET", p, headers) end
end
local threads = {}
function setup(thread) table.insert(threads, thread) end
local i = 0
function request()
  i = i % #requests + 1
  return requests[i]
end
statuses = {}
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
function done(summary, latency, requests)
  local counts = {}
  for _, t in ipairs(threads) do
    local s = t:get("statuses")
    for code, n in pairs(s) do counts[tostring(code)] = (counts[tostring(code)] or 0) + n end
  end
  local parts = {}
  for code, n in pairs(counts) do table.insert(parts, string.format('"%s":%d', code, n)) end
  io.write(string.format('WRK {"requests":%d,"duration_us":%d,"p50_us":%d,"errors":%d,"timeouts":%d,"statuses":{%s}}\\n',
    summary.requests, summary.duration, latency:percentile(50),
    summary.errors.connect + summary.errors.read + summary.errors.write, summary.errors.timeout,
    table.concat(parts, ",")))
end
`;
}

/** Parses the script's last line into a figure, `status` being the answer every request should get. */
export function parseWrk(output: string, status: number): WrkFigure {
  const line = output.split('\n').find((l) => l.startsWith('WRK '));
  if (!line) throw new Error(`wrk printed no result:\n${output}`);
  const r = JSON.parse(line.slice(4)) as {
    requests: number;
    duration_us: number;
    p50_us: number;
    errors: number;
    timeouts: number;
    statuses: Record<string, number>;
  };
  const statuses: Record<string, number> = {};
  let unexpected = 0;
  for (const [code, n] of Object.entries(r.statuses)) {
    if (Number(code) === status) continue;
    statuses[code] = n;
    unexpected += n;
  }
  if (r.timeouts) statuses.timeout = r.timeouts;
  if (r.errors) statuses.error = r.errors;
  return {
    rps: r.requests / (r.duration_us / 1e6),
    p50: r.p50_us / 1000,
    unexpected: unexpected + r.errors + r.timeouts,
    statuses,
  };
}

/** Runs wrk against `base` for `seconds` with `connections` connections on 2 threads. */
export async function wrkLoad(
  base: string,
  paths: string[],
  opts: { connections: number; seconds: number; headers: Record<string, string>; status: number },
): Promise<WrkFigure> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-wrk-'));
  try {
    const script = join(dir, 'load.lua');
    writeFileSync(script, wrkScript(paths, opts.headers));
    const threads = Math.min(2, opts.connections);
    const output = await new Promise<string>((resolve, reject) =>
      execFile(
        'wrk',
        [
          '-t',
          String(threads),
          '-c',
          String(opts.connections),
          '-d',
          `${opts.seconds}s`,
          '--timeout',
          '30s',
          '-s',
          script,
          base,
        ],
        { maxBuffer: 1 << 20 },
        (err, stdout, stderr) => (err ? reject(new Error(`wrk: ${err.message}\n${stderr}`)) : resolve(stdout)),
      ),
    );
    return parseWrk(output, opts.status);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
