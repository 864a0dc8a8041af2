/**
 * `GET /auth/callback` (SECURITY-CASES S02–S11 and PKCE), called as a plain handler with the fake
 * WorkOS behind `fetch`.
 */
import { base64url } from "jose";
import {
  assert,
  assertEquals,
  assertExists,
  assertFalse,
  assertNotEquals,
  assertStringIncludes,
} from "@std/assert";
import { type AuthOptions, createAuth } from "../src/auth.ts";
import {
  MAX_PENDING_SIGN_INS,
  sealSignInState,
  stateCookieName,
  stateCookiesToEvict,
} from "../src/session/state.ts";
import {
  API_KEY,
  CLIENT_ID,
  installFakeWorkOS,
  json,
  never,
  testConfig,
} from "./support/fake_workos.ts";
import {
  callbackRequest,
  captureLogs,
  getSetCookie,
  getStateCookie,
  parseSetCookie,
  requestWithCookies,
  signInAndCallback,
  startSignIn,
} from "./support/flow.ts";

/** A fake WorkOS, an auth layer, one started sign-in and captured logs, all undone on dispose. */
async function startFixture(options: AuthOptions = {}) {
  const fake = await installFakeWorkOS();
  const logs = captureLogs();
  const auth = createAuth(testConfig(), options);
  const flow = await startSignIn(auth, "/dashboard?tab=1");
  return {
    fake,
    auth,
    ...flow,
    /** The failure codes logged so far. */
    logged: () => logs.lines.map((line) => JSON.parse(line).code),
    /** Runs the callback with `params`, and the state cookie unless `withCookie` is false. */
    callback: (params: Record<string, string>, withCookie = true) =>
      auth.callback(callbackRequest(params, withCookie ? [flow.stateCookie] : [])),
    [Symbol.dispose]() {
      logs[Symbol.dispose]();
      fake[Symbol.dispose]();
    },
  };
}

/**
 * Asserts a refused callback: `status`, no session, uncacheable, and the flow's state cookie
 * cleared when the callback named a flow of this browser (`usedFlow`); otherwise no state cookie
 * is touched, so a sign-in in progress survives a forged callback (S46).
 */
function assertRefused(response: Response, status: number, usedFlow = true): void {
  assertEquals(response.status, status);
  const state = getStateCookie(response);
  if (usedFlow) assertEquals(state?.attributes["max-age"], "0");
  else assertEquals(state, undefined);
  assertEquals(getSetCookie(response, "wos-session"), undefined);
  assertEquals(response.headers.get("cache-control"), "no-store");
  assertEquals(response.headers.get("referrer-policy"), "no-referrer");
}

Deno.test("S02 callback() rejects a request without the state cookie and never calls WorkOS", async () => {
  using f = await startFixture();
  assertRefused(await f.callback({ code: "code_1", state: f.state }, false), 400, false);
  assertEquals(f.fake.calls.authenticate.length, 0);
  assertEquals(f.logged(), ["state_missing"]);
});

Deno.test("S03 callback() rejects a state that differs from the cookie's", async () => {
  using f = await startFixture();
  const attackers = await startSignIn(f.auth);
  assertRefused(await f.callback({ code: "code_1", state: attackers.state }), 400, false);
  assertEquals(f.fake.calls.authenticate.length, 0);
  assertEquals(f.logged(), ["state_mismatch"]);
});

Deno.test("S03 callback() rejects a missing state parameter", async () => {
  using f = await startFixture();
  assertRefused(await f.callback({ code: "code_1" }), 400, false);
  assertEquals(f.fake.calls.authenticate.length, 0);
  assertEquals(f.logged(), ["state_mismatch"]);
});

Deno.test("S03 callback() rejects an empty state matched against an empty one", async (t) => {
  using f = await startFixture();
  const emptySeal = await sealSignInState(
    { state: "", codeVerifier: "v".repeat(43), returnTo: "/dashboard" },
    f.auth.config,
  );
  const emptyName = await stateCookieName(f.auth.config, "");
  for (const cookie of [`${emptyName}=`, `${emptyName}=${emptySeal}`, `wos-auth-state=`]) {
    await t.step(cookie.slice(0, 30), async () => {
      assertRefused(
        await f.auth.callback(callbackRequest({ code: "c", state: "" }, [cookie])),
        400,
        false,
      );
    });
  }
  assertEquals(f.fake.calls.authenticate.length, 0);
});

Deno.test("S04 callback() rejects a request without code and never calls WorkOS", async () => {
  using f = await startFixture();
  assertRefused(await f.callback({ state: f.state }), 400);
  assertEquals(f.fake.calls.authenticate.length, 0);
  assertEquals(f.logged(), ["code_missing"]);
});

Deno.test("S05 callback() answers error=access_denied without a token call or reflecting the description", async () => {
  using f = await startFixture();
  const description = "<script>alert(1)</script>";
  const response = await f.callback({
    error: "access_denied",
    error_description: description,
    state: f.state,
  });
  assertRefused(response, 400);
  assertEquals(f.fake.calls.authenticate.length, 0);
  const body = await response.text();
  assertFalse(body.includes("<script>") || body.includes("alert(1)"));
  assertEquals(f.logged(), ["authorization_denied"]);
});

Deno.test("S06 callback() refuses a replay once the state cookie is gone: one exchange only", async () => {
  using f = await startFixture();
  const first = await f.callback({ code: "code_1", state: f.state });
  assertEquals(first.status, 302);
  // The browser applies the first answer: the state cookie is deleted.
  assertEquals(getStateCookie(first)?.attributes["max-age"], "0");
  assertRefused(await f.callback({ code: "code_1", state: f.state }, false), 400, false);
  assertEquals(f.fake.calls.authenticate.length, 1);
  assertEquals(f.logged(), ["state_missing"]);
});

Deno.test("S06 callback() gives no second session when the whole request is replayed", async () => {
  using f = await startFixture();
  const used = new Set<unknown>();
  f.fake.onAuthenticate = (body) => {
    // WorkOS codes are single-use.
    if (used.has(body.code)) return json(400, { error: "invalid_grant", error_description: "x" });
    used.add(body.code);
    return f.fake.successfulAuthentication();
  };
  assertEquals((await f.callback({ code: "code_1", state: f.state })).status, 302);
  assertRefused(await f.callback({ code: "code_1", state: f.state }), 400);
  assertEquals(f.fake.calls.authenticate.length, 2);
  assertEquals(f.logged(), ["code_rejected"]);
});

Deno.test("S07 callback() answers invalid_grant with 400, a way to sign in again, and no code in logs", async () => {
  using f = await startFixture();
  const code = "code_SECRET_7f3a9c";
  f.fake.onAuthenticate = () =>
    json(400, { error: "invalid_grant", error_description: `The code ${code} is invalid.` });
  const response = await f.callback({ code, state: f.state });
  assertRefused(response, 400);
  const body = await response.text();
  assertStringIncludes(body, 'href="/sign-in">Sign in again');
  assertFalse(body.includes(code));
  assertEquals(f.fake.calls.authenticate.length, 1);
  assertEquals(f.logged(), ["code_rejected"]);
  assertFalse(JSON.stringify(f.logged()).includes(code));
});

Deno.test("S08 callback() answers 502 without a session when the exchange fails upstream", async (t) => {
  using f = await startFixture();
  const failures: Record<string, () => Response> = {
    "500 JSON": () => json(500, { message: "Internal Server Error" }),
    "502 HTML": () =>
      new Response("<html>Bad Gateway</html>", {
        status: 502,
        headers: { "content-type": "text/html" },
      }),
    "200 malformed JSON": () =>
      new Response("{not json", { status: 200, headers: { "content-type": "application/json" } }),
    "network TypeError": () => {
      throw new TypeError("error sending request: connection refused");
    },
  };
  for (const [name, answer] of Object.entries(failures)) {
    await t.step(name, async () => {
      f.fake.onAuthenticate = answer;
      const { state, stateCookie } = await startSignIn(f.auth);
      const response = await f.auth.callback(callbackRequest({ code: "c", state }, [stateCookie]));
      assertRefused(response, 502);
      assertExists(response.headers.get("retry-after"));
      // Reloading a consumed callback cannot work: the page offers a fresh sign-in instead.
      assertStringIncludes(await response.text(), 'href="/sign-in">Sign in again');
    });
  }
  assertEquals(f.fake.calls.authenticate.length, 4);
});

Deno.test("S08 callback() answers 504 within a bounded time when the exchange hangs", async () => {
  using f = await startFixture({ upstreamTimeoutMs: 200 });
  f.fake.onAuthenticate = never;
  const started = performance.now();
  const response = await f.callback({ code: "code_1", state: f.state });
  const elapsed = performance.now() - started;
  assertRefused(response, 504);
  assert(elapsed < 2000, `took ${elapsed} ms`);
  assertEquals(f.fake.calls.authenticate.length, 1);
  assertEquals(f.logged(), ["upstream_timeout"]);
});

Deno.test("S09 callback() answers 502 without a session when a 200 carries no tokens", async () => {
  using f = await startFixture();
  f.fake.onAuthenticate = () => json(200, { user: { id: "user_01ADA", email: "ada@example.com" } });
  assertRefused(await f.callback({ code: "code_1", state: f.state }), 502);
  assertEquals(f.logged(), ["upstream_invalid_response"]);
});

Deno.test("S10 callback() replaces a planted session cookie with a fresh seal", async () => {
  using fake = await installFakeWorkOS();
  const auth = createAuth(testConfig());
  const planted = (await signInAndCallback(auth, fake)).sessionCookie;
  const { callback } = await signInAndCallback(auth, fake, { cookies: [planted] });
  const fresh = getSetCookie(callback, "wos-session");
  assertExists(fresh);
  assertNotEquals(fresh.pair, planted);
  assert(fresh.value.startsWith("Fe26.2*"));
  assertEquals(fresh.attributes["httponly"], true);
  assertEquals(String(fresh.attributes["samesite"]).toLowerCase(), "lax");
  assertEquals(fresh.attributes["path"], "/");
  assert(Number(fresh.attributes["max-age"]) > 0);
});

Deno.test("S11 callback() success carries no-store, no-referrer, and a Location without code or state", async () => {
  using f = await startFixture();
  const response = await f.callback({ code: "code_LEAK", state: f.state });
  assertEquals(response.status, 302);
  assertEquals(response.headers.get("cache-control"), "no-store");
  assertEquals(response.headers.get("referrer-policy"), "no-referrer");
  const location = response.headers.get("location") ?? "";
  assertEquals(location, "/dashboard?tab=1");
  assertFalse(location.includes("code_LEAK") || location.includes(f.state));
  assertEquals(getStateCookie(response)?.attributes["max-age"], "0");
  assertExists(getSetCookie(response, "wos-session"));
  assertEquals(f.fake.calls.authenticate.length, 1);
});

Deno.test("S11 callback() error responses carry no-store and no-referrer", async () => {
  using f = await startFixture();
  const response = await f.callback({ code: "code_1", state: "x" }, false);
  assertEquals(response.status, 400);
  assertEquals(response.headers.get("cache-control"), "no-store");
  assertEquals(response.headers.get("referrer-policy"), "no-referrer");
});

Deno.test("callback() sends the PKCE verifier of the challenge, the API key and the grant type", async () => {
  using f = await startFixture();
  assertEquals((await f.callback({ code: "code_1", state: f.state })).status, 302);
  assertEquals(f.fake.calls.authenticate.length, 1);
  const body = f.fake.calls.authenticate[0];
  assertEquals(body.grant_type, "authorization_code");
  assertEquals(body.client_id, CLIENT_ID);
  assertEquals(body.client_secret, API_KEY);
  assertEquals(body.code, "code_1");
  const verifier = new TextEncoder().encode(String(body.code_verifier));
  const challenge = base64url.encode(
    new Uint8Array(await crypto.subtle.digest("SHA-256", verifier)),
  );
  assertEquals(challenge, f.authorizeUrl.searchParams.get("code_challenge"));
});

Deno.test("callback() refuses a token whose sub is not the authenticated user", async () => {
  using f = await startFixture();
  f.fake.onAuthenticate = () => f.fake.successfulAuthentication({ sub: "user_01MALLORY" });
  assertRefused(await f.callback({ code: "code_1", state: f.state }), 502);
  assertEquals(f.fake.calls.authenticate.length, 1);
  assertEquals(f.logged(), ["upstream_invalid_response"]);
});

Deno.test("S46 two sign-ins in progress (two tabs) both complete; each callback clears only its own state cookie", async () => {
  using fake = await installFakeWorkOS();
  const auth = createAuth(testConfig());
  const first = await startSignIn(auth, "/dashboard?tab=1");
  const second = await startSignIn(auth, "/dashboard?tab=2");
  assertNotEquals(first.stateCookie.split("=")[0], second.stateCookie.split("=")[0]);
  const jar = [first.stateCookie, second.stateCookie];
  for (const flow of [second, first]) {
    const response = await auth.callback(
      callbackRequest({ code: `code_${flow.state.slice(0, 6)}`, state: flow.state }, jar),
    );
    assertEquals(response.status, 302);
    assertExists(getSetCookie(response, "wos-session"));
    const cleared = response.headers.getSetCookie().filter((c) => c.includes("wos-auth-state"));
    assertEquals(cleared.length, 1);
    assertStringIncludes(cleared[0], `${flow.stateCookie.split("=")[0]}=;`);
  }
  assertEquals(fake.calls.authenticate.length, 2);
});

Deno.test("S46 a cross-site callback with another flow's state cancels nothing: the sign-in in progress still completes", async () => {
  using f = await startFixture();
  const attackers = await startSignIn(f.auth);
  const forged = await f.auth.callback(
    callbackRequest({ code: "code_attacker", state: attackers.state }, [f.stateCookie]),
  );
  assertRefused(forged, 400, false);
  assertEquals((await f.callback({ code: "code_1", state: f.state })).status, 302);
});

Deno.test("S46 signIn() keeps at most MAX_PENDING_SIGN_INS state cookies, deleting the oldest", async () => {
  using _fake = await installFakeWorkOS();
  const auth = createAuth(testConfig());
  const pending = ["wos-auth-state.a=1", "wos-auth-state.b=2", "wos-auth-state.c=3", "other=x"];
  const response = await auth.signIn(requestWithCookies("/sign-in", pending));
  const set = response.headers.getSetCookie().map(parseSetCookie);
  const deleted = set.filter((c) => c.attributes["max-age"] === "0").map((c) => c.name);
  assertEquals(deleted, ["wos-auth-state.a"], "three remain: b, c and the new one");
  assertEquals(set.filter((c) => c.attributes["max-age"] !== "0").length, 1, "the new flow's");
  assertEquals(MAX_PENDING_SIGN_INS, 3);
  const cases: [string[], string[]][] = [
    [[], []],
    [["a"], []],
    [["a", "b"], []],
    [["a", "b", "c"], ["a"]],
    [["a", "b", "c", "d", "e"], ["a", "b", "c"]],
  ];
  for (const [names, evicted] of cases) assertEquals(stateCookiesToEvict(names), evicted);
});

Deno.test("S47 on https the state cookie is __Host- prefixed and a planted plain one is never read", async () => {
  using fake = await installFakeWorkOS();
  const auth = createAuth(testConfig({ WORKOS_REDIRECT_URI: "https://app.example/auth/callback" }));
  const flow = await startSignIn(auth);
  assert(flow.stateCookie.startsWith("__Host-wos-auth-state."), flow.stateCookie);
  // A sibling subdomain can set the unprefixed name (with Domain=): it does not count.
  const plain = flow.stateCookie.slice("__Host-".length);
  const planted = await auth.callback(callbackRequest({ code: "c", state: flow.state }, [plain]));
  assertEquals(planted.status, 400);
  assertEquals(fake.calls.authenticate.length, 0);
  const real = await auth.callback(
    callbackRequest({ code: "c", state: flow.state }, [plain, flow.stateCookie]),
  );
  assertEquals(real.status, 302);
  assertExists(getSetCookie(real, "__Host-wos-session"));
});

Deno.test("S49 callback() answers carry Vary: Cookie", async () => {
  using f = await startFixture();
  const failed = await f.callback({ code: "code_1", state: "wrong" });
  const succeeded = await f.callback({ code: "code_1", state: f.state });
  for (const response of [failed, succeeded]) {
    assertStringIncludes(response.headers.get("vary") ?? "", "Cookie");
  }
});

Deno.test("S46 signIn() never echoes a planted state cookie name it could not have set", async () => {
  using _fake = await installFakeWorkOS();
  const auth = createAuth(testConfig());
  const hostile = [
    'wos-auth-state.a"b=1',
    "wos-auth-state.(x)=2",
    "wos-auth-state.=3",
    "wos-auth-state.a,b=4",
    "wos-auth-state.a b=9", // the cookie library throws on this name: it was a 500
    `wos-auth-state.${"t".repeat(65)}=5`,
    "wos-auth-state.ok1=6",
    "wos-auth-state.ok2=7",
    "wos-auth-state.ok3=8",
  ];
  const request = new Request("http://localhost:4321/sign-in", {
    headers: { cookie: hostile.join("; ") },
  });
  const response = await auth.signIn(request);
  assertEquals(response.status, 302);
  const deleted = response.headers.getSetCookie().map(parseSetCookie)
    .filter((c) => c.attributes["max-age"] === "0").map((c) => c.name);
  assertEquals(deleted, ["wos-auth-state.ok1"]);
});
