/**
 * Bounded form bodies (SECURITY-CASES S52): `POST /auth/switch-organization`, `POST /sign-out`
 * and `POST /auth/sessions/revoke`
 * refuse a huge body with 413 before buffering it, by `Content-Length` and while streaming, with
 * or without a session, and change nothing.
 */
import { assert, assertEquals } from "@std/assert";
import { type Auth, createAuth } from "../src/auth.ts";
import { MAX_FORM_BYTES } from "../src/core/body.ts";
import { FAKE_ORGANIZATIONS, installFakeWorkOS, testConfig } from "./support/fake_workos.ts";
import { APP, requestWithCookies, signInAndCallback } from "./support/flow.ts";

const CHUNK = 64 * 1024;
const TOTAL = 64 * 2 ** 20; // 64 MiB offered; a bounded reader takes a sliver of it

/** A form body of `TOTAL` bytes, streamed, counting what the reader pulled. */
function hugeBody(): { stream: ReadableStream<Uint8Array>; pulled: () => number } {
  let sent = 0;
  const chunk = new TextEncoder().encode(`organizationId=${"a".repeat(CHUNK - 15)}`);
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= TOTAL) return controller.close();
      sent += chunk.byteLength;
      controller.enqueue(chunk);
    },
  }, { highWaterMark: 0 });
  return { stream, pulled: () => sent };
}

const ROUTES = ["/auth/switch-organization", "/sign-out", "/auth/sessions/revoke"] as const;

/** The auth layer's handler for each form route. */
function handlerFor(auth: Auth, path: (typeof ROUTES)[number]) {
  return {
    "/sign-out": auth.signOut,
    "/auth/switch-organization": auth.switchOrganization,
    "/auth/sessions/revoke": auth.revokeSessions,
  }[path];
}

function post(path: string, cookies: string[], body: BodyInit, headers: Record<string, string>) {
  return requestWithCookies(path, cookies, {
    method: "POST",
    headers: { origin: APP, "content-type": "application/x-www-form-urlencoded", ...headers },
    body,
  });
}

Deno.test("S52 a huge streamed form body gets 413 after at most the bound is read, and changes nothing", async (t) => {
  using fake = await installFakeWorkOS();
  const auth = createAuth(testConfig());
  const { sessionCookie } = await signInAndCallback(auth, fake);
  const before = { authenticate: fake.calls.authenticate.length, revoke: fake.calls.revoke.length };
  for (const path of ROUTES) {
    for (const cookies of [[], [sessionCookie]]) {
      await t.step(`${path}, ${cookies.length ? "with" : "without"} a cookie`, async () => {
        const body = hugeBody();
        const handle = handlerFor(auth, path);
        const response = await handle(post(path, cookies, body.stream, {}));
        assertEquals(response.status, 413);
        assertEquals(response.headers.getSetCookie(), [], "no cookie set or cleared");
        assert(body.pulled() <= MAX_FORM_BYTES + 2 * CHUNK, `read ${body.pulled()} bytes`);
        await response.body?.cancel();
      });
    }
  }
  assertEquals(fake.calls.authenticate.length, before.authenticate, "no token request");
  assertEquals(fake.calls.revoke.length, before.revoke, "no session revoked");
  assertEquals(auth.sharedState.stats.writes, 0, "nothing written to shared state");
});

Deno.test("S52 a declared Content-Length past the bound gets 413 without reading the body", async () => {
  using fake = await installFakeWorkOS();
  const auth = createAuth(testConfig());
  const { sessionCookie } = await signInAndCallback(auth, fake);
  for (const path of ROUTES) {
    const body = hugeBody();
    const handle = handlerFor(auth, path);
    const response = await handle(
      post(path, [sessionCookie], body.stream, { "content-length": String(TOTAL) }),
    );
    assertEquals(response.status, 413, path);
    assertEquals(body.pulled(), 0, `${path}: nothing read`);
    await response.body?.cancel();
  }
  assertEquals(fake.calls.revoke.length, 0);
});

Deno.test("a form within the bound (S52) still switches and signs out", async () => {
  using fake = await installFakeWorkOS();
  const auth = createAuth(testConfig());
  const { sessionCookie } = await signInAndCallback(auth, fake);
  fake.onAuthenticate = () =>
    fake.successfulAuthentication({ org_id: FAKE_ORGANIZATIONS.beta.id, role: "member" });
  const fields = new URLSearchParams({
    organizationId: FAKE_ORGANIZATIONS.beta.id,
    returnTo: `/dashboard?pad=${"x".repeat(MAX_FORM_BYTES - 200)}`,
  });
  const switched = await auth.switchOrganization(
    post("/auth/switch-organization", [sessionCookie], fields, {}),
  );
  assertEquals(switched.status, 303);
  const signedOut = await auth.signOut(post("/sign-out", [sessionCookie], "", {}));
  assertEquals(signedOut.status, 302);
});
