/**
 * The built server stops cleanly on the signals platforms send: Deno Deploy sends SIGINT and
 * SIGKILL 5 s later, process managers send SIGTERM. The handler (`src/shutdown.ts`) is appended
 * to the adapter's server by `astro.config.mjs`, so these tests run `dist/` (`deno task test`
 * builds it first).
 */
import { assert, assertEquals, assertRejects, assertStringIncludes } from "@std/assert";
import { fileURLToPath } from "node:url";
import {
  type StandIn,
  startStandIn,
} from "../packages/authkit-astro-deno/src/dev/standin/server.ts";
import { CookieJar, signIn } from "./support/http_client.ts";
import { freePort, type Stack, startBuiltServer } from "./support/stack.ts";
import { spawnServer, waitForHealth } from "./support/built_server.ts";
import { SHUTDOWN_DEADLINE_MS } from "../packages/authkit-astro-deno/src/server/shutdown.ts";

const ENTRY = fileURLToPath(new URL("../dist/server/entry.mjs", import.meta.url));
const ADA = "user_01ADA000000000000000000000";
const API_KEY = "sk_test_shutdown_key";
const CLIENT_ID = "client_shutdown";
const DEADLINE_MS = SHUTDOWN_DEADLINE_MS;

Deno.test("built server: dist/ was built with the shutdown handler", async () => {
  const entry = await Deno.readTextFile(ENTRY);
  assert(entry.includes("drainOnShutdown(stop)"), "dist/ predates the handler: deno task build");
});

Deno.test("built server: SIGTERM drains and exits 0 at once", async () => {
  await using upstream = await startUpstream();
  const server = await startBuiltServer(upstream.port, upstream.env);
  const started = performance.now();
  const status = await server.stop(); // sends SIGTERM
  assertEquals({ code: status.code, signal: status.signal }, { code: 0, signal: null });
  assert(performance.now() - started < 3_000, "exited well before the 5 s SIGKILL");
  assertStringIncludes(server.logs(), '"event":"shutdown","signal":"SIGTERM"');
});

Deno.test("built server: SIGINT, what Deno Deploy sends, drains and exits 0 at once", async () => {
  await using upstream = await startUpstream();
  const server = spawnServer({ entry: ENTRY, port: upstream.port, env: upstream.env });
  await waitForHealth(server, upstream.port);
  const started = performance.now();
  const status = await server.stop("SIGINT");
  assertEquals({ code: status.code, signal: status.signal }, { code: 0, signal: null });
  assert(performance.now() - started < 3_000, "exited well before the 5 s SIGKILL");
  assertStringIncludes(server.logs(), '"event":"shutdown","signal":"SIGINT"');
});

Deno.test("built server: a sign-in in flight at SIGTERM completes; new connections are refused", async () => {
  await using upstream = await startUpstream();
  const server = await startBuiltServer(upstream.port, upstream.env);
  const jar = new CookieJar();
  const pending = signIn(upstream.stack, jar, { userId: ADA });
  pending.catch(() => {}); // awaited below; a reset before then must fail this test, not the file
  await upstream.held; // the callback is now waiting for WorkOS's answer
  const stopped = server.stop();
  await waitUntilRefused(upstream.port);
  upstream.release();

  const callback = await pending;
  assertEquals(callback.status, 302);
  assertEquals(callback.headers.get("location"), "/dashboard");
  assert(jar.get("wos-session"), "session cookie set");
  const status = await stopped;
  assertEquals({ code: status.code, signal: status.signal }, { code: 0, signal: null });
});

Deno.test("built server: a request still running at the deadline is cut and the exit says so", async () => {
  await using upstream = await startUpstream();
  const server = await startBuiltServer(upstream.port, upstream.env);
  const pending = signIn(upstream.stack, new CookieJar(), { userId: ADA });
  pending.catch(() => {}); // the rejection is asserted below, after the exit
  await upstream.held; // never released before the deadline
  const started = performance.now();
  const status = await server.stop();
  const elapsed = performance.now() - started;
  upstream.release();
  await assertRejects(() => pending); // the connection dies with the process
  assertEquals(status.code, 1);
  assert(
    elapsed >= DEADLINE_MS - 100 && elapsed < DEADLINE_MS + 2_000,
    `exited after ${elapsed} ms`,
  );
  assertStringIncludes(server.logs(), '"event":"shutdown_timeout"');
});

/** The stand-in behind a proxy that holds the first code exchange until `release()`. */
interface Upstream extends AsyncDisposable {
  /** The app's port (free, not yet listening) and runtime environment. */
  port: number;
  env: Record<string, string>;
  stack: Stack;
  /** Resolves when the app's `POST /user_management/authenticate` reaches the proxy. */
  held: Promise<void>;
  release(): void;
}

async function startUpstream(): Promise<Upstream> {
  const port = freePort();
  const appUrl = new URL(`http://127.0.0.1:${port}`);
  const standIn = await startStandIn({
    apiKey: API_KEY,
    clientId: CLIENT_ID,
    redirectUris: [new URL("/auth/callback", appUrl).href],
    quiet: true,
  });
  const held = Promise.withResolvers<void>();
  const released = Promise.withResolvers<void>();
  const proxy = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const url = new URL(request.url);
    if (url.pathname === "/user_management/authenticate") {
      held.resolve();
      await released.promise;
    }
    return forward(request, new URL(url.pathname + url.search, standIn.url));
  });
  const env = {
    WORKOS_API_KEY: API_KEY,
    WORKOS_CLIENT_ID: CLIENT_ID,
    WORKOS_REDIRECT_URI: new URL("/auth/callback", appUrl).href,
    WORKOS_COOKIE_PASSWORD: "shutdown-test-cookie-password-0123456789",
    WORKOS_API_HOSTNAME: "127.0.0.1",
    WORKOS_API_PORT: String(proxy.addr.port),
    WORKOS_API_HTTPS: "false",
    // Tokens name the stand-in as issuer, not the proxy the app talks to.
    WORKOS_ISSUER: standIn.url.origin,
  };
  return {
    port,
    env,
    stack: stackFor(appUrl, standIn, env),
    held: held.promise,
    release: () => released.resolve(),
    async [Symbol.asyncDispose]() {
      released.resolve();
      await proxy.shutdown();
      await standIn.close();
    },
  };
}

async function forward(request: Request, target: URL): Promise<Response> {
  const headers = new Headers(request.headers);
  headers.delete("host");
  const body = request.body ? await request.arrayBuffer() : undefined;
  const response = await fetch(target, {
    method: request.method,
    headers,
    body,
    redirect: "manual",
  });
  return new Response(response.body, { status: response.status, headers: response.headers });
}

/** `signIn` only reads `appUrl`; the app process itself is managed by each test. */
function stackFor(appUrl: URL, standIn: StandIn, env: Record<string, string>): Stack {
  return { appUrl, standIn, env, logs: () => "", async [Symbol.asyncDispose]() {} };
}

/** Resolves once `port` refuses connections: the server has stopped listening. */
async function waitUntilRefused(port: number): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
    } catch (error) {
      if (error instanceof Deno.errors.ConnectionRefused) return;
      throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`port ${port} still accepts connections 2 s after the signal`);
}
