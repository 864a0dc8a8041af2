import { assertEquals } from "@std/assert";
import { resolveRoutes } from "../src/core/routes.ts";
import { createSignInPath, requireAuthWith } from "../src/helpers/require-auth.ts";
import type { SignedInContext } from "../src/organizations/memberships.ts";

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
