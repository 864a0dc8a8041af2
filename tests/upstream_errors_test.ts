/**
 * How WorkOS failures are read (SECURITY-CASES S44, S25): by HTTP status, whatever the body's
 * shape, through the real v6 client against the fake API.
 */
import { assertEquals } from "@std/assert";
import { createAuth } from "../src/lib/auth/auth.ts";
import { isTerminalStatus } from "../src/lib/auth/workos.ts";

import { installFakeWorkOS, json, testConfig } from "./support/fake_workos.ts";
import {
  createClock,
  refreshCalls,
  requestWithCookies,
  signInAndCallback,
} from "./support/flow.ts";

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
