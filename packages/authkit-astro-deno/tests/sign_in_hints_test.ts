/**
 * `/sign-in?organizationId=…&loginHint=…` (and `/sign-up`): well-formed hints reach AuthKit's
 * authorization URL as `organization_id` and `login_hint`; anything else is dropped.
 */
import { assert, assertEquals, assertFalse } from "@std/assert";
import { createAuth } from "../src/auth.ts";
import {
  isLoginHint,
  isOrganizationId,
  MAX_LOGIN_HINT_LENGTH,
  readSignInHints,
} from "../src/core/hints.ts";
import { installFakeWorkOS, testConfig } from "./support/fake_workos.ts";
import { APP } from "./support/flow.ts";

const HOSTILE_ORGANIZATION_IDS = [
  "",
  "org_",
  "org",
  "ORG_01ACME",
  "user_01ADA",
  "org_01ACME ",
  " org_01ACME",
  "org_01ACME\r\nSet-Cookie: x=1",
  "org_01ACME&redirect_uri=https://evil.example",
  "org_../../admin",
  "org_01<script>",
  "org_01%41",
  "org_01ÄCME",
  `org_${"A".repeat(65)}`,
];

const HOSTILE_LOGIN_HINTS = [
  "",
  "ada",
  "@example.com",
  "ada@",
  "ada@@example.com",
  "ada lovelace@example.com",
  "ada@example.com\r\nX-Injected: 1",
  "ada@example.com\u0000",
  `${"a".repeat(MAX_LOGIN_HINT_LENGTH)}@example.com`,
];

Deno.test("isOrganizationId() accepts WorkOS organization ids and nothing else", () => {
  for (const id of ["org_01EXAMPLE00000000000000000", "org_01ACME", `org_${"A".repeat(64)}`]) {
    assert(isOrganizationId(id), id);
  }
  for (const id of [...HOSTILE_ORGANIZATION_IDS, null, undefined, 42, ["org_01ACME"]]) {
    assertFalse(isOrganizationId(id), JSON.stringify(id));
  }
});

Deno.test("isLoginHint() accepts an email of sane length and nothing else", () => {
  for (const email of ["ada@example.com", "grace.hopper+navy@example.co.uk"]) {
    assert(isLoginHint(email), email);
  }
  for (const hint of [...HOSTILE_LOGIN_HINTS, null, 7]) {
    assertFalse(isLoginHint(hint), JSON.stringify(hint));
  }
});

Deno.test("readSignInHints() keeps the valid hints and drops each invalid one on its own", () => {
  const params = (query: Record<string, string>) => new URLSearchParams(query);
  assertEquals(
    readSignInHints(params({ organizationId: "org_01ACME", loginHint: "ada@example.com" })),
    { organizationId: "org_01ACME", loginHint: "ada@example.com" },
  );
  assertEquals(
    readSignInHints(params({ organizationId: "org_<x>", loginHint: "ada@example.com" })),
    {
      loginHint: "ada@example.com",
    },
  );
  assertEquals(readSignInHints(params({ organizationId: "org_01ACME", loginHint: "nope" })), {
    organizationId: "org_01ACME",
  });
  assertEquals(readSignInHints(params({})), {});
});

for (const flow of ["signIn", "signUp"] as const) {
  Deno.test(`${flow}() passes organizationId and loginHint to the authorization URL`, async () => {
    using _fake = await installFakeWorkOS();
    const auth = createAuth(testConfig());
    const url = new URL(`${APP}/sign-in`);
    url.searchParams.set("organizationId", "org_01ACME");
    url.searchParams.set("loginHint", "ada@example.com");
    url.searchParams.set("returnTo", "/dashboard/settings");
    const response = await auth[flow](new Request(url));
    assertEquals(response.status, 302);
    const location = new URL(response.headers.get("location")!);
    assertEquals(location.searchParams.get("organization_id"), "org_01ACME");
    assertEquals(location.searchParams.get("login_hint"), "ada@example.com");
    assertEquals(
      location.searchParams.get("screen_hint"),
      flow === "signIn" ? "sign-in" : "sign-up",
    );
    assertEquals(location.searchParams.get("code_challenge_method"), "S256");
  });

  Deno.test(`${flow}() drops malformed hints and still starts the sign-in`, async () => {
    using _fake = await installFakeWorkOS();
    const auth = createAuth(testConfig());
    for (let i = 0; i < HOSTILE_ORGANIZATION_IDS.length; i++) {
      const url = new URL(`${APP}/sign-in`);
      url.searchParams.set("organizationId", HOSTILE_ORGANIZATION_IDS[i]);
      url.searchParams.set("loginHint", HOSTILE_LOGIN_HINTS[i % HOSTILE_LOGIN_HINTS.length]);
      const response = await auth[flow](new Request(url));
      assertEquals(response.status, 302);
      const location = new URL(response.headers.get("location")!);
      assertFalse(location.searchParams.has("organization_id"), url.search);
      assertFalse(location.searchParams.has("login_hint"), url.search);
      assertEquals(location.searchParams.getAll("redirect_uri"), [`${APP}/auth/callback`]);
    }
  });
}
