/**
 * `request-path.ts` (S62): the path the guard decides on is the path Astro routes. Checked
 * against Astro's own `validateAndDecodePathname` (the installed astro@7.3.5, imported by file:
 * the package does not export it), then the protection that builds on it.
 */
import { assert, assertEquals } from "@std/assert";
import fc from "fast-check";
import { MAX_DECODE_ROUNDS, routedPathname, strictPathname } from "../src/core/request-path.ts";
import { isApiPath, isProtectedPath, isProtectedRoutePattern } from "../src/core/routes.ts";

const ASTRO_PATHNAME = new URL(
  "../../../node_modules/astro/dist/core/util/pathname.js",
  import.meta.url,
);
const astro: {
  validateAndDecodePathname(pathname: string): string;
  MultiLevelEncodingError: new () => Error;
} = await import(ASTRO_PATHNAME.href);

/** What Astro 7.3.5's `FetchState` routes: its decode (raw path kept on a bad escape), slashes collapsed. */
function astroRouted(pathname: string): string | null {
  let decoded = pathname;
  try {
    decoded = astro.validateAndDecodePathname(pathname);
  } catch (error) {
    if (error instanceof astro.MultiLevelEncodingError) return null;
  }
  return decoded.replace(/\/{2,}/g, "/");
}

/** Paths built from the pieces that change a decoding: escapes of `%`, `/`, `.`, letters, bad ones. */
const hostilePath = fc.array(
  fc.constantFrom(
    "/",
    "//",
    "a",
    "pi",
    "%",
    "%25",
    "%2F",
    "%2f",
    "%2e",
    ".",
    "%61",
    "%E0",
    "%A4",
    "%G1",
    ";",
    "%3B",
    "%20",
  ),
  { maxLength: 14 },
).map((parts) => `/${parts.join("")}`);

Deno.test("S62 routedPathname() agrees with Astro's validateAndDecodePathname on hostile paths", () => {
  fc.assert(
    fc.property(hostilePath, (path) => {
      assertEquals(routedPathname(path), astroRouted(path), path);
    }),
    { numRuns: 2000, seed: 62 },
  );
});

Deno.test("S62 routedPathname() decodes to a fixed point like Astro, and refuses what Astro refuses", () => {
  const cases: [string, string | null][] = [
    ["/%2561ccount/report", "/account/report"],
    ["/%252561ccount", "/account"],
    ["//dashboard//x", "/dashboard/x"],
    ["/api%2fme", "/api%2fme"], // decodeURI keeps reserved escapes: Astro routes no /api/me here
    ["/%E0%A4%A", "/%E0%A4%A"], // a bad first escape: Astro keeps the raw path
    ["/%2525E0", "/%E0"], // a later bad round: the last good one
  ];
  for (const [path, expected] of cases) {
    assertEquals(routedPathname(path), expected, path);
    assertEquals(astroRouted(path), expected, `Astro: ${path}`);
  }
  // The deepest Astro decodes, and one more: Astro answers 400 before any middleware runs.
  const encoded = (depth: number) => `/%${"25".repeat(depth - 1)}61pi/me`;
  assertEquals(routedPathname(encoded(MAX_DECODE_ROUNDS)), "/api/me");
  assertEquals(astroRouted(encoded(MAX_DECODE_ROUNDS)), "/api/me");
  assertEquals(routedPathname(encoded(MAX_DECODE_ROUNDS + 1)), null);
  assertEquals(astroRouted(encoded(MAX_DECODE_ROUNDS + 1)), null);
});

Deno.test("S62 strictPathname() decodes every escape, resolves dot segments and folds case", () => {
  assertEquals(strictPathname("/API%2fme"), "/api/me");
  assertEquals(strictPathname("/x/%252e%252e/dashboard"), "/dashboard");
  assertEquals(strictPathname("/./dashboard/."), "/dashboard/");
  assertEquals(strictPathname("/../../dashboard"), "/dashboard");
  assertEquals(strictPathname("/%E0"), null, "undecodable");
});

Deno.test("S62 isProtectedPath() protects every path Astro routes under a protected prefix", () => {
  fc.assert(
    fc.property(hostilePath, fc.constantFrom("dashboard", "api/me"), (prefix, page) => {
      const path = `${prefix}/${page}`.replace(/^\/+/, "/");
      const routed = astroRouted(path);
      if (routed !== null && /^\/(dashboard|api)(\/|$)/i.test(routed)) {
        assert(isProtectedPath(path), path);
      }
    }),
    { numRuns: 2000, seed: 62 },
  );
  for (
    const path of [
      "/%2564ashboard",
      "/%252564ashboard/x",
      "/%2561pi/me",
      "/x/%252e%252e/dashboard",
      "/%E0/../dashboard",
    ]
  ) {
    assert(isProtectedPath(path), path);
  }
  assertEquals(isProtectedPath("/"), false);
  assertEquals(isProtectedPath("/dashboards"), false, "a prefix is a whole segment");
  assertEquals(isProtectedPath("/about/dashboard"), false);
});

Deno.test("S62 isApiPath() and isProtectedRoutePattern() read spellings and Astro's route", () => {
  assert(isApiPath("/%2561pi/me"), "an API client gets 401, not a redirect");
  assert(isApiPath("/api"));
  assertEquals(isApiPath("/apiary"), false);
  assert(isProtectedRoutePattern("/dashboard/[id]"));
  assert(isProtectedRoutePattern("/api/[...path]"));
  assertEquals(isProtectedRoutePattern("/[slug]"), false);
  assertEquals(isProtectedRoutePattern("/404"), false);
});
