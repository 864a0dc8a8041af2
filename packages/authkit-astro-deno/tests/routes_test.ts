import { assertEquals, assertThrows } from "@std/assert";
import { loadConfig } from "../src/core/config.ts";
import { safeReturnTo } from "../src/core/return-to.ts";
import {
  DEFAULT_ROUTES,
  isProtectedPath,
  isUnguardedRoute,
  resolveRoutes,
} from "../src/core/routes.ts";
import { resolveOptions } from "../src/astro/options.ts";

const ENV = {
  WORKOS_API_KEY: "sk_test_x",
  WORKOS_CLIENT_ID: "client_x",
  WORKOS_REDIRECT_URI: "https://app.example/auth/callback",
  WORKOS_COOKIE_PASSWORD: "a-cookie-password-of-at-least-32-characters",
};

Deno.test("resolveRoutes() keeps today's paths when no option is given", () => {
  const routes = resolveRoutes();
  assertEquals(routes.protected, ["/dashboard", "/api"]);
  assertEquals(
    [routes.signIn, routes.signUp, routes.callback, routes.signOut, routes.webhook],
    ["/sign-in", "/sign-up", "/auth/callback", "/sign-out", "/webhooks/workos"],
  );
  assertEquals([routes.afterSignIn, routes.afterSignOut], ["/dashboard", "/"]);
});

Deno.test("resolveRoutes() names every path that is not a plain absolute path", () => {
  const hostile = [
    "sign-in",
    "//evil.example",
    "/a?b",
    "/a#b",
    "/a/../b",
    "/a b",
    "https://evil.example/x",
    "/a\\b",
  ];
  for (const value of hostile) {
    const problems: string[] = [];
    resolveRoutes({ signIn: value }, problems);
    assertEquals(problems.length, 1, value);
  }
  const problems: string[] = [];
  resolveRoutes({ protectedRoutes: ["/", "account"] }, problems);
  assertEquals(problems.length, 2, "the root and a relative prefix are refused");
});

Deno.test("afterSignInPath defaults to the first protected route given, else /", () => {
  assertEquals(
    resolveRoutes({ protectedRoutes: ["/account", "/billing"] }).afterSignIn,
    "/account",
  );
  assertEquals(resolveRoutes({ protectedRoutes: ["/app/"] }).afterSignIn, "/app");
  assertEquals(resolveRoutes({ protectedRoutes: [] }).afterSignIn, "/");
  assertEquals(resolveRoutes().afterSignIn, "/dashboard", "the default protected route");
  assertEquals(
    resolveRoutes({ protectedRoutes: ["/account"], afterSignInPath: "/welcome" }).afterSignIn,
    "/welcome",
    "an explicit option wins",
  );
  // A bad first prefix is reported by resolveRoutes; the landing falls back to the root.
  assertEquals(resolveRoutes({ protectedRoutes: ["//evil.example"] }, []).afterSignIn, "/");
});

Deno.test("custom routes move the guard, the exemptions and returnTo with them", () => {
  const routes = resolveRoutes({
    protectedRoutes: ["/Account/"],
    signIn: "/login",
    callback: "/oauth/done",
    afterSignInPath: "/account",
  });
  assertEquals(isProtectedPath("/account/settings", routes), true);
  assertEquals(isProtectedPath("/ACCOUNT", routes), true, "case-folded as before");
  assertEquals(isProtectedPath("/dashboard", routes), false, "only what the app protects");
  assertEquals(isUnguardedRoute("/login", routes), true);
  assertEquals(isUnguardedRoute("/sign-in", routes), false);
  assertEquals(safeReturnTo("/login/x", routes), "/account", "never back into an auth route");
  assertEquals(safeReturnTo("//evil.example", routes), "/account");
  assertEquals(safeReturnTo("/reports?q=1", routes), "/reports?q=1");
  assertEquals(isUnguardedRoute("/sign-in", DEFAULT_ROUTES), true);
});

Deno.test("loadConfig() refuses a redirect URI whose path is not the callback route", () => {
  const error = assertThrows(() =>
    loadConfig({ ...ENV, WORKOS_REDIRECT_URI: "https://app.example/callback" })
  );
  assertEquals((error as Error).message.includes('"/auth/callback"'), true);
  const config = loadConfig(
    { ...ENV, WORKOS_REDIRECT_URI: "https://app.example/oauth/done" },
    { callback: "/oauth/done" },
  );
  assertEquals(config.routes.callback, "/oauth/done");
});

Deno.test("resolveOptions() applies the defaults and reports every bad option at once", () => {
  const resolved = resolveOptions();
  assertEquals([resolved.organizations, resolved.healthPath], [true, "/healthz"]);
  assertEquals(resolveOptions({ healthPath: false }).healthPath, null);
  const error = assertThrows(() => resolveOptions({ signOut: "logout", healthPath: "health" }));
  const message = (error as Error).message;
  assertEquals(message.includes("signOut"), true);
  assertEquals(message.includes("healthPath"), true);
});
