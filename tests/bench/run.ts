/**
 * `deno task bench`: builds the app, starts it against the local AuthKit stand-in, signs in for
 * real, and drives `/`, `/dashboard` and a bare `Deno.serve` over loopback with wrk, then floods
 * `/dashboard` with suffixed copies of the cookie (S42). Then the same page signed in and signed
 * out, and each component's cost (`pages.ts`), cold start against the build with auth cut out,
 * and memory with 100,000 distinct sessions.
 * Prints one table (stdout; progress goes to stderr) and writes `results/latest.json` and
 * `results/throughput.svg`.
 *
 * Options: `--rounds=10 --seconds=1 --cold-starts=5 --out=<dir>`. The defaults take about
 * three and a half minutes on 2 cores. How the routes are measured: `routes.ts` and `pages.ts`.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { startStandIn } from "../../packages/authkit-astro-deno/src/dev/standin/server.ts";
import { appEnv, freePort } from "../support/stack.ts";
import { buildVariant, PROJECT_ROOT } from "./build.ts";
import { measureColdStart } from "./cold_start.ts";
import { ensureWrk } from "./load.ts";
import {
  type BenchResult,
  checkTargets,
  formatJson,
  formatTable,
  type MemoryFigures,
  renderThroughputSvg,
} from "./report.ts";
import { BASELINE_RUNS, CONNECTIONS, measureRoutes } from "./routes.ts";
import { measurePages } from "./pages.ts";

const { values: flags } = parseArgs({
  args: Deno.args,
  options: {
    rounds: { type: "string", default: "10" },
    seconds: { type: "string", default: "1" },
    "cold-starts": { type: "string", default: "5" },
    out: { type: "string", default: new URL("./results/", import.meta.url).pathname },
  },
});
const rounds = Number(flags.rounds);
const seconds = Number(flags.seconds);
const coldStarts = Number(flags["cold-starts"]);

const progress = (message: string) => console.error(`bench: ${message}`);

const outDir = flags.out.replace(/\/$/, "");

await ensureWrk();
const workDir = await Deno.makeTempDir({ prefix: "authkit-bench-" });
// The app under load gets this port; the stand-in only lets sign-in come back to it.
const appUrl = new URL(`http://127.0.0.1:${freePort()}`);
const standIn = await startStandIn({
  apiKey: "sk_test_stack_key",
  clientId: "client_stack",
  redirectUris: [new URL("/auth/callback", appUrl).href],
  quiet: true,
});
try {
  progress("building the app and the auth-off variant; measuring 100,000 sessions meanwhile");
  // Heap size, unlike time, is not disturbed by the builds running beside it.
  const memory = measureSessionMemory();
  await buildVariant(`${workDir}/app`, "app");
  await buildVariant(`${workDir}/no-auth`, "no-auth");
  const appEntry = `${workDir}/app/server/entry.mjs`;
  const noAuthEntry = `${workDir}/no-auth/server/entry.mjs`;
  const load = await measureRoutes(standIn, { app: appEntry, noAuth: noAuthEntry }, appUrl, {
    rounds,
    seconds,
    progress,
  });
  progress(`cold start, ${coldStarts} starts of each build`);
  const coldStart = await measureColdStart(standIn, {
    appEntry,
    noAuthEntry,
    cookie: load.cookie,
    starts: coldStarts,
  });
  // After the cold start, which reuses the load's session: the page phase signs in afresh.
  const pages = await measurePages(
    { app: appEntry, noAuth: noAuthEntry },
    appUrl,
    appEnv(standIn, appUrl),
    { rounds, seconds, progress },
  );

  const partial: Omit<BenchResult, "targetsMet"> = {
    date: new Date().toISOString().slice(0, 10),
    machine: {
      cores: navigator.hardwareConcurrency,
      os: Deno.build.os,
      deno: Deno.version.deno,
      loadTool: await wrkVersion(),
    },
    settings: {
      rounds,
      secondsPerRound: seconds,
      baselineRuns: BASELINE_RUNS,
      connections: CONNECTIONS,
    },
    routes: load.routes,
    ratiosToLanding: load.ratios,
    authOverhead: load.authOverhead,
    upstreamRequestsAfterSignIn: load.upstream,
    sharedState: load.sharedState,
    serverPeakRssMiB: load.peakRssMiB,
    flood: load.flood,
    pages,
    coldStart,
    memory: await memory,
  };
  const result: BenchResult = { ...partial, targetsMet: checkTargets(partial) };
  await Deno.mkdir(outDir, { recursive: true });
  await Deno.writeTextFile(`${outDir}/latest.json`, formatJson(result));
  await Deno.writeTextFile(`${outDir}/throughput.svg`, renderThroughputSvg(result));
  await formatFiles(`${outDir}/latest.json`, `${outDir}/throughput.svg`);
  console.log(formatTable(result));
  progress(`wrote ${outDir}/latest.json and ${outDir}/throughput.svg`);
} finally {
  await standIn.close();
  await Deno.remove(workDir, { recursive: true });
}

async function measureSessionMemory(): Promise<MemoryFigures> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--v8-flags=--expose-gc", `${PROJECT_ROOT}tests/bench/memory.ts`],
    cwd: PROJECT_ROOT,
  }).output();
  const text = new TextDecoder().decode(code === 0 ? stdout : stderr);
  if (code !== 0) throw new Error(`memory.ts failed:\n${text}`);
  return JSON.parse(text);
}

/** `deno fmt` formats JSON and SVG too: leave the committed files as `deno fmt --check` wants. */
async function formatFiles(...paths: string[]): Promise<void> {
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--quiet", ...paths],
    cwd: PROJECT_ROOT,
  }).output();
  if (code !== 0) throw new Error(`deno fmt failed:\n${new TextDecoder().decode(stderr)}`);
}

async function wrkVersion(): Promise<string> {
  const { stdout } = await new Deno.Command("wrk", { args: ["--version"] }).output();
  const version = new TextDecoder().decode(stdout).match(/wrk (\S+)/)?.[1] ?? "unknown";
  return `wrk ${version}`;
}
