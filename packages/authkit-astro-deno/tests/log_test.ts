import { assert, assertEquals, assertFalse, assertMatch } from "@std/assert";
import { AuthError } from "../src/core/errors.ts";
import { createRequestId, logAuthFailure, logSink } from "../src/core/log.ts";

const CODE = "01HZX7Q2AUTHCODE9KD3";
const ACCESS_TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyXzAxQURBIn0.c2lnbmF0dXJl";
const REFRESH_TOKEN = "rt_9sLkQ2mXv81Pz";
const API_KEY = "sk_test_a1B2c3D4e5F6g7H8";
const COOKIE = "Fe26.2*1*0f3a9c*seal";
const SECRETS = [CODE, ACCESS_TOKEN, REFRESH_TOKEN, API_KEY, COOKIE];

/** What the WorkOS v6 client throws for `{"error":"invalid_grant","error_description":…}`. */
class OauthException extends Error {
  constructor(
    readonly status: number,
    readonly error: unknown,
    readonly errorDescription: string,
  ) {
    super(`Error: ${error}\nError Description: ${errorDescription}`);
    this.name = "OauthException";
  }
}

/** Runs `fn` with `logSink.write` captured, and returns the lines written. */
function captureLines(fn: () => void): string[] {
  const lines: string[] = [];
  const original = logSink.write;
  logSink.write = (line) => void lines.push(line);
  try {
    fn();
  } finally {
    logSink.write = original;
  }
  return lines;
}

function logOnce(error: AuthError, route = "/auth/callback", requestId = "a1b2c3d4") {
  const lines = captureLines(() => logAuthFailure(error, route, requestId));
  assertEquals(lines.length, 1, "exactly one line per failure");
  assertFalse(lines[0].includes("\n"), "a single line");
  return { line: lines[0], entry: JSON.parse(lines[0]) as Record<string, unknown> };
}

Deno.test("logAuthFailure() writes one JSON line with time, route, code, request id and cause class", () => {
  const before = Date.now();
  const cause = new OauthException(400, "invalid_grant", "The code has expired.");
  const { entry } = logOnce(new AuthError("code_rejected", { cause }));
  assertEquals(entry, {
    time: entry.time,
    level: "warn",
    event: "auth_failure",
    route: "/auth/callback",
    code: "code_rejected",
    requestId: "a1b2c3d4",
    cause: "OauthException",
    upstreamStatus: 400,
    upstreamError: "invalid_grant",
  });
  const time = Date.parse(String(entry.time));
  assert(time >= before - 1_000 && time <= Date.now() + 1_000, `time ${entry.time}`);
  assertMatch(String(entry.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
});

Deno.test("logAuthFailure() logs internal failures as errors and omits an absent cause", () => {
  const { entry } = logOnce(new AuthError("internal"), "/dashboard");
  assertEquals([entry.level, entry.route, entry.code], ["error", "/dashboard", "internal"]);
  assertFalse("cause" in entry || "upstreamStatus" in entry || "upstreamError" in entry);
  assertEquals(logOnce(new AuthError("state_mismatch")).entry.level, "warn");
});

Deno.test("S07 logAuthFailure() never writes a code, token, cookie or API key found in the cause", () => {
  const secretText =
    `code=${CODE} access=${ACCESS_TOKEN} refresh=${REFRESH_TOKEN} key=${API_KEY} ` +
    `cookie=${COOKIE}`;
  const withFields = Object.assign(new Error(secretText), {
    status: 502,
    code: CODE,
    body: { access_token: ACCESS_TOKEN },
    requestHeaders: { authorization: `Bearer ${API_KEY}` },
  });
  const causes: unknown[] = [
    new Error(secretText),
    new TypeError(`fetch failed for ${secretText}`),
    new OauthException(400, "invalid_grant", secretText),
    new OauthException(400, `invalid_grant ${CODE}`, secretText),
    new OauthException(400, API_KEY, secretText),
    new Error("outer", { cause: new Error(secretText) }),
    withFields,
    secretText,
    { message: secretText, name: "Error" },
    Object.assign(new SyntaxError(`Unexpected token in JSON at ${secretText}`), { error: CODE }),
  ];
  for (const cause of causes) {
    const { line } = logOnce(new AuthError("code_rejected", { cause }));
    for (const secret of SECRETS) {
      assertFalse(line.includes(secret), `${line} contains ${secret}`);
    }
  }
});

Deno.test("logAuthFailure() keeps upstreamError only when it is an OAuth error code", () => {
  const cases: [unknown, string | undefined][] = [
    ["invalid_grant", "invalid_grant"],
    ["access_denied", "access_denied"],
    ["invalid_grant: code expired", undefined],
    ["Invalid_Grant", undefined],
    ["<script>alert(1)</script>", undefined],
    ["invalid grant", undefined],
    ["a".repeat(65), undefined],
    ["", undefined],
    [42, undefined],
    [{ code: "invalid_grant" }, undefined],
    [CODE, undefined],
    [API_KEY, undefined],
  ];
  for (const [error, expected] of cases) {
    const { entry } = logOnce(
      new AuthError("refresh_rejected", { cause: new OauthException(400, error, "x") }),
    );
    assertEquals(entry.upstreamError, expected, JSON.stringify(error));
  }
});

Deno.test("createRequestId() returns short ids that do not repeat", () => {
  const ids = Array.from({ length: 200 }, createRequestId);
  for (const id of ids) assertMatch(id, /^[0-9a-f]{8}$/);
  assertEquals(new Set(ids).size, ids.length);
});
