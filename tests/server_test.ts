/**
 * The built server (`dist/server/entry.mjs`, as `deno task start` runs it) over HTTP, against the
 * local AuthKit stand-in, configured only at run time.
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "@std/assert";
import { completeAtStandIn, CookieJar, request, signIn } from "./support/http_client.ts";
import { appEnv, freePort, startBuiltServer, startStack } from "./support/stack.ts";
import { startStandIn } from "../packages/authkit-astro-deno/src/dev/standin/server.ts";

const ADA = "user_01ADA000000000000000000000";
const GRACE = "user_01GRACE0000000000000000000";

Deno.test("built server: sign-in → callback → /dashboard greets the user by name", async () => {
  await using stack = await startStack();
  const jar = new CookieJar();
  const callback = await signIn(stack, jar, { userId: ADA });
  assertEquals(callback.status, 302);
  assertEquals(callback.headers.get("location"), "/dashboard");
  assert(jar.get("wos-session"), "session cookie set");
  assertEquals(jar.names().filter((n) => n.startsWith("wos-auth-state")), [], "state cleared");

  const dashboard = await request(new URL("/dashboard", stack.appUrl), jar);
  assertEquals(dashboard.response.status, 200);
  assertStringIncludes(dashboard.body, "Hello Ada Lovelace!");
  assertStringIncludes(dashboard.body, "posts:write");
  assertEquals(dashboard.response.headers.get("cache-control"), "private, no-store");
});

Deno.test("built server: signed-out /dashboard redirects to /sign-in with returnTo", async () => {
  await using stack = await startStack();
  const { response } = await request(
    new URL("/dashboard/settings?tab=1", stack.appUrl),
    new CookieJar(),
  );
  assertEquals(response.status, 302);
  assertEquals(
    response.headers.get("location"),
    "/sign-in?returnTo=%2Fdashboard%2Fsettings%3Ftab%3D1",
  );
});

Deno.test("built server: returnTo brings the user back to the page they asked for", async () => {
  await using stack = await startStack();
  const jar = new CookieJar();
  const callback = await signIn(stack, jar, { userId: ADA, returnTo: "/dashboard/settings" });
  assertEquals(callback.headers.get("location"), "/dashboard/settings");
  const page = await request(new URL("/dashboard/settings", stack.appUrl), jar);
  assertStringIncludes(page.body, ADA);
});

Deno.test("built server: /api/me answers 401 JSON when signed out and the user when signed in", async () => {
  await using stack = await startStack();
  const jar = new CookieJar();
  const anonymous = await request(new URL("/api/me", stack.appUrl), jar, {
    headers: { accept: "application/json" },
  });
  assertEquals(anonymous.response.status, 401);
  assertEquals(JSON.parse(anonymous.body), { error: "unauthorized" });
  await signIn(stack, jar, { userId: ADA });
  const me = await request(new URL("/api/me", stack.appUrl), jar, {
    headers: { accept: "application/json" },
  });
  assertEquals(me.response.status, 200);
  assertEquals(JSON.parse(me.body).user.email, "ada@example.com");
});

Deno.test("built server: an impersonated session shows the impersonation banner", async () => {
  await using stack = await startStack();
  const jar = new CookieJar();
  await signIn(stack, jar, { choice: { impersonation: "0" } });
  const dashboard = await request(new URL("/dashboard", stack.appUrl), jar);
  assertStringIncludes(dashboard.body, "Hello Grace Hopper!");
  assertMatch(dashboard.body, /support@example\.com<\/strong> is signed in as this user/);
  const me = await request(new URL("/api/me", stack.appUrl), jar);
  assertEquals(JSON.parse(me.body).user.id, GRACE);
});

Deno.test("built server: short-lived tokens are refreshed and the cookie re-sealed", async () => {
  // A 30 s token is always inside the 60 s refresh margin, so every request refreshes.
  await using stack = await startStack({ accessTokenTtlSeconds: 30 });
  const jar = new CookieJar();
  await signIn(stack, jar, { userId: ADA });
  const before = jar.get("wos-session");
  stack.standIn.resetCounts();
  const dashboard = await request(new URL("/dashboard", stack.appUrl), jar);
  assertEquals(dashboard.response.status, 200);
  assertEquals(stack.standIn.counts().authenticate, 1);
  assert(jar.get("wos-session") && jar.get("wos-session") !== before, "cookie re-sealed");
});

Deno.test("built server: sign-out clears the cookie and ends the WorkOS session", async () => {
  await using stack = await startStack();
  const jar = new CookieJar();
  await signIn(stack, jar, { userId: ADA });
  const { response } = await request(new URL("/sign-out", stack.appUrl), jar, {
    method: "POST",
    headers: { origin: stack.appUrl.origin },
  });
  assertEquals(response.status, 302);
  const logout = new URL(response.headers.get("location")!);
  assertEquals(logout.pathname, "/user_management/sessions/logout");
  assertMatch(logout.searchParams.get("session_id") ?? "", /^session_/);
  assertEquals(logout.searchParams.get("return_to"), new URL("/", stack.appUrl).href);
  assertEquals(jar.get("wos-session"), undefined);

  const back = await fetch(logout, { redirect: "manual" });
  await back.body?.cancel();
  assertEquals(back.headers.get("location"), new URL("/", stack.appUrl).href);
});

Deno.test("S33 built server: a cross-site POST /sign-out is refused with 403", async () => {
  await using stack = await startStack();
  const jar = new CookieJar();
  await signIn(stack, jar, { userId: ADA });
  const { response } = await request(new URL("/sign-out", stack.appUrl), jar, {
    method: "POST",
    headers: {
      origin: "https://evil.example",
      "content-type": "application/x-www-form-urlencoded",
    },
  });
  assertEquals(response.status, 403);
  assert(jar.get("wos-session"), "session kept");
});

Deno.test("built server: /healthz answers without auth and is never cached", async () => {
  await using stack = await startStack();
  const { response, body } = await request(new URL("/healthz", stack.appUrl), new CookieJar());
  assertEquals(response.status, 200);
  // A fresh server on its own KV file: Deno KV is active, and no request has touched it yet
  // (the background revocation poll may have run).
  const health = JSON.parse(body);
  assertEquals([health.status, health.sharedState], ["ok", "kv"]);
  assertEquals([health.sharedStateOps.reads, health.sharedStateOps.writes], [0, 0]);
  assertEquals(response.headers.get("cache-control"), "no-store");
  assertEquals(stack.standIn.counts().jwks + stack.standIn.counts().authenticate, 0);
});

Deno.test("built server: static files are served and paths outside the client folder are not", async () => {
  await using stack = await startStack();
  const jar = new CookieJar();
  const icon = await request(new URL("/favicon.svg", stack.appUrl), jar);
  assertEquals(icon.response.status, 200);
  assertEquals(icon.response.headers.get("content-type"), "image/svg+xml");
  for (const path of ["/..%2f..%2fdeno.json", "/%2e%2e/%2e%2e/deno.json", "/..%5c..%5cdeno.json"]) {
    const { response, body } = await request(`${stack.appUrl.origin}${path}`, jar);
    assertEquals(response.status, 404, path);
    assert(!body.includes("nodeModulesDir"), `${path} leaked a file`);
  }
  // A path that does not decode could spell a protected one: the guard sends it to sign-in.
  const undecodable = await request(`${stack.appUrl.origin}/%C0`, jar);
  assertEquals(undecodable.response.status, 302);
  assertEquals(undecodable.response.headers.get("location"), "/sign-in?returnTo=%2F%25C0");
});

Deno.test("S46 built server: two sign-ins started in one browser (two tabs) both complete", async () => {
  await using stack = await startStack();
  const jar = new CookieJar();
  const start = async (returnTo: string) => {
    const url = new URL(`/sign-in?returnTo=${encodeURIComponent(returnTo)}`, stack.appUrl);
    const { response } = await request(url, jar);
    return new URL(response.headers.get("location")!);
  };
  const first = await start("/dashboard?tab=1");
  const second = await start("/dashboard?tab=2");
  assertEquals(jar.names().filter((n) => n.startsWith("wos-auth-state.")).length, 2);
  for (
    const [authorizeUrl, userId, lands] of [
      [second, GRACE, "/dashboard?tab=2"],
      [first, ADA, "/dashboard?tab=1"],
    ] as const
  ) {
    const complete = await completeAtStandIn(authorizeUrl, { user_id: userId });
    const callback = await request(complete.headers.get("location")!, jar);
    assertEquals(callback.response.status, 302);
    assertEquals(callback.response.headers.get("location"), lands);
  }
  assertEquals(jar.names().filter((n) => n.startsWith("wos-auth-state")), [], "both cleared");
  const dashboard = await request(new URL("/dashboard", stack.appUrl), jar);
  assertStringIncludes(dashboard.body, "Hello Ada Lovelace!", "the last sign-in wins");
});

Deno.test("S47 built server: with an https redirect URI every cookie is __Host- prefixed, and a planted plain wos-session is ignored", async () => {
  // The app believes it is served over https (the redirect URI says so); the test talks plain
  // http to it on loopback, as a TLS-terminating proxy would.
  const port = freePort();
  const https = new URL(`https://127.0.0.1:${port}`);
  const http = new URL(`http://127.0.0.1:${port}`);
  const standIn = await startStandIn({
    apiKey: "sk_test_stack_key",
    clientId: "client_stack",
    redirectUris: [new URL("/auth/callback", https).href],
    quiet: true,
  });
  const server = await startBuiltServer(port, appEnv(standIn, https));
  try {
    const jar = new CookieJar();
    const start = await request(new URL("/sign-in", http), jar);
    const stateCookie = start.response.headers.getSetCookie()[0];
    assertMatch(
      stateCookie,
      /^__Host-wos-auth-state\.[\w-]+=.+; Max-Age=\d+; Path=\/; HttpOnly; Secure; SameSite=Lax$/,
    );
    const authorizeUrl = new URL(start.response.headers.get("location")!);
    const complete = await completeAtStandIn(authorizeUrl, { user_id: ADA });
    const callbackUrl = new URL(complete.headers.get("location")!);
    assertEquals(callbackUrl.origin, https.origin);
    callbackUrl.protocol = "http:";
    const callback = await request(callbackUrl, jar);
    assertEquals(callback.response.status, 302);
    for (const header of callback.response.headers.getSetCookie()) {
      assertMatch(header, /^__Host-/);
      assertMatch(header, /; Path=\/;/);
      assertMatch(header, /; Secure;/);
      assert(!/domain=/i.test(header), header);
    }
    // A sibling subdomain (with Domain=) can only set the unprefixed name; it is never read.
    jar.set("wos-session", "Fe26.2*1*planted*by*a*sibling*sub*domain");
    const dashboard = await request(new URL("/dashboard", http), jar);
    assertEquals(dashboard.response.status, 200);
    assertStringIncludes(dashboard.body, "Hello Ada Lovelace!");
    // A garbage __Host- session is cleared under its own name, with the prefix's attributes.
    jar.set("__Host-wos-session", "garbage");
    const cleared = await request(new URL("/dashboard", http), jar);
    assertEquals(cleared.response.status, 302);
    assertMatch(
      cleared.response.headers.getSetCookie()[0],
      /^__Host-wos-session=; Max-Age=0; Path=\/; HttpOnly; Secure; SameSite=Lax$/,
    );
    assertEquals(jar.get("__Host-wos-session"), undefined);
  } finally {
    await server.stop();
    await standIn.close();
  }
});
