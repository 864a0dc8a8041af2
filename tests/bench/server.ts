/**
 * Server processes for the benchmark: a built entry run the way `deno task start` runs it, and
 * the bare `Deno.serve` baseline. Unlike `tests/support/stack.ts`, this keeps the process id (for
 * its peak RSS) and times start-up to the first good answer finely enough for a cold start.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { spawnDeno } from "../support/built_server.ts";
import { PROJECT_ROOT } from "./build.ts";
import { round } from "./numbers.ts";

/** A running server process. */
export interface ServerProcess extends AsyncDisposable {
  readonly pid: number;
  readonly url: URL;
  /** Everything it printed so far. */
  output(): string;
}

const BASELINE = fileURLToPath(new URL("./baseline_server.ts", import.meta.url));
const POLL_INTERVAL_MS = 2;
const START_TIMEOUT_MS = 15_000;

/**
 * Starts a built `server/entry.mjs` on `port`, with only `env` and the start task's permissions.
 */
export function spawnBuiltServer(
  entry: string,
  port: number,
  env: Record<string, string>,
): ServerProcess {
  return spawn(
    // `--config`: the entry is outside the project, see `build.ts`.
    ["run", "--config", `${PROJECT_ROOT}deno.json`, "--allow-net", "--allow-read", "--allow-env"],
    entry,
    port,
    env,
  );
}

/** Starts the bare `Deno.serve` baseline on `port`, answering every request with `body`. */
export function spawnBaseline(port: number, body: string): ServerProcess {
  return spawn(["run", "--allow-net", "--allow-env"], BASELINE, port, { BASELINE_BODY: body });
}

function spawn(
  denoArgs: string[],
  script: string,
  port: number,
  env: Record<string, string>,
): ServerProcess {
  const process = spawnDeno([...denoArgs, script], port, env);
  return {
    pid: process.pid,
    url: new URL(`http://127.0.0.1:${port}`),
    output: process.logs,
    async [Symbol.asyncDispose]() {
      await process.stop();
    },
  };
}

/**
 * Polls `url` every few milliseconds until it answers 200; resolves with the body. A connection
 * refused costs well under a millisecond on loopback, so the poll adds at most ~2 ms to a cold
 * start, the same for both builds compared.
 */
export async function waitForOk(
  server: ServerProcess,
  path: string,
  headers: HeadersInit = {},
): Promise<string> {
  const deadline = performance.now() + START_TIMEOUT_MS;
  let last = "no answer";
  while (performance.now() < deadline) {
    try {
      const response = await fetch(new URL(path, server.url), { headers, redirect: "manual" });
      const body = await response.text();
      if (response.status === 200) return body;
      last = `status ${response.status}`;
    } catch { /* not listening yet */ }
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
  throw new Error(`${path} did not answer 200 (${last}); server output:\n${server.output()}`);
}

/** Peak and current resident memory of `pid` in MiB, from `/proc` (Linux); null elsewhere. */
export function readMemory(pid: number): { peakRssMiB: number; rssMiB: number } | null {
  let status: string;
  try {
    status = Deno.readTextFileSync(`/proc/${pid}/status`);
  } catch {
    return null;
  }
  const kib = (field: string) =>
    Number(status.match(new RegExp(`^${field}:\\s+(\\d+) kB`, "m"))?.[1]);
  return { peakRssMiB: round(kib("VmHWM") / 1024, 1), rssMiB: round(kib("VmRSS") / 1024, 1) };
}

/**
 * CPU time `pid` has used so far, all threads, in seconds (Linux `/proc`; null elsewhere). Unlike
 * throughput, CPU per request barely moves when other work shares the machine.
 */
export function readCpuSeconds(pid: number): number | null {
  let stat: string;
  try {
    stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  } catch {
    return null;
  }
  // Fields after the parenthesised command name; utime and stime are the 14th and 15th overall,
  // in clock ticks of 1/100 s (USER_HZ, fixed at 100 on Linux).
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
