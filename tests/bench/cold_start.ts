/**
 * Cold start: from spawning the server process to the first 200 on `/dashboard` for a signed-in
 * request, for the real build and for the build with auth cut out (`build.ts`). Starts alternate
 * between the two so drift on a shared machine hits both alike, and the first start of each is
 * discarded: it alone pays for Deno compiling the freshly built files into its code cache, which
 * a deployed instance has done before it takes traffic.
 *
 * @module
 */
import type { StandIn } from "../../packages/authkit-astro-deno/src/dev/standin/server.ts";
import { appEnv, freePort } from "../support/stack.ts";
import { median, round } from "./numbers.ts";
import { spawnBuiltServer, waitForOk } from "./server.ts";

/** Median cold starts of both builds, and JWKS fetches per start of the real one. */
export interface ColdStart {
  appMs: number;
  noAuthMs: number;
  /** `appMs / noAuthMs`. */
  ratio: number;
  startsEach: number;
  jwksFetchesPerStart: number;
}

/** Entries of the two builds, and the signed-in `Cookie` header to present. */
export interface ColdStartOptions {
  appEntry: string;
  noAuthEntry: string;
  cookie: string;
  starts: number;
}

/** Starts each build `options.starts` times (plus one discarded) and returns the medians. */
export async function measureColdStart(
  standIn: StandIn,
  options: ColdStartOptions,
): Promise<ColdStart> {
  const app: number[] = [];
  const noAuth: number[] = [];
  let jwks = 0;
  for (let start = 0; start <= options.starts; start++) {
    const before = standIn.counts().jwks;
    const appMs = await timeFirstSignedInPage(standIn, options.appEntry, options.cookie);
    const jwksThisStart = standIn.counts().jwks - before;
    const noAuthMs = await timeFirstSignedInPage(standIn, options.noAuthEntry, options.cookie);
    if (start === 0) continue; // warms Deno's code cache for the new files, see above
    app.push(appMs);
    noAuth.push(noAuthMs);
    jwks += jwksThisStart;
  }
  const appMs = median(app);
  const noAuthMs = median(noAuth);
  return {
    appMs: round(appMs),
    noAuthMs: round(noAuthMs),
    ratio: round(appMs / noAuthMs, 2),
    startsEach: options.starts,
    jwksFetchesPerStart: round(jwks / options.starts, 2),
  };
}

async function timeFirstSignedInPage(
  standIn: StandIn,
  entry: string,
  cookie: string,
): Promise<number> {
  const port = freePort();
  // The session cookie does not depend on the port: same password, same stand-in, same user.
  const env = appEnv(standIn, new URL(`http://127.0.0.1:${port}`));
  const started = performance.now();
  await using server = spawnBuiltServer(entry, port, env);
  const body = await waitForOk(server, "/dashboard", { accept: "text/html", cookie });
  const elapsed = performance.now() - started;
  if (!body.includes("Hello Ada Lovelace!")) {
    throw new Error(`${entry} answered /dashboard without the signed-in page`);
  }
  return elapsed;
}
