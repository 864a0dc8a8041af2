/**
 * `path-policy.ts`: the guard's plain-path shortcut gives the answers the general reading gives
 * (S62 must not depend on which way a path went), and `pathnameOf` reads a request's path as the
 * URL parser does. Generated paths mix the characters the shortcut accepts with every piece that
 * changes a reading (escapes, case, dot segments, double slashes, `;`).
 */
import { assert, assertEquals } from "@std/assert";
import fc from "fast-check";
import { generalPolicy, pathPolicy } from "../src/core/path-policy.ts";
import { pathnameOf, routedPathname } from "../src/core/request-path.ts";
import { resolveRoutes } from "../src/core/routes.ts";

const ROUTE_MAPS = [
  resolveRoutes(),
  resolveRoutes({ protectedRoutes: ["/account", "/Admin/Reports"], apiRoutes: ["/api", "/v1"] }),
  resolveRoutes({ protectedRoutes: ["/app"], signIn: "/login", webhook: "/hooks/workos" }),
];

/** Paths from route words and the pieces that change a reading. */
const path = fc.array(
  fc.constantFrom(
    "/",
    "/",
    "/",
    "dashboard",
    "account",
    "api",
    "me",
    "v1",
    "sign-in",
    "login",
    "auth",
    "callback",
    "webhooks",
    "workos",
    "x.y",
    "_a~b",
    "-",
    "D",
    "Dashboard",
    "API",
    "admin",
    "Reports",
    "%2F",
    "%2e",
    "%61",
    "%2561",
    ".",
    "..",
    "//",
    ";",
    "%",
    "%E0",
  ),
  { maxLength: 8 },
).map((parts) => `/${parts.join("")}`);

const pattern = fc.option(
  fc.constantFrom("/", "/dashboard", "/dashboard/[id]", "/account/[...rest]", "/api/me", "/[slug]"),
  { nil: undefined },
);

Deno.test("S62 pathPolicy: the plain-path shortcut answers as the general reading does", () => {
  fc.assert(
    fc.property(path, pattern, fc.boolean(), fc.nat(ROUTE_MAPS.length - 1), (raw, p, astro, i) => {
      const routes = ROUTE_MAPS[i];
      // With Astro's own reading, as the middleware passes it, or without (a direct caller).
      const routed = routedPathname(raw);
      const route = { pathname: astro && routed !== null ? routed : undefined, routePattern: p };
      assertEquals(pathPolicy(raw, route, routes), generalPolicy(raw, route, routes), raw);
    }),
    { numRuns: 5000, seed: 26 },
  );
});

Deno.test("S62 pathPolicy: the shortcut is taken for plain paths, and protects them", () => {
  const routes = ROUTE_MAPS[0];
  assertEquals(pathPolicy("/dashboard/settings", {}, routes), {
    routed: "/dashboard/settings",
    unguarded: false,
    protected: true,
    api: false,
  });
  assertEquals(pathPolicy("/api/me", {}, routes)?.api, true);
  assertEquals(pathPolicy("/sign-in/", {}, routes)?.unguarded, true);
  assertEquals(pathPolicy("/dashboards", {}, routes)?.protected, false);
  // Not plain, so read in full: each spelling still lands on the protected prefix.
  for (
    const raw of ["/Dashboard", "/%64ashboard", "//dashboard", "/./dashboard", "/x/../dashboard"]
  ) {
    assert(pathPolicy(raw, {}, routes)?.protected, raw);
  }
  // A route Astro resolved under a protected prefix protects whatever the path said.
  assert(pathPolicy("/elsewhere", { routePattern: "/dashboard/[id]" }, routes)?.protected);
});

Deno.test("pathnameOf reads a Request's path as new URL() does", () => {
  const segment = fc.string({
    unit: fc.constantFrom("a", "/", "%", "?", "#", ".", ":", "@", "é", " ", ";"),
  });
  fc.assert(
    fc.property(
      fc.webUrl({ withQueryParameters: true, withFragments: true }),
      segment,
      (url, tail) => {
        const href =
          new Request(`${url.replace(/[?#].*$/, "")}/${tail}${url.match(/[?#].*$/)?.[0] ?? ""}`)
            .url;
        assertEquals(pathnameOf(href), new URL(href).pathname, href);
      },
    ),
    { numRuns: 2000, seed: 26 },
  );
  const withUserInfo = new Request("http://a%2Fb:c%2Fd@example.com:8080/x/y?q=/z#/w").url;
  assertEquals(pathnameOf(withUserInfo), "/x/y");
  assertEquals(pathnameOf("http://example.com"), "/");
});
