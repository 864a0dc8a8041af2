/**
 * `Astro.locals.auth.claims`: the verified access token's payload, custom claims (a WorkOS JWT
 * template's) included, frozen like the rest of the context.
 */
import { assert, assertEquals, assertThrows } from "@std/assert";
import { createAuth } from "../src/auth.ts";
import { defaultClaims, installFakeWorkOS, testConfig } from "./support/fake_workos.ts";
import { requestWithCookies, signInAndCallback } from "./support/flow.ts";

const CUSTOM = { department: "Engineering", tier: { level: 2, labels: ["beta"] } };

Deno.test("auth.claims holds the verified payload with custom claims, deeply frozen", async () => {
  using fake = await installFakeWorkOS();
  const auth = createAuth(testConfig());
  const { sessionCookie } = await signInAndCallback(auth, fake, {
    claims: { ...defaultClaims(), ...CUSTOM },
  });
  const resolution = await auth.resolveSession(requestWithCookies("/dashboard", [sessionCookie]));
  assert(resolution.kind === "signed-in");
  const { claims } = resolution.auth;
  assertEquals(claims.department, "Engineering");
  assertEquals(claims.tier, CUSTOM.tier);
  assertEquals(claims.sid, resolution.auth.sessionId);
  assertEquals(claims.sub, resolution.auth.user.id);
  assertEquals(claims.exp, resolution.auth.expiresAt);
  assert(Object.isFrozen(claims) && Object.isFrozen(claims.tier));
  assertThrows(() => {
    (claims as Record<string, unknown>).department = "Sales";
  }, TypeError);
  assertThrows(() => (claims.tier as { labels: string[] }).labels.push("admin"), TypeError);
});
