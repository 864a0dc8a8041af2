/**
 * The benchmark's outputs: one table for the terminal (Markdown, so it pastes into the README),
 * the same figures as JSON, and a bar chart of throughput per route as SVG. The files are
 * committed, so their format is fixed: keys in a set order, rounded numbers, integer geometry.
 *
 * @module
 */
import type { FloodResult } from "../support/flood.ts";
import type { ColdStart } from "./cold_start.ts";
import type { PageFigures, Spread } from "./pages.ts";
import { round } from "./numbers.ts";

/** Median figures of one route over the rounds. */
export interface RouteFigures {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** The server process's CPU time per request (all threads); null off Linux. */
  cpuUsPerRequest: number | null;
  /** Summed over the rounds. */
  requests: number;
  errors: number;
}

/** What `memory.ts` prints. */
export interface MemoryFigures {
  sessions: number;
  cacheBound: number;
  cacheSize: number;
  heapGrowthAtBoundMiB: number;
  heapGrowthAfterAllMiB: number;
  bytesPerEntry: number;
}

/** Everything one run measured. */
export interface BenchResult {
  date: string;
  machine: { cores: number; os: string; deno: string; loadTool: string };
  settings: { rounds: number; secondsPerRound: number; baselineRuns: number; connections: number };
  routes: {
    landing: RouteFigures;
    dashboard: RouteFigures;
    /** The same page and cookie on the build with the auth middleware cut out. */
    dashboardNoAuth: RouteFigures;
    baseline: RouteFigures;
  };
  /** `/dashboard`'s: medians of the ratios within each round (back-to-back runs). */
  ratiosToLanding: {
    dashboardThroughput: number;
    /** The per-round ratios it is the median of: their spread is the measurement's noise. */
    dashboardThroughputByRound: number[];
    dashboardP99: number;
    /** The ratio of the medians: the baseline runs after the rounds. */
    baselineThroughput: number;
    /** Less sensitive than throughput to other work on the machine. */
    dashboardCpuPerRequest: number | null;
  };
  /** `/dashboard` with auth ÷ without, same page, same cookie: the auth layer's own cost. */
  authOverhead: { throughput: number; cpuPerRequest: number | null };
  upstreamRequestsAfterSignIn: Record<string, number>;
  /** Deno KV during the rounds: operations made for page views, and the background polls. */
  sharedState: { mode: string; pageViews: number; requestOps: number; polls: number };
  serverPeakRssMiB: number | null;
  /** S42: one valid cookie with distinct suffixes after `~`, after the load. */
  flood: FloodResult[];
  /** The same page signed in and out, and each component's cost (`pages.ts`). */
  pages: PageFigures;
  coldStart: ColdStart;
  memory: MemoryFigures;
  targetsMet: Record<Target, boolean>;
}

/** The issue's targets, in the order they are reported. */
export type Target =
  | "throughput"
  | "p99"
  | "upstream"
  | "kv"
  | "coldStart"
  | "memory"
  | "flood"
  | "signedIn"
  | "authState";

/** Whether each target of the issue is met by `result`. */
export function checkTargets(result: Omit<BenchResult, "targetsMet">): Record<Target, boolean> {
  const { ratiosToLanding: r, memory: m } = result;
  return {
    throughput: r.dashboardThroughput >= 0.85,
    p99: r.dashboardP99 <= 1.5,
    upstream: Object.values(result.upstreamRequestsAfterSignIn).every((count) => count === 0),
    kv: result.sharedState.mode === "kv" && result.sharedState.requestOps === 0,
    coldStart: result.coldStart.ratio <= 1.3,
    // Flat: 100,000 sessions cost no more than 10% over what the bound itself costs.
    memory: m.cacheSize <= m.cacheBound && m.heapGrowthAfterAllMiB <= m.heapGrowthAtBoundMiB * 1.1,
    // S42: at most 64 MiB of resident memory per 3,000 requests, and never a 5xx.
    flood: result.flood.every((f) =>
      f.rssGrowthMiB <= 64 && Object.keys(f.statuses).every((status) => Number(status) < 500)
    ),
    // The same page: a signed-in request costs at most 5% more server CPU than a signed-out one.
    signedIn: result.pages.signedInOverSignedOut.cpuPerRequest.median <= 1.05,
    // `<AuthState />` in a layout adds at most 5% to a page's server CPU.
    authState: authStateShare(result.pages) <= 0.05,
  };
}

const number = new Intl.NumberFormat("en-US");

function route(figures: RouteFigures): string {
  const { requestsPerSecond: rps, p50Ms, p99Ms, cpuUsPerRequest: cpu } = figures;
  return `${number.format(rps)} req/s · p50 ${p50Ms} ms · p99 ${p99Ms} ms · ` +
    `CPU ${cpu ?? "n/a"} µs/req`;
}

/** What `<AuthState />` adds to the bare page's server CPU, as a fraction of it. */
function authStateShare(pages: PageFigures): number {
  return pages.componentCpuUs["auth-state"].median / pages.bare.signedIn.cpuUs;
}

function ranged({ median, min, max }: Spread, unit: string): string {
  return `${median}${unit} (rounds ${min}–${max}${unit})`;
}

/** The component rows' labels, in the order of the table. */
const COMPONENT_LABELS: Record<keyof PageFigures["componentCpuUs"], string> = {
  "signed-in-out": "`<SignedIn>` + `<SignedOut>`",
  "user-button": "`<UserButton>`",
  "switcher-2": "`<OrganizationSwitcher>`, 2 organizations",
  "switcher-20": "`<OrganizationSwitcher>`, 20 organizations",
  "impersonation-banner": "`<ImpersonationBanner>` (impersonated)",
  protect: "`<Protect permission>` with a fallback",
  "auth-state": "`<AuthState />` (the session's public state as JSON)",
};

function met(ok: boolean): string {
  return ok ? "yes" : "**NO**";
}

/** The one table: every figure, its target and whether it is met. */
export function formatTable(result: BenchResult): string {
  const { routes, ratiosToLanding: r, coldStart: c, memory: m, targetsMet: t, pages: p } = result;
  const upstream = Object.entries(result.upstreamRequestsAfterSignIn);
  const upstreamTotal = upstream.reduce((sum, [, count]) => sum + count, 0);
  const rows = [
    ["`/` signed out", route(routes.landing), "", ""],
    ["`/dashboard` signed in", route(routes.dashboard), "", ""],
    ["`/dashboard`, same cookie, auth cut out", route(routes.dashboardNoAuth), "", ""],
    ["bare `Deno.serve`", route(routes.baseline), "", ""],
    [
      "`/dashboard` ÷ `/` req/s",
      `${r.dashboardThroughput}× (rounds ${Math.min(...r.dashboardThroughputByRound)}–` +
      `${Math.max(...r.dashboardThroughputByRound)}×)`,
      "≥ 0.85×",
      met(t.throughput),
    ],
    ["`/dashboard` ÷ `/` p99", `${r.dashboardP99}×`, "≤ 1.5×", met(t.p99)],
    ["`/dashboard` ÷ `/` server CPU per request", `${r.dashboardCpuPerRequest ?? "n/a"}×`, "", ""],
    [
      "`/dashboard` auth on ÷ auth off (the auth layer's cost) req/s, CPU per request",
      `${result.authOverhead.throughput}×, ${result.authOverhead.cpuPerRequest ?? "n/a"}×`,
      "",
      "",
    ],
    ["`Deno.serve` ÷ `/` req/s", `${r.baselineThroughput}×`, "", ""],
    [
      "Same page (`/__bench/bare`) signed in ÷ signed out, server CPU per request",
      `${ranged(p.signedInOverSignedOut.cpuPerRequest, "×")}; ${p.bare.signedIn.cpuUs} vs ` +
      `${p.bare.signedOut.cpuUs} µs`,
      "≤ 1.05×",
      met(t.signedIn),
    ],
    [
      "Same page, auth cut out, with the session cookie ÷ without (receiving the cookie alone)",
      `${ranged(p.cookieOnlyCpuPerRequest, "×")} server CPU per request`,
      "",
      "",
    ],
    [
      "Same page, server CPU a signed-in request adds: in all, and the cookie alone (auth cut out)",
      `${ranged(p.signedInExtraCpuUs.total, " µs")}; ${
        ranged(p.signedInExtraCpuUs.cookieOnly, " µs")
      }`,
      "",
      "",
    ],
    [
      "Same page signed in ÷ signed out, req/s",
      ranged(p.signedInOverSignedOut.requestsPerSecond, "×"),
      "",
      "",
    ],
    [
      "`<AuthState />` ÷ the bare page's server CPU",
      `+${round(authStateShare(p) * 100, 1)}%`,
      "≤ +5%",
      met(t.authState),
    ],
    [
      "Prerendered page with a `<UserButton server:defer>` island, signed in: page, island",
      `${number.format(p.prerendered.page.requestsPerSecond)} req/s (CPU ` +
      `${p.prerendered.page.cpuUs} µs/req), ${
        number.format(p.prerendered.island.requestsPerSecond)
      } req/s (CPU ${p.prerendered.island.cpuUs} µs/req)`,
      "",
      "",
    ],
    [
      "The same `<UserButton>` on a server-rendered page, signed in",
      `${number.format(p.prerendered.serverRendered.requestsPerSecond)} req/s (CPU ` +
      `${p.prerendered.serverRendered.cpuUs} µs/req)`,
      "",
      "",
    ],
    ...Object.entries(COMPONENT_LABELS).map(([fixture, label]) => [
      `${label}: server CPU per render over the bare page, signed in`,
      ranged(p.componentCpuUs[fixture as keyof typeof COMPONENT_LABELS], " µs"),
      "",
      "",
    ]),
    [
      "Upstream requests after sign-in (warm-up + load)",
      `${upstreamTotal} (${upstream.map(([name, count]) => `${name} ${count}`).join(", ")})`,
      "0",
      met(t.upstream),
    ],
    [
      "Deno KV calls per page view during the rounds",
      `${result.sharedState.requestOps / result.sharedState.pageViews} ` +
      `(${result.sharedState.requestOps} in ${
        number.format(result.sharedState.pageViews)
      } views; ` +
      `mode ${result.sharedState.mode}; ${result.sharedState.polls} background revocation polls)`,
      "0",
      met(t.kv),
    ],
    ["Server peak RSS (VmHWM)", `${result.serverPeakRssMiB ?? "n/a"} MiB`, "", ""],
    ...result.flood.map((f) => [
      `S42 flood: ${number.format(f.requests)} × one cookie + distinct ` +
      `${number.format(f.suffixBytes / 1000)} KB suffix`,
      `RSS ${f.rssGrowthMiB >= 0 ? "+" : ""}${f.rssGrowthMiB} MiB (${f.rssBeforeMiB} → ` +
      `${f.rssAfterMiB}); statuses ${
        Object.entries(f.statuses).map(([status, count]) => `${status}×${count}`).join(", ")
      }`,
      "≤ +64 MiB, no 5xx",
      met(t.flood),
    ]),
    [
      "Cold start to first signed-in 200",
      `${c.appMs} ms vs ${c.noAuthMs} ms auth off = ${c.ratio}× (JWKS ${c.jwksFetchesPerStart}/start)`,
      "≤ 1.3×",
      met(t.coldStart),
    ],
    [
      `${number.format(m.sessions)} distinct sessions`,
      `cache ${number.format(m.cacheSize)}/${number.format(m.cacheBound)}, heap ` +
      `+${m.heapGrowthAtBoundMiB} MiB at bound, +${m.heapGrowthAfterAllMiB} MiB after all`,
      "bounded",
      met(t.memory),
    ],
  ];
  const { machine: h, settings: s } = result;
  return [
    `Machine: ${h.cores} cores, ${h.os}, Deno ${h.deno}; load: ${h.loadTool}, ` +
    `${s.connections} connections, ${s.rounds} rounds × ${s.secondsPerRound} s per app route ` +
    `(baseline ${s.baselineRuns} runs); figures are medians over runs, \`/dashboard\` ratios ` +
    "medians of the per-round ratios",
    "",
    "| Figure | Value | Target | Met |",
    "| --- | --- | --- | --- |",
    ...rows.map((cells) => `| ${cells.join(" | ")} |`),
  ].join("\n");
}

/** The JSON file: the result with a trailing newline (stable key order comes from `run.ts`). */
export function formatJson(result: BenchResult): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}

const BAR_LEFT = 200;
const BAR_MAX_WIDTH = 340;

/**
 * A horizontal bar chart of requests/s per route. The scale is set by the app's routes, the
 * comparisons that matter; the bare `Deno.serve` bar, an order of magnitude longer, is drawn
 * broken (a white gap) at full width with its value written out.
 */
export function renderThroughputSvg(result: BenchResult): string {
  const bars: [string, number][] = [
    ["/ (signed out)", result.routes.landing.requestsPerSecond],
    ["/dashboard (signed in)", result.routes.dashboard.requestsPerSecond],
    ["/dashboard (auth cut out)", result.routes.dashboardNoAuth.requestsPerSecond],
    ["bench page, signed out", result.pages.bare.signedOut.requestsPerSecond],
    ["bench page, signed in", result.pages.bare.signedIn.requestsPerSecond],
    ["bare Deno.serve", result.routes.baseline.requestsPerSecond],
  ];
  const app = bars.slice(0, -1).map(([, value]) => value);
  const scale = Math.max(...app, 1) * 1.1;
  const height = 50 + bars.length * 36 + 68;
  const lines = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="640" height="${height}" ` +
    `viewBox="0 0 640 ${height}" font-family="system-ui, sans-serif" font-size="13">`,
    `<title>Throughput per route, requests per second</title>`,
    `<rect width="640" height="${height}" fill="#ffffff"/>`,
    `<text x="16" y="28" font-size="15" font-weight="600">` +
    `Throughput per route (requests/s, higher is better)</text>`,
  ];
  bars.forEach(([label, value], index) => {
    const y = 46 + index * 36;
    const broken = value > scale;
    const width = broken ? BAR_MAX_WIDTH : Math.max(1, Math.round((value / scale) * BAR_MAX_WIDTH));
    lines.push(
      `<text x="16" y="${y + 17}">${label}</text>`,
      `<rect x="${BAR_LEFT}" y="${y}" width="${width}" height="24" ` +
        `fill="${broken ? "#9ca3af" : "#4f46e5"}"/>`,
    );
    if (broken) {
      const x = BAR_LEFT + BAR_MAX_WIDTH - 40;
      lines.push(`<path d="M${x} ${y - 2}l8 28h6l-8-28z" fill="#ffffff"/>`);
    }
    lines.push(`<text x="${BAR_LEFT + width + 8}" y="${y + 17}">${number.format(value)}</text>`);
  });
  const { machine: h, ratiosToLanding: r } = result;
  lines.push(
    `<text x="16" y="${height - 52}" fill="#5b6170">/dashboard ÷ / = ${r.dashboardThroughput}× · ` +
      `auth on ÷ auth off = ${result.authOverhead.throughput}×</text>`,
    `<text x="16" y="${height - 32}" fill="#5b6170">bench page signed in ÷ signed out: ` +
      `${result.pages.signedInOverSignedOut.requestsPerSecond.median}× req/s, ` +
      `${result.pages.signedInOverSignedOut.cpuPerRequest.median}× CPU per request</text>`,
    `<text x="16" y="${height - 12}" fill="#5b6170">` +
      `wrk over loopback, ${h.cores} cores, Deno ${h.deno}, ${result.date}</text>`,
    "</svg>",
  );
  return `${lines.join("\n")}\n`;
}
