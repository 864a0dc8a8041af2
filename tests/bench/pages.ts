/**
 * The page phase of `deno task bench`: what the auth layer costs a signed-in request, and what
 * each component costs to render. On the app's build (with the bench's component pages, see
 * `fixtures/`), in alternating rounds like `routes.ts`:
 *
 * - `/__bench/bare`, a landing-sized page that reads no auth state, signed out and signed in:
 *   the same page and body, so the difference is the cookie and the middleware's signed-in path
 *   (cookie reading, the verified-session lookup, the revocation check, the organization view,
 *   the headers). The two are measured back to back, taking turns going first. Each ratio is the
 *   median of the per-round ratios; the spread is their range.
 * - The same two requests on the build with the auth layer cut out (`build.ts`): there the
 *   cookie is carried but not read for auth, so their ratio is what the cookie's 2 KB cost the
 *   server to receive, the floor under the first ratio that no middleware change can remove. Both
 *   differences are also reported in µs per request.
 * - `/__bench/<component>` signed in: the component's cost is the server CPU per request over
 *   `bare`'s in the same round, as µs per render (median over rounds, and the range).
 *
 * @module
 */
import { type Fixture, FIXTURES } from "./fixtures/fixtures.ts";
import { measure } from "./load.ts";
import { median, round } from "./numbers.ts";
import { readCpuSeconds, type ServerProcess, spawnBuiltServer, waitForOk } from "./server.ts";
import { freePort, type Stack } from "../support/stack.ts";
import { CookieJar, signIn } from "../support/http_client.ts";
import { CONNECTIONS } from "./routes.ts";

/** A median over rounds and the range of the per-round values it came from. */
export interface Spread {
  median: number;
  min: number;
  max: number;
}

/** What `measurePages` returns. */
export interface PageFigures {
  /** `/__bench/bare` signed in ÷ signed out, per round. */
  signedInOverSignedOut: { cpuPerRequest: Spread; requestsPerSecond: Spread };
  /** The same, on the build with auth cut out: the cost of receiving the cookie alone. */
  cookieOnlyCpuPerRequest: Spread;
  /**
   * The same two differences in server CPU per request (µs): what a signed-in request costs
   * beyond a signed-out one, and what carrying the cookie costs a build without auth.
   */
  signedInExtraCpuUs: { total: Spread; cookieOnly: Spread };
  /** `bare` signed out and signed in: server CPU per request (µs) and requests/s, medians. */
  bare: Record<"signedOut" | "signedIn", { cpuUs: number; requestsPerSecond: number }>;
  /** Each component's server CPU per render over `bare`, signed in (µs). */
  componentCpuUs: Record<Exclude<Fixture, "bare">, Spread>;
  /**
   * The prerendered `/__bench/static` (a static file) and its `<UserButton server:defer>`
   * island, signed in, beside the server-rendered page with the same `<UserButton>`.
   */
  prerendered: {
    page: { cpuUs: number; requestsPerSecond: number };
    island: { cpuUs: number; requestsPerSecond: number };
    serverRendered: { cpuUs: number; requestsPerSecond: number };
  };
}

type Target =
  | "bareSignedOut"
  | Fixture
  | "noAuthSignedOut"
  | "noAuthSignedIn"
  | "staticPage"
  | "island";
/**
 * What a round measures, in order. The two halves of each ratio are measured back to back (first
 * one, then the other, alternately): a ratio of runs a round apart would carry the machine's
 * drift between them.
 */
const UNITS: Target[][] = [
  ["bareSignedOut", "bare"],
  ...FIXTURES.filter((f) => f !== "bare").map((f) => [f]),
  ["noAuthSignedOut", "noAuthSignedIn"],
  ["staticPage"],
  ["island"],
];
const TARGETS: Target[] = UNITS.flat();
const WARM_UP_SECONDS = 1;
/**
 * The rounds are split between this many pairs of fresh server processes: each start settles its
 * JIT and heap differently (the same build's signed-out page measured 197 and 228 µs per request
 * in two processes side by side), and one process's luck should not be the whole result.
 */
const PROCESS_GENERATIONS = 2;

/**
 * Starts the built app (`entries.app`) at `appUrl` and its auth-off build beside it, with `env`
 * (twice, see `PROCESS_GENERATIONS`), and measures the component pages for `rounds` rounds of
 * `seconds` each, signed in as the
 * stand-in's Ada with a session of each round's own: wrk drops the `Set-Cookie` of a refresh, so a
 * session older than its access token (5 minutes at the stand-in) would make every request a
 * cache miss. A fresh session's first request is the round's only miss.
 */
export async function measurePages(
  entries: { app: string; noAuth: string },
  appUrl: URL,
  env: Record<string, string>,
  { rounds, seconds, progress }: {
    rounds: number;
    seconds: number;
    progress: (message: string) => void;
  },
): Promise<PageFigures> {
  const html = { accept: "text/html" };
  const signedOut = (target: Target) => target === "bareSignedOut" || target === "noAuthSignedOut";
  let cookie = "";
  let servers: { app: ServerProcess; noAuth: ServerProcess } | undefined;
  const headersOf = (target: Target) => signedOut(target) ? html : { ...html, cookie };
  const serverOf = (target: Target) => target.startsWith("noAuth") ? servers!.noAuth : servers!.app;
  const pageOf = (target: Target) =>
    target === "bareSignedOut" || target.startsWith("noAuth") ? "bare" : target;
  let islandPath = "";
  const pathOf = (target: Target) =>
    target === "island"
      ? islandPath
      : `/__bench/${target === "staticPage" ? "static" : pageOf(target)}`;
  const urlOf = (target: Target) => new URL(pathOf(target), serverOf(target).url);

  const runs = Object.fromEntries(TARGETS.map((t) => [t, [] as Run[]])) as Record<Target, Run[]>;
  for (let generation = 0; generation < PROCESS_GENERATIONS; generation++) {
    await using app = spawnBuiltServer(entries.app, Number(appUrl.port), env);
    await waitForOk(app, "/healthz");
    await using noAuth = spawnBuiltServer(entries.noAuth, freePort(), env);
    await waitForOk(noAuth, "/healthz");
    servers = { app, noAuth };
    cookie = await signInAsAda(appUrl);
    islandPath = await checkPages(app, headersOf, pathOf);

    const processes = `server processes ${generation + 1}/${PROCESS_GENERATIONS}`;
    progress(`component pages, ${processes}: warming up for ${WARM_UP_SECONDS} s each`);
    for (const target of TARGETS) {
      await measure(urlOf(target), {
        seconds: WARM_UP_SECONDS,
        headers: headersOf(target),
        connections: CONNECTIONS,
      });
    }
    const first = Math.round((rounds * generation) / PROCESS_GENERATIONS);
    const last = Math.round((rounds * (generation + 1)) / PROCESS_GENERATIONS);
    for (let r = first; r < last; r++) {
      progress(`component pages, round ${r + 1}/${rounds}: ${seconds} s per page`);
      cookie = await signInAsAda(appUrl);
      // Rotated each round, so no page always follows the same one, and each pair's halves take
      // turns going first.
      const order = UNITS.map((_, i) => UNITS[(i + r) % UNITS.length])
        .flatMap((unit) => r % 2 === 0 ? unit : [...unit].reverse());
      for (const target of order) {
        const { pid } = serverOf(target);
        const cpuBefore = readCpuSeconds(pid) ?? NaN;
        const result = await measure(urlOf(target), {
          seconds,
          headers: headersOf(target),
          connections: CONNECTIONS,
        });
        if (result.errors > 0) throw new Error(`${result.errors} failed requests on ${target}`);
        const cpu = (readCpuSeconds(pid) ?? NaN) - cpuBefore;
        runs[target].push({
          cpuUs: (cpu * 1e6) / result.requests,
          requestsPerSecond: result.requestsPerSecond,
        });
      }
    }
  }
  const perRound = (f: (r: number) => number) => spread(runs.bare.map((_, r) => f(r)));
  const componentCpuUs = Object.fromEntries(
    FIXTURES.filter((f) => f !== "bare").map((fixture) => [
      fixture,
      perRound((r) => runs[fixture][r].cpuUs - runs.bare[r].cpuUs),
    ]),
  ) as PageFigures["componentCpuUs"];
  return {
    signedInOverSignedOut: {
      cpuPerRequest: perRound((r) => runs.bare[r].cpuUs / runs.bareSignedOut[r].cpuUs),
      requestsPerSecond: perRound((r) =>
        runs.bare[r].requestsPerSecond / runs.bareSignedOut[r].requestsPerSecond
      ),
    },
    cookieOnlyCpuPerRequest: perRound((r) =>
      runs.noAuthSignedIn[r].cpuUs / runs.noAuthSignedOut[r].cpuUs
    ),
    signedInExtraCpuUs: {
      total: perRound((r) => runs.bare[r].cpuUs - runs.bareSignedOut[r].cpuUs),
      cookieOnly: perRound((r) => runs.noAuthSignedIn[r].cpuUs - runs.noAuthSignedOut[r].cpuUs),
    },
    bare: { signedOut: medians(runs.bareSignedOut), signedIn: medians(runs.bare) },
    componentCpuUs,
    prerendered: {
      page: medians(runs.staticPage),
      island: medians(runs.island),
      serverRendered: medians(runs["user-button"]),
    },
  };
}

/** A new session of the stand-in's Ada at the app on `appUrl`, as a `Cookie` header. */
async function signInAsAda(appUrl: URL): Promise<string> {
  const jar = new CookieJar();
  // signIn only reads the stack's `appUrl`.
  await signIn({ appUrl } as Stack, jar, { userId: "user_01ADA000000000000000000000" });
  return jar.header();
}

interface Run {
  cpuUs: number;
  requestsPerSecond: number;
}

function medians(runs: Run[]): { cpuUs: number; requestsPerSecond: number } {
  return {
    cpuUs: round(median(runs.map((run) => run.cpuUs)), 1),
    requestsPerSecond: round(median(runs.map((run) => run.requestsPerSecond))),
  };
}

function spread(values: number[]): Spread {
  return {
    median: round(median(values), 2),
    min: round(Math.min(...values), 2),
    max: round(Math.max(...values), 2),
  };
}

/**
 * Each page says what it should before it is measured: `bare` is byte for byte the same page
 * signed in and out (it reads no auth state), each component page shows its component, and the
 * prerendered page holds no user data while its island shows the user, privately. Returns the
 * island's path, which Astro writes into the page.
 */
async function checkPages(
  app: ServerProcess,
  headersOf: (target: Target) => Record<string, string>,
  pathOf: (target: Target) => string,
): Promise<string> {
  const body = (target: Target) => waitForOk(app, pathOf(target), headersOf(target));
  const [bareOut, bareIn] = [await body("bareSignedOut"), await body("bare")];
  if (bareOut !== bareIn) throw new Error("/__bench/bare differs signed in and signed out");
  const expected: Record<Exclude<Fixture, "bare">, string> = {
    "signed-in-out": "<p>Signed in.</p>",
    "user-button": "Ada Lovelace",
    "switcher-2": "Difference Engine Society",
    "switcher-20": "Organization number 20 Ltd",
    "impersonation-banner": "support@example.com",
    "protect": "<p>Billing.</p>",
    "auth-state": "ada@example.com",
  };
  for (const [fixture, text] of Object.entries(expected)) {
    const page = await body(fixture as Fixture);
    if (!page.includes(text)) throw new Error(`/__bench/${fixture} does not show "${text}"`);
  }
  const page = await body("staticPage");
  const island = /href="(\/_server-islands\/UserButton[^"]*)"/.exec(page)?.[1]?.replaceAll(
    "&amp;",
    "&",
  );
  if (!island || page.includes("Ada")) throw new Error("/__bench/static is not the static page");
  const answer = await fetch(new URL(island, app.url), { headers: headersOf("island") });
  const text = await answer.text();
  if (
    !text.includes("Ada Lovelace") || answer.headers.get("cache-control") !== "private, no-store"
  ) {
    throw new Error(`the server island did not answer privately with the user: ${answer.status}`);
  }
  return island;
}
