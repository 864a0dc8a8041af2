/**
 * How WorkOS failures are read (SECURITY-CASES S44, S25): by HTTP status, whatever the body's
 * shape, through the real v6 client against the fake API.
 */
import { assertEquals, assertRejects } from "@std/assert";
import { RATE_LIMIT_RETRY_AFTER_SECONDS } from "../src/dev/standin/server.ts";
import { createAuth } from "../src/auth.ts";
import { loadConfig } from "../src/core/config.ts";
import type { AuthError } from "../src/core/errors.ts";
import { createWorkOSClient, isTerminalStatus, parseRetryAfter } from "../src/workos/client.ts";
import { refreshTokens } from "../src/workos/calls.ts";
import { installFakeWorkOS, json, testConfig } from "./support/fake_workos.ts";
import {
  createClock,
  refreshCalls,
  requestWithCookies,
  signInAndCallback,
} from "./support/flow.ts";
import { ADA, API_KEY, CLIENT_ID, REDIRECT_URI, withStandIn } from "./support/standin.ts";

Deno.test("S44 isTerminalStatus() reads 4xx as a dead grant, except 401, 408 and 429", () => {
  const cases: [number, boolean][] = [
    [400, true],
    [403, true],
    [404, true],
    [409, true],
    [422, true],
    [499, true],
    [401, false], // our API key is wrong: the operator's problem, not the session's
    [408, false],
    [429, false],
    [500, false],
    [502, false],
    [503, false],
    [200, false],
    [302, false],
  ];
  for (const [status, terminal] of cases) {
    assertEquals(isTerminalStatus(status), terminal, `status ${status}`);
  }
});

/** Refresh answers of every shape WorkOS and compatible servers give, and how each must read. */
const REFRESH_ANSWERS: [string, () => Response, "signed-out" | "unavailable"][] = [
  [
    "400 {error: invalid_grant}",
    () => json(400, { error: "invalid_grant", error_description: "x" }),
    "signed-out",
  ],
  [
    "400 {code: invalid_grant}",
    () => json(400, { code: "invalid_grant", message: "x" }),
    "signed-out",
  ],
  ["400 {}", () => json(400, {}), "signed-out"],
  ["403 {message}", () => json(403, { message: "Forbidden" }), "signed-out"],
  ["404 {message}", () => json(404, { message: "Not Found" }), "signed-out"],
  ["422 {code, errors}", () => json(422, { code: "invalid", errors: [] }), "signed-out"],
  ["401 (bad API key)", () => json(401, { message: "Unauthorized" }), "unavailable"],
  ["408", () => json(408, { message: "Request Timeout" }), "unavailable"],
  ["429", () => json(429, { message: "Too many requests" }), "unavailable"],
  ["500", () => json(500, { message: "Internal Server Error" }), "unavailable"],
  [
    "503 with invalid_grant in the body",
    () => json(503, { error: "invalid_grant" }),
    "unavailable",
  ],
];

Deno.test("S44 resolveSession() reads a refresh answer by status, not by body shape", async (t) => {
  for (const [name, answer, expected] of REFRESH_ANSWERS) {
    await t.step(name, async () => {
      using fake = await installFakeWorkOS();
      const clock = createClock();
      const auth = createAuth(testConfig(), { now: clock.now });
      const { sessionCookie } = await signInAndCallback(auth, fake);
      clock.advance(600); // the access token has expired: a refresh is due
      fake.onAuthenticate = answer;
      const resolution = await auth.resolveSession(
        requestWithCookies("/dashboard", [sessionCookie]),
      );
      assertEquals(resolution.kind, expected);
      if (resolution.kind === "signed-out") {
        // Terminal: the cookie goes, and the guard sends the browser to sign in.
        assertEquals([resolution.clearCookie, resolution.code], [true, "refresh_rejected"]);
      }
      assertEquals(refreshCalls(fake).length, 1);
    });
  }
});

Deno.test("S45 parseRetryAfter() reads delta-seconds, clamped to 1–30 s, and nothing else", () => {
  const cases: [string | null, number | null][] = [
    ["2", 2],
    [" 5 ", 5],
    ["0", 1],
    ["120", 30],
    ["", null],
    [null, null],
    ["-1", null],
    ["1.5", null],
    ["Wed, 21 Oct 2026 07:28:00 GMT", null], // an HTTP date: not worth trusting a clock for
    ["9".repeat(20), null],
  ];
  for (const [value, expected] of cases) assertEquals(parseRetryAfter(value), expected, `${value}`);
});

Deno.test("S45 a 429 with Retry-After keeps the refresh failure for that long, then tries again", async () => {
  using fake = await installFakeWorkOS();
  const clock = createClock();
  const auth = createAuth(testConfig(), { now: clock.now });
  const { sessionCookie } = await signInAndCallback(auth, fake);
  clock.advance(600);
  fake.onAuthenticate = () =>
    new Response(JSON.stringify({ message: "Too many requests" }), {
      status: 429,
      headers: { "content-type": "application/json", "retry-after": "2" },
    });
  const resolve = () => auth.resolveSession(requestWithCookies("/dashboard", [sessionCookie]));
  const first = await resolve();
  assertEquals(first.kind === "unavailable" && first.error.retryAfterSeconds, 2);
  clock.advance(1.9);
  assertEquals((await resolve()).kind, "unavailable");
  assertEquals(refreshCalls(fake).length, 1, "asked again only after Retry-After");
  clock.advance(0.2);
  await resolve();
  assertEquals(refreshCalls(fake).length, 2);
});

Deno.test("S45 the real v6 client against the stand-in: a 429's Retry-After reaches the AuthError", async () => {
  await withStandIn(async ({ standIn }) => {
    const config = loadConfig({
      WORKOS_API_KEY: API_KEY,
      WORKOS_CLIENT_ID: CLIENT_ID,
      WORKOS_REDIRECT_URI: REDIRECT_URI,
      WORKOS_COOKIE_PASSWORD: "retry-after-cookie-password-0123456789",
      WORKOS_API_HOSTNAME: standIn.hostname,
      WORKOS_API_PORT: String(standIn.port),
      WORKOS_API_HTTPS: "false",
    });
    const workos = await createWorkOSClient(config);
    const session = await standIn.issueSession(ADA);
    standIn.setFault("authenticate", "rate_limited");
    const error = await assertRejects(() =>
      refreshTokens(workos, config, session.refresh_token as string)
    );
    assertEquals(
      [(error as AuthError).code, (error as AuthError).retryAfterSeconds],
      ["upstream_unavailable", RATE_LIMIT_RETRY_AFTER_SECONDS],
    );
  });
});
