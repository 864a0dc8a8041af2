/**
 * The load phase of `deno task bench`. `/` and `/dashboard` are measured in many short rounds,
 * back to back (swapping which goes first); each figure is a median over rounds, and each
 * `/dashboard` ratio the median of the per-round ratios. On a shared machine a burst of other
 * work then skews a round or two of both routes alike, instead of all of one route. The
 * baseline runs afterwards.
 *
 * @module
 */
import { type StandIn } from "../../packages/authkit-astro-deno/src/dev/standin/server.ts";
import { CookieJar, signIn } from "../support/http_client.ts";
import { type FloodResult, floodWithSuffixes } from "../support/flood.ts";
import { appEnv, freePort, type Stack } from "../support/stack.ts";
import { type LoadResult, measure } from "./load.ts";
import { median, round } from "./numbers.ts";
import type { RouteFigures } from "./report.ts";
import {
  readCpuSeconds,
  readMemory,
  spawnBaseline,
  spawnBuiltServer,
  waitForOk,
} from "./server.ts";

/** The S42 flood: this many requests, each suffix size in turn. */
const FLOOD_REQUESTS = 3_000;
const FLOOD_SUFFIX_BYTES = [30_000, 2_000];
/** wrk's connections: 16, as in the notes' reference figures for this machine. */
export const CONNECTIONS = 16;
/** Runs of the baseline, after the rounds. */
export const BASELINE_RUNS = 3;
const WARM_UP_SECONDS = 2;
const ADA = "user_01ADA000000000000000000000";
type Route = "landing" | "dashboard" | "dashboardNoAuth" | "baseline";
/** The app routes, in the order of each round; rotated by one every round. */
const APP_ROUTES: Route[] = ["landing", "dashboard", "dashboardNoAuth"];

/** How to drive the routes; `progress` reports each step. */
export interface RouteOptions {
  rounds: number;
  seconds: number;
  progress: (message: string) => void;
}

/**
 * Runs the built app at `appUrl`, signs in through `standIn`, and measures `/`, `/dashboard`, the
 * same `/dashboard` with the same cookie on the auth-off build (`noAuthEntry`: what the auth layer
 * itself costs), and the baseline. Returns the figures, the ratios, the signed-in cookie and what
 * the stand-in saw.
 */
export async function measureRoutes(
  standIn: StandIn,
  entries: { app: string; noAuth: string },
  appUrl: URL,
  { rounds, seconds, progress }: RouteOptions,
) {
  await using app = spawnBuiltServer(entries.app, Number(appUrl.port), appEnv(standIn, appUrl));
  await waitForOk(app, "/healthz");
  await using noAuth = spawnBuiltServer(entries.noAuth, freePort(), appEnv(standIn, appUrl));
  await waitForOk(noAuth, "/healthz");
  const jar = new CookieJar();
  // signIn only reads the stack's `appUrl`.
  await signIn({ appUrl } as Stack, jar, { userId: ADA });
  const cookie = jar.header();
  const html = { accept: "text/html" };
  const landingBody = await waitForOk(app, "/", html);
  const dashboardBody = await waitForOk(app, "/dashboard", { ...html, cookie });
  if (!dashboardBody.includes("Hello Ada Lovelace!")) throw new Error("Sign-in did not work");
  // Signing in talks to WorkOS, and so does the first signed-in page view: it lists the user's
  // organizations for the switcher (cached 60 s, longer than the load). From here on, nothing
  // should.
  standIn.resetCounts();
  await waitForOk(noAuth, "/dashboard", { ...html, cookie });
  await using baseline = spawnBaseline(freePort(), landingBody);
  await waitForOk(baseline, "/");

  const targets: Record<Route, [URL, Record<string, string>, number]> = {
    landing: [new URL("/", appUrl), html, app.pid],
    dashboard: [new URL("/dashboard", appUrl), { ...html, cookie }, app.pid],
    dashboardNoAuth: [new URL("/dashboard", noAuth.url), { ...html, cookie }, noAuth.pid],
    baseline: [baseline.url, {}, baseline.pid],
  };
  progress(`warming up for ${WARM_UP_SECONDS} s per route`);
  for (const route of [...APP_ROUTES, "baseline"] as const) {
    const [url, headers] = targets[route];
    await measure(url, { seconds: WARM_UP_SECONDS, headers, connections: CONNECTIONS });
  }
  const kvBefore = await readSharedStateOps(appUrl);
  const results: Record<Route, Run[]> = {
    landing: [],
    dashboard: [],
    dashboardNoAuth: [],
    baseline: [],
  };
  const run = async (route: Route) => {
    const [url, headers, pid] = targets[route];
    const cpuBefore = readCpuSeconds(pid);
    const result = await measure(url, { seconds, headers, connections: CONNECTIONS });
    const cpu = (readCpuSeconds(pid) ?? NaN) - (cpuBefore ?? NaN);
    results[route].push({ ...result, cpuUsPerRequest: (cpu * 1e6) / result.requests });
  };
  // The app is kept busy from run to run: here, a server that sat idle while another one was
  // measured ran its next second measurably slower, a penalty that would fall on one route.
  for (let r = 0; r < rounds; r++) {
    progress(`round ${r + 1}/${rounds}: ${seconds} s per app route`);
    const order = APP_ROUTES.map((_, i) => APP_ROUTES[(i + r) % APP_ROUTES.length]);
    for (const route of order) await run(route);
  }
  const kvAfter = await readSharedStateOps(appUrl);
  progress(`baseline: ${BASELINE_RUNS} × ${seconds} s`);
  for (let r = 0; r < BASELINE_RUNS; r++) await run("baseline");
  // A redirect or error page would be far smaller than the signed-in page: catch it here.
  if (results.dashboard.some((r) => r.bytesPerResponse < dashboardBody.length)) {
    throw new Error("/dashboard answered something other than the signed-in page under load");
  }
  const upstream = standIn.counts();
  const peakRssMiB = readMemory(app.pid)?.peakRssMiB ?? null;
  // After the load, so the heap is already sized for it: what the flood itself leaves behind.
  progress(`S42 flood: ${FLOOD_REQUESTS} requests with distinct cookie suffixes, 30 KB then 2 KB`);
  const flood: FloodResult[] = [];
  for (const suffixBytes of FLOOD_SUFFIX_BYTES) {
    flood.push(
      await floodWithSuffixes(targets.dashboard[0], app.pid, {
        seal: jar.get("wos-session")!,
        requests: FLOOD_REQUESTS,
        suffixBytes,
      }),
    );
  }
  const signedIn = await waitForOk(app, "/dashboard", { ...html, cookie });
  if (!signedIn.includes("Hello Ada Lovelace!")) throw new Error("The flood broke the session");
  return {
    cookie,
    routes: {
      landing: summarize(results.landing),
      dashboard: summarize(results.dashboard),
      dashboardNoAuth: summarize(results.dashboardNoAuth),
      baseline: summarize(results.baseline),
    },
    ratios: {
      dashboardThroughput: pairedRatio(results.dashboard, results.landing, "requestsPerSecond"),
      dashboardThroughputByRound: results.dashboard.map((run, r) =>
        round(run.requestsPerSecond / results.landing[r].requestsPerSecond, 2)
      ),
      dashboardP99: pairedRatio(results.dashboard, results.landing, "p99Ms"),
      baselineThroughput: round(
        median(results.baseline.map((r) => r.requestsPerSecond)) /
          median(results.landing.map((r) => r.requestsPerSecond)),
        2,
      ),
      dashboardCpuPerRequest: nullIfNaN(
        pairedRatio(results.dashboard, results.landing, "cpuUsPerRequest"),
      ),
    },
    authOverhead: {
      throughput: pairedRatio(results.dashboard, results.dashboardNoAuth, "requestsPerSecond"),
      cpuPerRequest: nullIfNaN(
        pairedRatio(results.dashboard, results.dashboardNoAuth, "cpuUsPerRequest"),
      ),
    },
    upstream,
    sharedState: {
      mode: kvAfter.mode,
      pageViews: [...results.landing, ...results.dashboard].reduce((n, r) => n + r.requests, 0),
      requestOps: kvAfter.reads + kvAfter.writes - kvBefore.reads - kvBefore.writes,
      polls: kvAfter.polls - kvBefore.polls,
    },
    peakRssMiB,
    flood,
  };
}

/** One wrk run, and the server's CPU time per request during it (NaN off Linux). */
type Run = LoadResult & { cpuUsPerRequest: number };

function summarize(runs: Run[]): RouteFigures {
  const errors = runs.reduce((sum, run) => sum + run.errors, 0);
  if (errors > 0) throw new Error(`${errors} failed requests under load`);
  return {
    requestsPerSecond: round(median(runs.map((run) => run.requestsPerSecond))),
    p50Ms: round(median(runs.map((run) => run.p50Ms)), 2),
    p99Ms: round(median(runs.map((run) => run.p99Ms)), 2),
    cpuUsPerRequest: nullIfNaN(round(median(runs.map((run) => run.cpuUsPerRequest)))),
    requests: runs.reduce((sum, run) => sum + run.requests, 0),
    errors,
  };
}

function nullIfNaN(value: number): number | null {
  return Number.isNaN(value) ? null : value;
}

/** The median over rounds of `runs[r][field] / to[r][field]`: each ratio from one round. */
function pairedRatio(runs: Run[], to: Run[], field: keyof Run): number {
  return round(median(runs.map((run, r) => run[field] / to[r][field])), 2);
}

/** The app's shared-state mode and operation counts, from `/healthz`. */
async function readSharedStateOps(
  appUrl: URL,
): Promise<{ mode: string; reads: number; writes: number; polls: number }> {
  const response = await fetch(new URL("/healthz", appUrl));
  const { sharedState, sharedStateOps } = await response.json();
  return { mode: sharedState, ...sharedStateOps };
}
