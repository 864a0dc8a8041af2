import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { resolveRoutes } from "../src/core/routes.ts";
import { actionRefusal, createSignInPath, requireAuthWith } from "../src/helpers/require-auth.ts";
import type { SignedInContext } from "../src/organizations/memberships.ts";
import type { AccessCheck } from "../src/session/access.ts";
import { withAccessCheck } from "../src/session/context.ts";
import { captureLogs } from "./support/flow.ts";

const routes = resolveRoutes({ signIn: "/login", signUp: "/join" });
const signedIn = { user: { email: "ada@example.com" } } as SignedInContext;

function context(path: string, accept: string, auth: SignedInContext | null = null) {
  return {
    request: new Request(`https://app.example${path}`, { headers: { accept } }),
    locals: { auth },
  };
}

Deno.test("requireAuth() hands back the signed-in user", () => {
  assertEquals(requireAuthWith(context("/reports", "text/html", signedIn), routes), signedIn);
});

Deno.test("requireAuth() sends a signed-out browser to sign in, coming back here", () => {
  const response = requireAuthWith(context("/reports?page=2", "text/html"), routes) as Response;
  assertEquals(response.status, 302);
  assertEquals(response.headers.get("location"), "/login?returnTo=%2Freports%3Fpage%3D2");
  assertEquals(response.headers.get("cache-control"), "private, no-store");
  assertEquals(response.headers.get("vary"), "Cookie");
});

Deno.test("requireAuth() answers API paths and non-browser clients with 401 JSON", async () => {
  for (const [path, accept] of [["/api/reports", "text/html"], ["/reports", "application/json"]]) {
    const response = requireAuthWith(context(path, accept), routes) as Response;
    assertEquals(response.status, 401, path);
    assertEquals(await response.json(), { error: "unauthorized" });
  }
});

Deno.test("getSignInUrl() builds the app's route with returnTo and AuthKit's hints", () => {
  assertEquals(createSignInPath(routes), "/login");
  assertEquals(
    createSignInPath(routes, { returnTo: "/a b", organizationId: "org_1", loginHint: "a@b.c" }),
    "/login?returnTo=%2Fa+b&organizationId=org_1&loginHint=a%40b.c",
  );
  assertEquals(createSignInPath(routes, { screenHint: "sign-up" }), "/join");
});

/** A signed-in context with real `has()`: a member (`posts:read`) or an admin (`billing:manage`). */
function user(role: "member" | "admin"): SignedInContext {
  const permissions = role === "admin" ? ["posts:read", "billing:manage"] : ["posts:read"];
  return {
    ...withAccessCheck({
      user: {
        id: `user_${role}`,
        email: `${role}@example.com`,
        firstName: null,
        lastName: null,
        profilePictureUrl: null,
      },
      sessionId: "session_01",
      organizationId: "org_01",
      role,
      roles: [role],
      permissions,
      entitlements: ["audit-logs"],
      featureFlags: [],
      impersonator: null,
      accessToken: "token",
      claims: { iss: "", sub: `user_${role}`, sid: "session_01", exp: 0 },
      expiresAt: 0,
      authTime: null,
      credential: "cookie",
      profileKnown: true,
    }),
    organizationName: null,
  };
}

const BILLING: AccessCheck = { permission: "billing:manage" };

Deno.test("requireAuth(context, check) hands back a user for whom the check holds", () => {
  const admin = user("admin");
  assertEquals(requireAuthWith(context("/billing", "text/html", admin), routes, BILLING), admin);
  const both = { role: "admin", entitlement: "audit-logs" };
  assertEquals(requireAuthWith(context("/billing", "text/html", admin), routes, both), admin);
});

Deno.test("requireAuth(context, check) answers 403 when the check does not hold: a page for browsers, JSON for APIs", async () => {
  using logs = captureLogs();
  const member = user("member");
  const page = requireAuthWith(context("/billing", "text/html", member), routes, BILLING);
  assert(page instanceof Response);
  assertEquals(page.status, 403);
  assertStringIncludes(await page.text(), "Access denied");
  assertEquals(page.headers.get("cache-control"), "private, no-store");
  assertEquals(page.headers.get("vary"), "Cookie");
  for (const [path, accept] of [["/api/billing", "text/html"], ["/billing", "application/json"]]) {
    const api = requireAuthWith(context(path, accept, member), routes, BILLING);
    assert(api instanceof Response);
    assertEquals(api.status, 403, path);
    assertEquals(await api.json(), { error: "forbidden" });
    assertEquals(api.headers.get("cache-control"), "private, no-store");
  }
  assert(logs.lines.every((line) => line.includes('"forbidden"')), "logged with its code");
  // Signed out, a check changes nothing: sign in first.
  const signedOut = requireAuthWith(context("/billing", "text/html"), routes, BILLING);
  assertEquals((signedOut as Response).status, 302);
});

Deno.test("requireAuth(context, check) fails closed on an empty or misspelt check, as has() does", () => {
  using _logs = captureLogs();
  const admin = user("admin");
  const checks = [{}, { permisson: "billing:manage" }, { role: "admin", rol: "x" }];
  for (const check of checks as AccessCheck[]) {
    const answer = requireAuthWith(context("/billing", "text/html", admin), routes, check);
    assertEquals((answer as Response).status, 403, JSON.stringify(check));
  }
});

Deno.test("requireActionAuth's decision: UNAUTHORIZED signed out, FORBIDDEN without the check, else none", () => {
  assertEquals(actionRefusal(null), "UNAUTHORIZED");
  assertEquals(actionRefusal(null, BILLING), "UNAUTHORIZED");
  assertEquals(actionRefusal(user("member")), null);
  assertEquals(actionRefusal(user("member"), BILLING), "FORBIDDEN");
  assertEquals(actionRefusal(user("admin"), BILLING), null);
  assertEquals(actionRefusal(user("admin"), {}), "FORBIDDEN", "an empty check holds for nobody");
});
