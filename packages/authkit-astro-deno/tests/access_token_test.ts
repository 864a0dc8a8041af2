/**
 * `GET /auth/access-token` (SECURITY-CASES S60) at the handler level, and the browser module
 * `getAccessToken()`'s caching, sharing and retry, against a scripted endpoint.
 */
import { assert, assertEquals, assertRejects } from "@std/assert";
import { decodeJwt } from "jose";
import { createAuth } from "../src/auth.ts";
import { createAccessTokenClient } from "../src/client/access-token.ts";
import { installFakeWorkOS, testConfig } from "./support/fake_workos.ts";
import {
  APP,
  captureLogs,
  createClock,
  getSetCookie,
  refreshCalls,
  requestWithCookies,
  signInAndCallback,
} from "./support/flow.ts";

const SAME_ORIGIN = { "sec-fetch-site": "same-origin" };

function tokenRequest(cookies: string[], headers: Record<string, string> = SAME_ORIGIN) {
  return requestWithCookies("/auth/access-token", cookies, { headers });
}

function assertPrivate(response: Response, label = ""): void {
  assertEquals(response.headers.get("cache-control"), "no-store", label);
  assertEquals(response.headers.get("vary"), "Cookie", label);
}

Deno.test("S60 GET /auth/access-token answers a same-origin request with the session's token", async () => {
  using fake = await installFakeWorkOS();
  const auth = createAuth(testConfig());
  const { sessionCookie } = await signInAndCallback(auth, fake);
  for (const headers of [SAME_ORIGIN, { origin: APP }, { ...SAME_ORIGIN, origin: APP }]) {
    const response = await auth.accessToken(tokenRequest([sessionCookie], headers));
    assertEquals(response.status, 200);
    assertPrivate(response);
    const body = await response.json();
    assertEquals(Object.keys(body).sort(), ["accessToken", "expiresAt"]);
    assertEquals(decodeJwt(body.accessToken).sub, "user_01ADA");
    assertEquals(body.expiresAt, decodeJwt(body.accessToken).exp);
    assertEquals(response.headers.getSetCookie(), []);
  }
});

Deno.test("S60 GET /auth/access-token refuses anything but this origin with 403, before reading the session", async (t) => {
  using fake = await installFakeWorkOS();
  using logs = captureLogs();
  const auth = createAuth(testConfig());
  const { sessionCookie } = await signInAndCallback(auth, fake);
  const cases: [string, Record<string, string>][] = [
    ["cross-site fetch", { "sec-fetch-site": "cross-site", origin: "https://evil.example" }],
    ["same-site (a sibling subdomain)", { "sec-fetch-site": "same-site" }],
    ["a typed URL or bookmark", { "sec-fetch-site": "none" }],
    ["another Origin only", { origin: "https://evil.example" }],
    ["a lying Origin with same-origin metadata", {
      ...SAME_ORIGIN,
      origin: "https://evil.example",
    }],
    ["Origin null", { origin: "null" }],
    ["neither header (not a browser)", {}],
  ];
  for (const [label, headers] of cases) {
    await t.step(label, async () => {
      const response = await auth.accessToken(tokenRequest([sessionCookie], headers));
      assertEquals(response.status, 403);
      assertPrivate(response);
      const body = await response.text();
      assertEquals(body, '{"error":"forbidden"}');
    });
  }
  assertEquals(logs.lines.filter((line) => line.includes('"origin_rejected"')).length, 7);
  assert(logs.lines.every((line) => !line.includes(sessionCookie.split("=")[1])));
});

Deno.test("S60 GET /auth/access-token answers 401 when signed out, clearing a dead cookie", async () => {
  using _fake = await installFakeWorkOS();
  using _logs = captureLogs();
  const auth = createAuth(testConfig());
  const none = await auth.accessToken(tokenRequest([]));
  assertEquals(none.status, 401);
  assertPrivate(none);
  assertEquals(await none.json(), { error: "unauthorized" });
  const garbage = await auth.accessToken(tokenRequest(["wos-session=Fe26.2*garbage"]));
  assertEquals(garbage.status, 401);
  assertEquals(getSetCookie(garbage, "wos-session")?.attributes["max-age"], "0");
});

Deno.test("S60 GET /auth/access-token refreshes a token within the refresh margin first, once", async () => {
  using fake = await installFakeWorkOS();
  const clock = createClock();
  const auth = createAuth(testConfig(), { now: clock.now });
  const { sessionCookie } = await signInAndCallback(auth, fake);
  clock.advance(250); // 50 s left: inside the 60 s margin
  fake.onAuthenticate = () =>
    fake.successfulAuthentication({
      iat: Math.floor(clock.ms / 1000),
      exp: Math.floor(clock.ms / 1000) + 300,
    });
  const [a, b] = await Promise.all([
    auth.accessToken(tokenRequest([sessionCookie])),
    auth.accessToken(tokenRequest([sessionCookie])),
  ]);
  assertEquals(refreshCalls(fake).length, 1, "one refresh for both");
  for (const response of [a, b]) {
    assertEquals(response.status, 200);
    const { expiresAt } = await response.json();
    assertEquals(expiresAt, Math.floor(clock.ms / 1000) + 300);
    assert(getSetCookie(response, "wos-session")?.value, "the refreshed session is set");
  }
});

/** A scripted `/auth/access-token`: answers in turn, counting requests. */
function scriptedEndpoint(answers: (() => Response)[]) {
  const calls: RequestInit[] = [];
  const fetch = (_input: RequestInfo | URL, init?: RequestInit) => {
    calls.push(init ?? {});
    const answer = answers[Math.min(calls.length, answers.length) - 1];
    return Promise.resolve(answer());
  };
  return { calls, fetch: fetch as typeof globalThis.fetch };
}

const token = (name: string, expiresAt: number) => () =>
  Response.json({ accessToken: name, expiresAt });

Deno.test("getAccessToken() shares one request among concurrent callers and reuses the token until its margin", async () => {
  let now = 1_000_000_000_000;
  const expiresAt = now / 1000 + 300;
  const endpoint = scriptedEndpoint([token("first", expiresAt), token("second", expiresAt + 300)]);
  const client = createAccessTokenClient({ fetch: endpoint.fetch, now: () => now });
  const tokens = await Promise.all(Array.from({ length: 10 }, () => client.getAccessToken()));
  assertEquals(new Set(tokens), new Set(["first"]));
  assertEquals(endpoint.calls.length, 1);
  assertEquals(endpoint.calls[0].credentials, "same-origin");
  now += 239_000; // 61 s left
  assertEquals(await client.getAccessToken(), "first");
  assertEquals(endpoint.calls.length, 1);
  now += 2_000; // 59 s left: inside the margin
  assertEquals(await client.getAccessToken(), "second");
  assertEquals(endpoint.calls.length, 2);
});

Deno.test("getAccessToken() retries once on 401, then answers null (signed out); other failures reject", async () => {
  const unauthorized = () => Response.json({ error: "unauthorized" }, { status: 401 });
  const retried = scriptedEndpoint([unauthorized, token("after retry", 2e9)]);
  const client = createAccessTokenClient({ fetch: retried.fetch });
  assertEquals(await client.getAccessToken(), "after retry");
  assertEquals(retried.calls.length, 2);

  const signedOut = scriptedEndpoint([unauthorized]);
  const outClient = createAccessTokenClient({ fetch: signedOut.fetch });
  assertEquals(await outClient.getAccessToken(), null);
  assertEquals(signedOut.calls.length, 2, "one retry, no more");

  for (const status of [403, 503]) {
    const failing = scriptedEndpoint([() => Response.json({ error: "x" }, { status })]);
    const failingClient = createAccessTokenClient({ fetch: failing.fetch });
    await assertRejects(() => failingClient.getAccessToken(), Error, String(status));
  }
  const malformed = scriptedEndpoint([() => Response.json({ accessToken: 1 })]);
  await assertRejects(
    () => createAccessTokenClient({ fetch: malformed.fetch }).getAccessToken(),
    Error,
    "malformed",
  );
});
