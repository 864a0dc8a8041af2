/**
 * S37: bounded, seeded fuzzing of the built server. Random and mutated cookies, query strings and
 * headers go to every route; no answer may be a 5xx other than the deliberate 502/503/504, and
 * none may take longer than the upstream timeout allows.
 *
 * Rerun a failure with FUZZ_SEED=<seed printed by fast-check>.
 */
import { assert } from "@std/assert";
import fc from "fast-check";
import { CookieJar, request, signIn } from "./support/http_client.ts";
import { startStack } from "./support/stack.ts";

const SEED = Number(Deno.env.get("FUZZ_SEED") ?? 20261127);
const RUNS = Number(Deno.env.get("FUZZ_RUNS") ?? 1000);
const ANSWER_WITHIN_MS = 8_000; // above the 5 s upstream timeout: a hang would exceed it

const ROUTES = [
  "/",
  "/dashboard",
  "/dashboard/settings",
  "/api/me",
  "/sign-in",
  "/sign-up",
  "/sign-out",
  "/auth/callback",
  "/auth/switch-organization",
  "/healthz",
  "/favicon.svg",
  "/no-such-page",
];

/** Printable ASCII, so every generated value is a legal header value for `fetch`. */
const printable = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map(String.fromCharCode),
});

/** Turns a genuine seal into a near miss: truncated, bit-flipped, spliced or padded. */
function mutatedSeal(seal: string) {
  return fc.oneof(
    fc.nat({ max: seal.length }).map((end) => seal.slice(0, end)),
    fc.tuple(fc.nat({ max: seal.length - 1 }), fc.constantFrom("A", "*", "~", "%", "0", " "))
      .map(([at, char]) => seal.slice(0, at) + char + seal.slice(at + 1)),
    printable.map((junk) => seal + junk),
    printable.map((junk) => junk + seal),
    fc.constant(seal.split("*").reverse().join("*")),
  );
}

Deno.test("S37 fuzzed cookies, query strings and headers never cause a 500 or a hang", async () => {
  await using stack = await startStack();
  const jar = new CookieJar();
  await signIn(stack, jar, { userId: "user_01ADA000000000000000000000" });
  const session = jar.get("wos-session")!;
  const start = await request(new URL("/sign-in", stack.appUrl), jar);
  const state = new URL(start.response.headers.get("location")!).searchParams.get("state")!;
  const stateName = jar.names().find((name) => name.startsWith("wos-auth-state."))!;
  const stateSeal = jar.get(stateName)!;

  const cookieValue = fc.oneof(mutatedSeal(session), mutatedSeal(stateSeal), printable);
  const cookieHeader = fc.oneof(
    fc.constant(""),
    fc.tuple(
      fc.constantFrom("wos-session", "wos-session.1", "wos-auth-state", stateName),
      cookieValue,
    )
      .map(([name, value]) => `${name}=${value}`),
    fc.tuple(cookieValue, cookieValue)
      .map(([a, b]) => `wos-session=${a}; ${stateName}=${b}; wos-session=${b}; wos-session.1=${a}`),
    // Planted names under the app's prefixes: some are echoed into deletions (S43, S46).
    fc.tuple(fc.constantFrom("wos-auth-state.", "wos-session."), printable, cookieValue)
      .map(([prefix, name, value]) =>
        [1, 2, 3].map((i) => `${prefix}${name}${i}=${value}`).join("; ")
      ),
    printable,
  );
  const organizationId = fc.oneof(
    fc.constantFrom("org_01EXAMPLE00000000000000000", "org_01DIFFERENCE00000000000000"),
    printable.map((p) => `org_${p}`),
  );
  const queryValue = fc.oneof(
    printable,
    fc.constant(state),
    fc.webUrl(),
    fc.constant("%E0%A4%A"),
    organizationId,
  );
  const fieldNames = ["returnTo", "organizationId", "loginHint"] as const;
  const query = fc.dictionary(
    fc.constantFrom("code", "state", "error", "error_description", "x", ...fieldNames),
    queryValue,
    { maxKeys: 4 },
  );
  // The body of a POST: the switch's form fields, or junk under any content type.
  const body = fc.oneof(
    fc.dictionary(fc.constantFrom(...fieldNames), queryValue, { maxKeys: 3 })
      .map((fields) => new URLSearchParams(fields).toString()),
    printable,
  );
  const requestSpec = fc.record({
    route: fc.oneof(fc.constantFrom(...ROUTES), printable.map((p) => `/${encodeURI(p)}`)),
    method: fc.constantFrom("GET", "GET", "POST", "HEAD"),
    query,
    cookie: cookieHeader,
    accept: fc.constantFrom("text/html", "application/json", "*/*", ""),
    origin: fc.option(fc.constantFrom(stack.appUrl.origin, "https://evil.example", "null")),
    forwardedHost: fc.option(printable),
    body: fc.option(body),
    contentType: fc.constantFrom("application/x-www-form-urlencoded", "multipart/form-data", ""),
  });

  await fc.assert(
    fc.asyncProperty(requestSpec, async (spec) => {
      // Set as a pathname, so a generated `//host` stays a path on this server.
      const url = new URL(stack.appUrl.href);
      url.pathname = spec.route;
      for (const [key, value] of Object.entries(spec.query)) url.searchParams.set(key, value);
      const headers = new Headers({ accept: spec.accept });
      if (spec.cookie) headers.set("cookie", spec.cookie);
      if (spec.origin) headers.set("origin", spec.origin);
      if (spec.forwardedHost) headers.set("x-forwarded-host", spec.forwardedHost);
      const withBody = spec.method === "POST" && spec.body !== null;
      if (withBody && spec.contentType) headers.set("content-type", spec.contentType);
      const response = await fetch(url, {
        method: spec.method,
        headers,
        body: withBody ? spec.body : undefined,
        redirect: "manual",
        signal: AbortSignal.timeout(ANSWER_WITHIN_MS),
      });
      await response.body?.cancel();
      const deliberate = [502, 503, 504].includes(response.status);
      assert(response.status < 500 || deliberate, `${response.status} for ${JSON.stringify(spec)}`);
    }),
    { seed: SEED, numRuns: RUNS, endOnFailure: true },
  );
  assert(!/"level":"error"/.test(stack.logs()), "no unexpected (internal) failure was logged");
});
