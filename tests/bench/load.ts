/**
 * Load over loopback with `wrk` (Debian package `wrk`, 4.x): a C load generator whose own cost per
 * request is far below the server's, so the figures describe the server. One thread and 16
 * connections: on a 2-core machine the server gets one core and wrk the other.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { round } from "./numbers.ts";

/** One route's figures. */
export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  /** Average bytes per response (headers included): tells a 200 page from a redirect. */
  bytesPerResponse: number;
  /** Socket errors plus responses with status ≥ 400. */
  errors: number;
}

/** How to drive one route. */
export interface LoadOptions {
  seconds: number;
  headers?: Record<string, string>;
  connections?: number;
}

const REPORT_SCRIPT = fileURLToPath(new URL("./wrk_report.lua", import.meta.url));

/** Whether `wrk` can be run. */
async function hasWrk(): Promise<boolean> {
  try {
    await new Deno.Command("wrk", { args: ["--version"], stdout: "null", stderr: "null" }).output();
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/** Makes sure `wrk` is installed, installing the Debian package with apt-get if it is not. */
export async function ensureWrk(): Promise<void> {
  if (await hasWrk()) return;
  console.error("bench: wrk is not installed: installing the Debian package with apt-get…");
  const sudo = Deno.uid() === 0 ? [] : ["sudo"];
  for (const args of [["update", "-qq"], ["install", "-y", "-qq", "wrk"]]) {
    const [command, ...rest] = [...sudo, "apt-get", ...args];
    let ok = false;
    try {
      ok = (await new Deno.Command(command, { args: rest }).output()).code === 0;
    } catch { /* no apt-get (or sudo) on this machine */ }
    if (!ok) throw new Error(`"apt-get ${args.join(" ")}" failed: install wrk, then run again`);
  }
  if (!(await hasWrk())) throw new Error("wrk is still not runnable after apt-get install");
}

/** Drives `url` for `options.seconds` and returns wrk's figures. */
export async function measure(url: URL, options: LoadOptions): Promise<LoadResult> {
  const headerArgs = Object.entries(options.headers ?? {}).flatMap((
    [name, value],
  ) => ["-H", `${name}: ${value}`]);
  const connections = options.connections ?? 16;
  const { code, stdout, stderr } = await new Deno.Command("wrk", {
    args: [
      "-t1",
      `-c${connections}`,
      `-d${options.seconds}s`,
      "--timeout",
      "5s",
      "-s",
      REPORT_SCRIPT,
      ...headerArgs,
      url.href,
    ],
  }).output();
  const text = new TextDecoder().decode(stdout);
  const line = text.split("\n").find((l) => l.startsWith("BENCH_JSON "));
  if (code !== 0 || !line) {
    throw new Error(`wrk failed on ${url.href}:\n${text}${new TextDecoder().decode(stderr)}`);
  }
  const raw = JSON.parse(line.slice("BENCH_JSON ".length));
  return {
    requestsPerSecond: round(raw.requests / (raw.durationUs / 1e6)),
    p50Ms: round(raw.p50Us / 1000, 2),
    p99Ms: round(raw.p99Us / 1000, 2),
    requests: raw.requests,
    bytesPerResponse: round(raw.bytes / Math.max(raw.requests, 1)),
    errors: raw.errors + raw.badStatus,
  };
}
