/**
 * The performance properties of issue 6, pinned as behaviour rather than timings (those are
 * `deno task bench`'s job): page views make no upstream calls, the verified-session cache stops
 * answering at its token's refresh point, and the app's cache is bounded. The first two run the
 * built server against the AuthKit stand-in (`deno task build` first).
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import {
  createAuth,
  estimateEntryBytes,
  SESSION_CACHE_BYTES,
  SESSION_CACHE_SIZE,
} from "../packages/authkit-astro-deno/src/auth.ts";
import type { AuthContext } from "../packages/authkit-astro-deno/src/session/resolve.ts";
import { testConfig } from "../packages/authkit-astro-deno/tests/support/fake_workos.ts";
import { CookieJar, request, signIn } from "./support/http_client.ts";
import { freePort, startBuiltServer, startStack } from "./support/stack.ts";

const ADA = "user_01ADA000000000000000000000";
const PAGE_VIEWS = 200;
const CONCURRENCY = 20;

Deno.test("built server: 200 signed-in page views on a fresh instance fetch the JWKS at most once and call WorkOS for nothing else", async () => {
  await using stack = await startStack();
  const jar = new CookieJar();
  await signIn(stack, jar, { userId: ADA });
  // A second instance that did not run the callback: its key cache starts empty, as after a
  // deploy or a scale-out, and the first 20 requests arrive together.
  const port = freePort();
  const fresh = await startBuiltServer(port, stack.env);
  try {
    stack.standIn.resetCounts();
    for (let wave = 0; wave < PAGE_VIEWS / CONCURRENCY; wave++) {
      const pages = await Promise.all(
        Array.from(
          { length: CONCURRENCY },
          () => request(new URL(`http://127.0.0.1:${port}/dashboard`), jar),
        ),
      );
      for (const { response, body } of pages) {
        assertEquals(response.status, 200);
        assertStringIncludes(body, "Hello Ada Lovelace!");
        assertEquals(response.headers.getSetCookie(), [], "no refresh, no re-seal");
      }
    }
    const counts = stack.standIn.counts();
    assert(counts.jwks <= 1, `JWKS fetched ${counts.jwks} times for ${PAGE_VIEWS} page views`);
    const { authorize, authenticate, logout } = counts;
    assertEquals({ authorize, authenticate, logout }, { authorize: 0, authenticate: 0, logout: 0 });
  } finally {
    await fresh.stop();
  }
});

Deno.test("built server: a verified session stops being served from the cache at its token's refresh point", async () => {
  // Tokens live 66 s and refresh 60 s before expiry, so the session is served as verified for
  // 5 to 6 s after the callback (`exp` counts whole seconds), then must be refreshed.
  await using stack = await startStack({ accessTokenTtlSeconds: 66 });
  const jar = new CookieJar();
  const signInStarted = Date.now();
  await signIn(stack, jar, { userId: ADA });
  const signedInAt = Date.now();
  const sealedAtSignIn = jar.get("wos-session");
  stack.standIn.resetCounts();

  for (let view = 0; view < 3; view++) {
    const { response } = await request(new URL("/dashboard", stack.appUrl), jar);
    assertEquals(response.status, 200);
  }
  assert(Date.now() - signInStarted < 5_000, "the first views must run inside the window");
  assertEquals(stack.standIn.counts().authenticate, 0, "inside the window: no refresh");
  assertEquals(jar.get("wos-session"), sealedAtSignIn);

  await new Promise((resolve) => setTimeout(resolve, signedInAt + 6_100 - Date.now()));
  const late = await request(new URL("/dashboard", stack.appUrl), jar);
  assertEquals(late.response.status, 200);
  assertEquals(stack.standIn.counts().authenticate, 1, "past the window: refreshed, not cached");
  assert(jar.get("wos-session") !== sealedAtSignIn, "re-sealed with the new tokens");
});

Deno.test("the app's session cache stays at SESSION_CACHE_SIZE with 100,000 distinct sessions", () => {
  const { cache } = createAuth(testConfig());
  assertEquals(cache.maxEntries, SESSION_CACHE_SIZE);
  // Finite and modest: at ~4 KB an entry (`deno task bench`), the bound caps the heap it costs.
  assert(SESSION_CACHE_SIZE <= 50_000, `SESSION_CACHE_SIZE is ${SESSION_CACHE_SIZE}`);
  const entry = {
    accessToken: "token",
    roles: [],
    permissions: [],
    entitlements: [],
    featureFlags: [],
  } as unknown as AuthContext;
  for (let i = 0; i < 100_000; i++) {
    cache.set(`Fe26.2*1*session-${i}`, entry, Number.MAX_SAFE_INTEGER);
    if (cache.size > SESSION_CACHE_SIZE) throw new Error(`size ${cache.size} after ${i + 1}`);
  }
  assertEquals(cache.size, SESSION_CACHE_SIZE);
  assertEquals(cache.get("Fe26.2*1*session-99999", 0), entry, "the newest is kept");
  assertEquals(cache.get("Fe26.2*1*session-0", 0), undefined, "the oldest is gone");
});

Deno.test("S42 estimateEntryBytes() counts the seal, the token and the claims, so large sessions fill the byte bound first", () => {
  const context = (permissions: string[], tokenLength: number) =>
    ({
      accessToken: "t".repeat(tokenLength),
      roles: ["admin"],
      permissions,
      entitlements: [],
      featureFlags: [],
    }) as unknown as AuthContext;
  const typical = estimateEntryBytes("s".repeat(2_000), context(["posts:read"], 1_000));
  const large = estimateEntryBytes(
    "s".repeat(16_000),
    context(Array.from({ length: 150 }, (_, i) => `permission-${i}`.padEnd(40, "x")), 9_000),
  );
  assert(typical > 3_000 && typical < 4_500, `typical: ${typical}`);
  assert(large > 30_000, `large: ${large}`);
  assert(SESSION_CACHE_BYTES / typical >= SESSION_CACHE_SIZE, "10,000 typical sessions fit");
  assert(SESSION_CACHE_BYTES / large < 2_000, "far fewer large ones do");
});
