/**
 * `guardRequest()`, the middleware policy (SECURITY-CASES S14, S15, S24, S25, S35, S62), with a `next`
 * that records whether the page ran and which session it saw.
 */
import { assert, assertEquals, assertExists, assertFalse } from "@std/assert";
import { type Auth, createAuth } from "../src/auth.ts";
import { guardRequest } from "../src/middleware/guard.ts";
import type { AuthContext } from "../src/session/resolve.ts";
import type { ApiKeyContext } from "../src/api-keys/context.ts";
import { defaultClaims, installFakeWorkOS, json, testConfig } from "./support/fake_workos.ts";
import {
  captureLogs,
  createClock,
  getSetCookie,
  requestWithCookies,
  signInAndCallback,
} from "./support/flow.ts";

const HTML = { accept: "text/html,application/xhtml+xml" };
const JSON_ACCEPT = { accept: "application/json" };

/** A `next` that records its calls and answers 200 (or `answer()`). */
function recordingNext(answer = () => new Response("page", { status: 200 })) {
  const seen: (AuthContext | null)[] = [];
  // No API key on these paths: what the route sees is a user or no one.
  const next = (session: AuthContext | ApiKeyContext | null) => {
    seen.push(session as AuthContext | null);
    return Promise.resolve(answer());
  };
  return { seen, next };
}

/** Guards `path` with `cookies` and `headers`, through a recording `next`. */
async function guard(auth: Auth, path: string, cookies: string[] = [], headers = HTML) {
  const { seen, next } = recordingNext();
  const response = await guardRequest(requestWithCookies(path, cookies, { headers }), auth, next);
  return { response, seen };
}

function assertSessionCleared(response: Response): void {
  const cleared = getSetCookie(response, "wos-session");
  assertEquals(cleared?.value, "");
  assertEquals(cleared?.attributes["max-age"], "0");
  assertEquals(cleared?.attributes["path"], "/");
}

Deno.test("S14 guardRequest() redirects an HTML request for a protected page to sign-in", async () => {
  using _fake = await installFakeWorkOS();
  const { response, seen } = await guard(createAuth(testConfig()), "/dashboard/settings?x=1");
  assertEquals(response.status, 302);
  assertEquals(
    response.headers.get("location"),
    "/sign-in?returnTo=%2Fdashboard%2Fsettings%3Fx%3D1",
  );
  assertEquals(seen.length, 0);
  assertEquals(response.headers.getSetCookie(), []);
});

Deno.test("S14 guardRequest() answers 401 JSON to API and fetch requests without a session", async (t) => {
  using _fake = await installFakeWorkOS();
  const auth = createAuth(testConfig());
  const cases: [string, { accept: string }][] = [
    ["/dashboard", JSON_ACCEPT],
    ["/api/me", JSON_ACCEPT],
    ["/api/me", HTML],
  ];
  for (const [path, headers] of cases) {
    await t.step(`${path} ${headers.accept}`, async () => {
      const { response, seen } = await guard(auth, path, [], headers);
      assertEquals(response.status, 401);
      assertEquals(await response.json(), { error: "unauthorized" });
      assertEquals(seen.length, 0);
    });
  }
});

Deno.test("S14 guardRequest() protects every spelling of /dashboard", async (t) => {
  using _fake = await installFakeWorkOS();
  const auth = createAuth(testConfig());
  for (const path of ["/DASHBOARD", "/%64ashboard", "//dashboard", "/dashboard/", "/Dashboard/x"]) {
    await t.step(path, async () => {
      const { response, seen } = await guard(auth, path);
      assertEquals(response.status, 302);
      assert(response.headers.get("location")?.startsWith("/sign-in?returnTo="));
      assertEquals(seen.length, 0);
    });
  }
});

Deno.test("S62 guardRequest() protects what Astro routes: a path decoded to a fixed point", async (t) => {
  using _fake = await installFakeWorkOS();
  const auth = createAuth(testConfig());
  const pages = [
    "/%2564ashboard",
    "/%252564ashboard/report",
    "//%2564ashboard",
    "/%252e/dashboard",
  ];
  for (const path of pages) {
    await t.step(path, async () => {
      const { response, seen } = await guard(auth, path);
      assertEquals(response.status, 302);
      assert(response.headers.get("location")?.startsWith("/sign-in?returnTo="));
      assertEquals(response.headers.get("cache-control"), "private, no-store");
      assertEquals(response.headers.get("vary"), "Cookie");
      assertEquals(seen.length, 0);
    });
  }
  await t.step("/%2561pi/me is an API path: 401 JSON, not a redirect", async () => {
    const { response, seen } = await guard(auth, "/%2561pi/me");
    assertEquals(response.status, 401);
    assertEquals(await response.json(), { error: "unauthorized" });
    assertEquals(response.headers.get("cache-control"), "private, no-store");
    assertEquals(seen.length, 0);
  });
});

Deno.test("S62 guardRequest() protects the route Astro resolved, whatever the request's spelling", async (t) => {
  using _fake = await installFakeWorkOS();
  const auth = createAuth(testConfig());
  const resolved = [
    { routePattern: "/dashboard/[id]" }, // Astro's route for the request
    { pathname: "/dashboard/report" }, // Astro's normalised context.url.pathname
  ];
  for (const route of resolved) {
    await t.step(JSON.stringify(route), async () => {
      const { seen, next } = recordingNext();
      const request = requestWithCookies("/r", [], { headers: HTML });
      const response = await guardRequest(request, auth, next, route);
      assertEquals(response.status, 302);
      assertEquals(response.headers.get("location"), "/sign-in?returnTo=%2Fr");
      assertEquals(seen.length, 0);
    });
  }
  await t.step("a public route renders signed out", async () => {
    const { seen, next } = recordingNext();
    const request = requestWithCookies("/about", [], { headers: HTML });
    const response = await guardRequest(request, auth, next, {
      pathname: "/about",
      routePattern: "/about",
    });
    assertEquals(response.status, 200);
    assertEquals(seen, [null]);
  });
});

Deno.test("S62 guardRequest() answers 400 to a path encoded past Astro's limit, as Astro does", async () => {
  using fake = await installFakeWorkOS();
  const path = `/%${"25".repeat(12)}64ashboard`;
  const { response, seen } = await guard(createAuth(testConfig()), path, ["wos-session=x"]);
  assertEquals(response.status, 400);
  assertEquals(response.headers.get("cache-control"), "private, no-store");
  assertEquals(seen.length, 0);
  assertEquals(fake.calls, { authenticate: [], jwks: 0, revoke: [], other: [] });
});

Deno.test("S14 guardRequest() renders a public page signed out", async () => {
  using _fake = await installFakeWorkOS();
  const { response, seen } = await guard(createAuth(testConfig()), "/");
  assertEquals(response.status, 200);
  assertEquals(seen, [null]);
});

Deno.test("S14 guardRequest() never guards the auth routes, even with a garbage cookie", async (t) => {
  using fake = await installFakeWorkOS();
  const auth = createAuth(testConfig());
  for (const path of ["/sign-in", "/sign-up", "/auth/callback", "/sign-out"]) {
    await t.step(path, async () => {
      const { response, seen } = await guard(auth, path, ["wos-session=garbage"]);
      assertEquals(response.status, 200);
      assertEquals(seen, [null]);
      assertEquals(response.headers.getSetCookie(), []);
    });
  }
  assertEquals(fake.calls, { authenticate: [], jwks: 0, revoke: [], other: [] });
});

Deno.test("S15 guardRequest() redirects and clears a malformed session cookie", async (t) => {
  using fake = await installFakeWorkOS();
  using _logs = captureLogs();
  const auth = createAuth(testConfig());
  const { sessionCookie } = await signInAndCallback(auth, fake);
  const variants = {
    garbage: "wos-session=garbage",
    truncated: sessionCookie.slice(0, sessionCookie.length - 10),
    "wrong format": "wos-session=Fe26.2*1*abc*def",
  };
  for (const [name, cookie] of Object.entries(variants)) {
    await t.step(name, async () => {
      const { response, seen } = await guard(auth, "/dashboard", [cookie]);
      assertEquals(response.status, 302);
      assertEquals(response.headers.get("location"), "/sign-in?returnTo=%2Fdashboard");
      assertSessionCleared(response);
      assertEquals(seen.length, 0);
    });
  }
});

Deno.test("S24 guardRequest() redirects and clears a session whose refresh is rejected", async () => {
  using fake = await installFakeWorkOS();
  using _logs = captureLogs();
  const clock = createClock();
  const auth = createAuth(testConfig(), { now: clock.now });
  const { sessionCookie } = await signInAndCallback(auth, fake);
  clock.advance(600);
  fake.onAuthenticate = () => json(400, { error: "invalid_grant", error_description: "x" });
  const { response, seen } = await guard(auth, "/dashboard", [sessionCookie]);
  assertEquals(response.status, 302);
  assertEquals(response.headers.get("location"), "/sign-in?returnTo=%2Fdashboard");
  assertSessionCleared(response);
  assertEquals(seen.length, 0);
});

/** A session whose token expired while WorkOS is down (refresh answers 500). */
async function duringOutage() {
  const fake = await installFakeWorkOS();
  const logs = captureLogs();
  const clock = createClock();
  const auth = createAuth(testConfig(), { now: clock.now });
  const { sessionCookie } = await signInAndCallback(auth, fake);
  clock.advance(600);
  fake.onAuthenticate = () => json(500, { message: "down" });
  return {
    auth,
    sessionCookie,
    [Symbol.dispose]() {
      logs[Symbol.dispose]();
      fake[Symbol.dispose]();
    },
  };
}

Deno.test("S25 guardRequest() answers a protected page with 503 and keeps the cookie during an outage", async () => {
  using o = await duringOutage();
  const { response, seen } = await guard(o.auth, "/dashboard", [o.sessionCookie]);
  assertEquals(response.status, 503);
  assertExists(response.headers.get("retry-after"));
  assertEquals(response.headers.get("cache-control"), "private, no-store");
  assertEquals(response.headers.getSetCookie(), []);
  assertEquals(seen.length, 0);
});

Deno.test("S25 guardRequest() answers an API request with 503 JSON during an outage", async () => {
  using o = await duringOutage();
  const { response, seen } = await guard(o.auth, "/api/me", [o.sessionCookie], JSON_ACCEPT);
  assertEquals(response.status, 503);
  assertExists(response.headers.get("retry-after"));
  const body = await response.json();
  assertEquals(body.error, "unavailable");
  assertEquals(response.headers.getSetCookie(), []);
  assertEquals(seen.length, 0);
});

Deno.test("S25 guardRequest() renders a public page signed out during an outage, cookie kept", async () => {
  using o = await duringOutage();
  const { response, seen } = await guard(o.auth, "/", [o.sessionCookie]);
  assertEquals(response.status, 200);
  assertEquals(seen, [null]);
  assertEquals(response.headers.getSetCookie(), []);
});

Deno.test("S35 guardRequest() denies a protected page when resolution throws, and logs a code", async () => {
  using fake = await installFakeWorkOS();
  using logs = captureLogs();
  const auth = createAuth(testConfig());
  const { sessionCookie } = await signInAndCallback(auth, fake);
  const broken: Auth = {
    ...auth,
    resolveSession: () => {
      throw new Error("boom");
    },
  };
  const { response, seen } = await guard(broken, "/dashboard", [sessionCookie]);
  assertEquals(response.status, 302);
  assertEquals(response.headers.get("location"), "/sign-in?returnTo=%2Fdashboard");
  assertEquals(seen.length, 0);
  assertEquals(logs.lines.map((line) => JSON.parse(line).code), ["internal"]);
  assertFalse(logs.lines.join().includes("boom"));
});

Deno.test("S35 guardRequest() denies a protected page when resolution rejects, and logs a code", async () => {
  using fake = await installFakeWorkOS();
  using logs = captureLogs();
  const auth = createAuth(testConfig());
  const { sessionCookie } = await signInAndCallback(auth, fake);
  const broken: Auth = { ...auth, resolveSession: () => Promise.reject(new Error("boom")) };
  const { response, seen } = await guard(broken, "/dashboard", [sessionCookie]);
  assertEquals(response.status, 302);
  assertEquals(seen.length, 0);
  assertEquals(logs.lines.map((line) => JSON.parse(line).code), ["internal"]);
  assertFalse(logs.lines.join().includes("boom"));
});

Deno.test("guardRequest() hands the session to the page and marks the response private, no-store", async () => {
  using fake = await installFakeWorkOS();
  const auth = createAuth(testConfig());
  const { sessionCookie } = await signInAndCallback(auth, fake);
  const { response, seen } = await guard(auth, "/dashboard", [sessionCookie]);
  assertEquals(response.status, 200);
  assertEquals(await response.text(), "page");
  assertEquals(seen.length, 1);
  assertEquals(seen[0]?.user.email, "ada@example.com");
  assertEquals(response.headers.get("cache-control"), "private, no-store");
  assertEquals(response.headers.getSetCookie(), []);
});

Deno.test("S23 guardRequest() appends a refreshed session's cookie to the page, even a Response.redirect", async (t) => {
  using fake = await installFakeWorkOS();
  const clock = createClock();
  const auth = createAuth(testConfig(), { now: clock.now });
  const { sessionCookie } = await signInAndCallback(auth, fake);
  clock.advance(600);
  fake.onAuthenticate = () =>
    fake.successfulAuthentication(defaultClaims(Math.floor(clock.ms / 1000)));
  const pages: Record<string, () => Response> = {
    "page with its own cookie": () =>
      new Response("page", { headers: { "set-cookie": "theme=dark; Path=/" } }),
    "immutable Response.redirect": () => Response.redirect("http://localhost:4321/dashboard/x"),
  };
  for (const [name, answer] of Object.entries(pages)) {
    await t.step(name, async () => {
      const { seen, next } = recordingNext(answer);
      const request = requestWithCookies("/dashboard", [sessionCookie], { headers: HTML });
      const response = await guardRequest(request, auth, next);
      assertEquals(seen.length, 1);
      const renewed = getSetCookie(response, "wos-session");
      assertExists(renewed);
      assert(renewed.value.startsWith("Fe26.2*") && renewed.pair !== sessionCookie);
      assertEquals(response.headers.get("cache-control"), "private, no-store");
      if (name.startsWith("page")) assertEquals(getSetCookie(response, "theme")?.value, "dark");
      else assertEquals(response.status, 302);
    });
  }
});

Deno.test("S49 guardRequest() marks every personalised response private, no-store and Vary: Cookie", async (t) => {
  using fake = await installFakeWorkOS();
  const auth = createAuth(testConfig());
  const { sessionCookie } = await signInAndCallback(auth, fake);
  const cases: [string, string, string[], { accept: string }][] = [
    ["signed-in page", "/dashboard", [sessionCookie], HTML],
    ["signed-in public page", "/", [sessionCookie], HTML],
    ["redirect to sign-in", "/dashboard", [], HTML],
    ["401 JSON", "/api/me", [], JSON_ACCEPT],
    ["garbage cookie", "/dashboard", ["wos-session=garbage"], HTML],
  ];
  for (const [name, path, cookies, headers] of cases) {
    await t.step(name, async () => {
      const { response } = await guard(auth, path, cookies, headers);
      assertEquals(response.headers.get("cache-control"), "private, no-store");
      assertEquals(response.headers.get("vary"), "Cookie");
    });
  }
  const { seen, next } = recordingNext(() =>
    new Response("page", { headers: { vary: "Accept-Encoding" } })
  );
  const request = requestWithCookies("/dashboard", [sessionCookie], { headers: HTML });
  const response = await guardRequest(request, auth, next);
  assertEquals(seen.length, 1);
  assertEquals(response.headers.get("vary"), "Accept-Encoding, Cookie", "added, not replaced");
});

Deno.test("S43 guardRequest() answers a session that outgrew the chunk bound with a clear page and clears every chunk", async () => {
  using fake = await installFakeWorkOS();
  using logs = captureLogs();
  const clock = createClock();
  const auth = createAuth(testConfig(), { now: clock.now });
  const permissions = Array.from({ length: 150 }, (_, i) => `workspace:${i}:documents:approve-all`);
  const { callback } = await signInAndCallback(auth, fake, { claims: { permissions } });
  const cookies = callback.headers.getSetCookie().filter((c) => c.startsWith("wos-session"));
  assert(cookies.length >= 3, `${cookies.length} chunks`);
  clock.advance(600);
  const grown = Array.from({ length: 2_000 }, (_, i) => `permission-${i}-${"p".repeat(30)}`);
  fake.onAuthenticate = () =>
    fake.successfulAuthentication({
      ...defaultClaims(Math.floor(clock.ms / 1000)),
      permissions: grown,
    });
  const { response, seen } = await guard(auth, "/dashboard", cookies);
  assertEquals(seen.length, 0);
  assertEquals(response.status, 500);
  const body = await response.text();
  assert(body.includes("Session too large") && !body.includes('href="/sign-in"'), body);
  const cleared = response.headers.getSetCookie().map((c) => c.split("=")[0]);
  assertEquals(cleared, cookies.map((c) => c.split("=")[0]), "every chunk deleted");
  for (const header of response.headers.getSetCookie()) assert(/Max-Age=0/.test(header), header);
  assertEquals(logs.lines.map((line) => JSON.parse(line).code), ["session_too_large"]);
});

Deno.test("S49 guardRequest() marks the 503 of an outage private, no-store and Vary: Cookie", async () => {
  for (const [path, accept] of [["/dashboard", HTML], ["/api/me", JSON_ACCEPT]] as const) {
    using o = await duringOutage();
    const { response } = await guard(o.auth, path, [o.sessionCookie], accept);
    assertEquals(response.status, 503);
    assertEquals(response.headers.get("cache-control"), "private, no-store");
    assertEquals(response.headers.get("vary"), "Cookie");
  }
});
