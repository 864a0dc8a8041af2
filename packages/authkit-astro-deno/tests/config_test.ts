import { assert, assertEquals, assertFalse, assertStringIncludes, assertThrows } from "@std/assert";
import { ConfigError, EXAMPLE_COOKIE_PASSWORD, loadConfig } from "../src/core/config.ts";

const PASSWORD = "a-real-cookie-password-0123456789-abcdef";
const OLD_PASSWORD = "an-older-cookie-password-0123456789-xyz";
const ENV = {
  WORKOS_API_KEY: "sk_test_config_key",
  WORKOS_CLIENT_ID: "client_config",
  WORKOS_REDIRECT_URI: "https://app.example/auth/callback",
  WORKOS_COOKIE_PASSWORD: PASSWORD,
};

function load(overrides: Record<string, string | undefined> = {}) {
  return loadConfig({ ...ENV, ...overrides });
}

/** The `ConfigError` that `overrides` cause. */
function problemsOf(overrides: Record<string, string | undefined>): ConfigError {
  return assertThrows(() => load(overrides), ConfigError) as ConfigError;
}

Deno.test("loadConfig() reports every missing variable at once", () => {
  const error = assertThrows(() => loadConfig({}), ConfigError) as ConfigError;
  for (const name of Object.keys(ENV)) {
    assert(error.problems.some((p) => p.startsWith(`${name} is not set`)), name);
    assertStringIncludes(error.message, name);
  }
  assertEquals(error.problems.length, 4);
});

Deno.test("loadConfig() treats blank variables as missing", () => {
  const error = problemsOf({ WORKOS_API_KEY: "  ", WORKOS_CLIENT_ID: "" });
  assertEquals(error.problems, ["WORKOS_API_KEY is not set", "WORKOS_CLIENT_ID is not set"]);
});

Deno.test("S20 loadConfig() refuses a missing, short or example cookie password", () => {
  const cases: [string, string | undefined][] = [
    ["missing", undefined],
    ["blank", "   "],
    ["31 characters", "x".repeat(31)],
    ["short", "short-secret-value"],
    ["the example value", EXAMPLE_COOKIE_PASSWORD],
    ["a map with a short entry", JSON.stringify({ 2: PASSWORD, 1: "short-secret-value" })],
    ["a map with the example", JSON.stringify({ 2: EXAMPLE_COOKIE_PASSWORD, 1: PASSWORD })],
  ];
  for (const [label, value] of cases) {
    const error = problemsOf({ WORKOS_COOKIE_PASSWORD: value });
    assertEquals(error.problems.length, 1, label);
    assertStringIncludes(error.problems[0], "WORKOS_COOKIE_PASSWORD", label);
    for (const secret of [value?.trim(), "short-secret-value", EXAMPLE_COOKIE_PASSWORD, PASSWORD]) {
      if (secret) assertFalse(error.message.includes(secret), `${label}: message leaks a password`);
    }
  }
});

Deno.test("S20 loadConfig() accepts a password of exactly 32 characters", () => {
  assertEquals(load({ WORKOS_COOKIE_PASSWORD: "p".repeat(32) }).cookiePasswords, {
    1: "p".repeat(32),
  });
});

Deno.test("loadConfig() parses the rotation form of the cookie password", () => {
  const config = load({ WORKOS_COOKIE_PASSWORD: JSON.stringify({ 2: PASSWORD, 1: OLD_PASSWORD }) });
  assertEquals(config.cookiePasswords, { 1: OLD_PASSWORD, 2: PASSWORD });
});

Deno.test("loadConfig() rejects invalid password maps without echoing them", () => {
  for (const value of ["{", "{}", "[]", '{"a":"x"}', `{"1":5}`, `{"-1":"${PASSWORD}"}`, "{null}"]) {
    const error = problemsOf({ WORKOS_COOKIE_PASSWORD: value });
    assertEquals(error.problems.length, 1, value);
    assertStringIncludes(error.problems[0], "WORKOS_COOKIE_PASSWORD", value);
    assertFalse(error.message.includes(PASSWORD), value);
  }
});

Deno.test("loadConfig() requires an absolute http(s) redirect URI", () => {
  for (const value of ["/auth/callback", "app.example/auth/callback", "ftp://app.example/cb"]) {
    const error = problemsOf({ WORKOS_REDIRECT_URI: value });
    assertEquals(error.problems.length, 1, value);
    assertStringIncludes(error.problems[0], "WORKOS_REDIRECT_URI", value);
  }
  assertStringIncludes(
    problemsOf({ WORKOS_REDIRECT_URI: "javascript:alert(1)" }).problems[0],
    "WORKOS_REDIRECT_URI",
  );
  assertEquals(load().redirectUri.href, ENV.WORKOS_REDIRECT_URI);
});

Deno.test("loadConfig() derives secure cookies from the redirect URI scheme", () => {
  assertEquals(load().secureCookies, true);
  assertEquals(
    load({ WORKOS_REDIRECT_URI: "http://localhost:4321/auth/callback" }).secureCookies,
    false,
  );
});

Deno.test("loadConfig() defaults the API to https://api.workos.com", () => {
  const config = load();
  assertEquals(config.apiBaseUrl.href, "https://api.workos.com/");
  assertEquals([config.apiHostname, config.apiPort, config.apiHttps], [
    "api.workos.com",
    undefined,
    true,
  ]);
});

Deno.test("loadConfig() builds the API base from WORKOS_API_HOSTNAME, PORT and HTTPS", () => {
  const config = load({
    WORKOS_API_HOSTNAME: "127.0.0.1",
    WORKOS_API_PORT: "8787",
    WORKOS_API_HTTPS: "false",
  });
  assertEquals(config.apiBaseUrl.origin, "http://127.0.0.1:8787");
  assertEquals([config.apiHostname, config.apiPort, config.apiHttps], ["127.0.0.1", 8787, false]);
  assertEquals(
    load({ WORKOS_API_HOSTNAME: "auth.example" }).apiBaseUrl.origin,
    "https://auth.example",
  );
  assertEquals(load({ WORKOS_API_HTTPS: "TRUE" }).apiHttps, true);
});

Deno.test("loadConfig() rejects a malformed API port or https flag", () => {
  const cases: [Record<string, string>, string][] = [
    [{ WORKOS_API_PORT: "0" }, "WORKOS_API_PORT"],
    [{ WORKOS_API_PORT: "http" }, "WORKOS_API_PORT"],
    [{ WORKOS_API_PORT: "70000" }, "WORKOS_API_PORT"],
    [{ WORKOS_API_HTTPS: "yes" }, "WORKOS_API_HTTPS"],
  ];
  for (const [overrides, name] of cases) {
    const error = problemsOf(overrides);
    assertEquals(error.problems.length, 1, JSON.stringify(overrides));
    assertStringIncludes(error.problems[0], name);
  }
});

Deno.test("loadConfig() accepts both documented issuer forms by default", () => {
  assertEquals(load().issuers, [
    "https://api.workos.com",
    "https://api.workos.com/user_management/client_config",
  ]);
  const local = load({ WORKOS_API_HOSTNAME: "localhost", WORKOS_API_PORT: "9000" });
  assertEquals(local.issuers, [
    "https://localhost:9000",
    "https://localhost:9000/user_management/client_config",
  ]);
});

Deno.test("loadConfig() lets WORKOS_ISSUER override the accepted issuers", () => {
  assertEquals(load({ WORKOS_ISSUER: "https://auth.example" }).issuers, ["https://auth.example"]);
  assertEquals(load({ WORKOS_ISSUER: " https://a.example , https://b.example ," }).issuers, [
    "https://a.example",
    "https://b.example",
  ]);
});

Deno.test("loadConfig() parses WORKOS_SESSION_MAX_AGE", () => {
  assertEquals(load().sessionMaxAgeSeconds, 7 * 24 * 60 * 60);
  assertEquals(load({ WORKOS_SESSION_MAX_AGE: "" }).sessionMaxAgeSeconds, 7 * 24 * 60 * 60);
  assertEquals(load({ WORKOS_SESSION_MAX_AGE: "3600" }).sessionMaxAgeSeconds, 3600);
  for (const value of ["0", "-60", "1.5", "an hour", "Infinity"]) {
    const error = problemsOf({ WORKOS_SESSION_MAX_AGE: value });
    assertEquals(error.problems.length, 1, value);
    assertStringIncludes(error.problems[0], "WORKOS_SESSION_MAX_AGE", value);
  }
});

Deno.test("loadConfig() sets a cookie domain only when WORKOS_COOKIE_DOMAIN is set", () => {
  assertEquals(load().cookieDomain, undefined);
  assertEquals(load({ WORKOS_COOKIE_DOMAIN: " " }).cookieDomain, undefined);
  assertEquals(load({ WORKOS_COOKIE_DOMAIN: "app.example" }).cookieDomain, "app.example");
});

Deno.test("S20 .env.example carries exactly EXAMPLE_COOKIE_PASSWORD, which loadConfig() refuses", async () => {
  const path = new URL("../../../.env.example", import.meta.url);
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw new Error(`Cannot read ${path.pathname}: the example environment file is missing`, {
      cause: error,
    });
  }
  const env: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*(?:export\s+)?([A-Z0-9_]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (match) env[match[1]] = match[2].replace(/^(["'])(.*)\1$/, "$2");
  }
  assertEquals(env.WORKOS_COOKIE_PASSWORD, EXAMPLE_COOKIE_PASSWORD);
  const error = assertThrows(() => loadConfig(env), ConfigError) as ConfigError;
  assert(error.problems.some((p) => p.startsWith("WORKOS_COOKIE_PASSWORD is the example value")));
});
