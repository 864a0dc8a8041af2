/**
 * S71 on the built server: with `WORKOS_REDIRECT_URI` listing the production URL and a wildcard
 * for previews, a preview origin signs in and signs out at its own origin, and a `Host` or
 * `X-Forwarded-Host` naming any other origin never moves the redirect. Requests go over raw TCP
 * (`fetch` cannot send another `Host`), so the built server, the adapter and Astro read exactly
 * what a proxy or an attacker would send.
 */
import { assertEquals, assertStringIncludes } from "@std/assert";
import { startStandIn } from "../packages/authkit-astro-deno/src/dev/standin/server.ts";
import { CookieJar } from "./support/http_client.ts";
import { rawRequest, type RawResponse } from "./support/raw_http.ts";
import { appEnv, freePort, startBuiltServer, tempKvPath } from "./support/stack.ts";

/** A raw request to the built server on `port`, with the `Host` given. */
function send(
  port: number,
  request: {
    method?: string;
    path: string;
    host: string;
    headers?: Record<string, string>;
    body?: string;
  },
): Promise<RawResponse> {
  const { path, ...rest } = request;
  return rawRequest(new URL(`http://127.0.0.1:${port}`), { ...rest, target: path });
}

/** Keeps the answer's cookies, as a browser would. */
function keep(jar: CookieJar, response: RawResponse): void {
  jar.update(new Response(null, { headers: response.headers }));
}

async function startPreviewStack() {
  const port = freePort();
  const canonical = `http://127.0.0.1:${port}/auth/callback`;
  const previews = `http://pr-*.localhost:${port}/auth/callback`;
  const standIn = await startStandIn({
    apiKey: "sk_test_stack_key",
    clientId: "client_stack",
    // Registered as in the WorkOS dashboard: the exact URL and the wildcard one.
    redirectUris: [canonical, previews],
    quiet: true,
  });
  const kv = await tempKvPath();
  const env = {
    ...appEnv(standIn, new URL(canonical)),
    WORKOS_REDIRECT_URI: `${canonical},${previews}`,
    DENO_KV_PATH: kv.path,
  };
  const server = await startBuiltServer(port, env);
  return {
    port,
    standIn,
    async [Symbol.asyncDispose]() {
      await server.stop();
      await standIn.close();
      await kv[Symbol.asyncDispose]();
    },
  };
}

/** The `redirect_uri` that `GET /sign-in` sent to AuthKit for a request with these headers. */
async function signInRedirectUri(port: number, host: string, headers: Record<string, string> = {}) {
  const response = await send(port, { path: "/sign-in", host, headers });
  assertEquals(response.status, 302);
  return new URL(response.headers.get("location")!).searchParams.get("redirect_uri");
}

Deno.test("S71 built server: a preview origin signs in and out at its own origin", async () => {
  await using stack = await startPreviewStack();
  const preview = `pr-42.localhost:${stack.port}`;
  const jar = new CookieJar();
  const start = await send(stack.port, {
    path: "/sign-in?returnTo=%2Fdashboard",
    host: preview,
  });
  keep(jar, start);
  const authorize = new URL(start.headers.get("location")!);
  assertEquals(authorize.searchParams.get("redirect_uri"), `http://${preview}/auth/callback`);
  // The stand-in checks the redirect URI against its registered wildcard, as WorkOS does.
  const form = new URLSearchParams(authorize.searchParams);
  form.set("user_id", "user_01ADA000000000000000000000");
  const completed = await fetch(new URL("/user_management/authorize/complete", authorize), {
    method: "POST",
    body: form,
    redirect: "manual",
  });
  await completed.body?.cancel();
  const callback = new URL(completed.headers.get("location")!);
  assertEquals(callback.origin, `http://${preview}`);
  const landed = await send(stack.port, {
    path: callback.pathname + callback.search,
    host: preview,
    headers: { cookie: jar.header() },
  });
  keep(jar, landed);
  assertEquals([landed.status, landed.headers.get("location")], [302, "/dashboard"]);
  const page = await send(stack.port, {
    path: "/dashboard",
    host: preview,
    headers: { cookie: jar.header(), accept: "text/html" },
  });
  assertEquals(page.status, 200);
  assertStringIncludes(page.body, "Ada");
  // The same-origin routes take the preview's own Origin (here the islands' /auth/state).
  const state = await send(stack.port, {
    path: "/auth/state",
    host: preview,
    headers: { cookie: jar.header(), origin: `http://${preview}` },
  });
  assertEquals(state.status, 200, state.body);
  // Sign-out: the preview's own Origin is same-origin, and WorkOS sends the browser back there.
  const signOut = await send(stack.port, {
    method: "POST",
    path: "/sign-out",
    host: preview,
    headers: {
      cookie: jar.header(),
      origin: `http://${preview}`,
      "content-type": "application/x-www-form-urlencoded",
    },
    body: "x=1",
  });
  assertEquals(signOut.status, 302);
  const logout = new URL(signOut.headers.get("location")!);
  assertEquals(logout.searchParams.get("return_to"), `http://${preview}/`);
});

Deno.test("S71 built server: a Host or X-Forwarded-Host naming another origin never moves the redirect", async () => {
  await using stack = await startPreviewStack();
  const canonical = `http://127.0.0.1:${stack.port}/auth/callback`;
  const preview = `pr-42.localhost:${stack.port}`;
  for (
    const host of [
      "evil.example",
      `evil.example:${stack.port}`,
      `pr-42.evil.localhost:${stack.port}`, // the * never crosses a dot
      `pr-.localhost:${stack.port}`,
      `x.pr-42.localhost:${stack.port}`,
      `pr-42.localhost:${stack.port + 1}`,
    ]
  ) {
    assertEquals(await signInRedirectUri(stack.port, host), canonical, host);
  }
  // X-Forwarded-Host is never read: neither to reach a preview nor to leave one.
  assertEquals(
    await signInRedirectUri(stack.port, `127.0.0.1:${stack.port}`, { "x-forwarded-host": preview }),
    canonical,
  );
  assertEquals(
    await signInRedirectUri(stack.port, preview, { "x-forwarded-host": "evil.example" }),
    `http://${preview}/auth/callback`,
  );
  // A cross-site sign-out aimed at a preview is still refused.
  const signOut = await send(stack.port, {
    method: "POST",
    path: "/sign-out",
    host: preview,
    headers: { origin: "http://evil.example", "content-type": "application/x-www-form-urlencoded" },
  });
  assertEquals(signOut.status, 403);
});
