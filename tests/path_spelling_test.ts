/**
 * S62, differentially against both built apps: every protected route, under spellings that a
 * guard and Astro's router might read differently (percent-encoding once, twice, three times,
 * `%2f`, `//`, `/./`, case, a trailing `/`, `.`, `;`), sent byte for byte over TCP. The same
 * request is made signed in and signed out: wherever the signed-in request reaches the page (so
 * Astro routes that spelling to it), the signed-out one must get the guard's answer, with the
 * guard's headers. The canary pages (`/dashboard/report`, `/account/report`) have no check of
 * their own and print a marker when rendered signed out: it must never show.
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { fileURLToPath } from "node:url";
import { CookieJar, signIn } from "./support/http_client.ts";
import { rawGet, type RawResponse } from "./support/raw_http.ts";
import { MINIMAL_EXAMPLE_ENTRY, startStack } from "./support/stack.ts";

const ADA = "user_01ADA000000000000000000000";
const MARKER = "S62-RENDERED-SIGNED-OUT";

/**
 * The routes of an app's pages folder under `prefixes`: each page and endpoint file as the path
 * Astro serves it (`index` is its folder), so a page added later is covered without editing
 * this test.
 */
function protectedRoutes(pagesFolder: URL, prefixes: string[]): string[] {
  const routes: string[] = [];
  const walk = (folder: string, base: string) => {
    for (const entry of Deno.readDirSync(folder)) {
      if (entry.isDirectory) walk(`${folder}/${entry.name}`, `${base}/${entry.name}`);
      else if (/\.(astro|ts)$/.test(entry.name)) {
        const name = entry.name.replace(/\.(astro|ts)$/, "");
        if (name.includes("[")) throw new Error(`A dynamic route needs a sample: ${entry.name}`);
        routes.push(name === "index" ? base || "/" : `${base}/${name}`);
      }
    }
  };
  walk(fileURLToPath(pagesFolder), "");
  return routes.filter((route) =>
    prefixes.some((prefix) => route === prefix || route.startsWith(`${prefix}/`))
  ).sort();
}

/**
 * `text` with its character at `index` percent-encoded, then the escape's `%` encoded again
 * `depth - 1` times (`a` → `%61` → `%2561` → `%252561`).
 */
function encodeAt(text: string, index: number, depth: number, upper = true): string {
  const hex = text.charCodeAt(index).toString(16).padStart(2, "0");
  const escaped = `%${"25".repeat(depth - 1)}${upper ? hex.toUpperCase() : hex}`;
  return text.slice(0, index) + escaped + text.slice(index + 1);
}

/**
 * Spellings of `route`, about two dozen: the first letter of the first and the last segment and
 * the first inner slash encoded once, twice and three times, then slashes, dot segments, case
 * and suffixes. Deterministic, so a failure names a spelling that fails again.
 */
function spellingsOf(route: string): string[] {
  const slashes = [...route.matchAll(/\//g)].map((match) => match.index);
  const lastSegment = slashes[slashes.length - 1] + 1;
  const positions = new Set([1, lastSegment, ...slashes.slice(1, 2)]);
  const spellings = new Set<string>([route]);
  for (const position of positions) {
    for (const depth of [1, 2, 3]) spellings.add(encodeAt(route, position, depth));
  }
  if (slashes.length > 1) spellings.add(encodeAt(route, slashes[1], 1, false)); // %2f
  const [first, ...rest] = route.slice(1).split("/");
  const below = rest.length > 0 ? `/${rest.join("/")}` : "";
  spellings.add(`/${route}`); // //dashboard
  spellings.add(route.replaceAll("/", "//"));
  spellings.add(`/.${route}`); // /./dashboard
  spellings.add(`/${first}/.${below || "/"}`);
  spellings.add(`/%2e${route}`);
  spellings.add(`/%252e${route}`);
  spellings.add(`/x/..${route}`);
  spellings.add(`/x/%252e%252e${route}`);
  spellings.add(route.toUpperCase());
  spellings.add(`/${first[0].toUpperCase()}${first.slice(1)}${below}`);
  for (const suffix of ["/", ".", ";", ";x", ".html", "/index.html"]) {
    spellings.add(`${route}${suffix}`);
  }
  spellings.add(`/${encodeAt(route, 1, 2)}`); // double-encoded behind a double slash
  return [...spellings];
}

/** An answer of the guard: its redirect to sign-in (pages) or its 401 (API), never cacheable. */
function assertGuardAnswer(spelling: string, response: RawResponse, api: boolean): void {
  if (api) {
    assertEquals(response.status, 401, spelling);
    assertEquals(JSON.parse(response.body), { error: "unauthorized" }, spelling);
  } else {
    assertEquals(response.status, 302, spelling);
    assert(response.headers.get("location")?.startsWith("/sign-in?returnTo="), spelling);
  }
  assertEquals(response.headers.get("cache-control"), "private, no-store", spelling);
  assert(/(^|,)\s*cookie\s*(,|$)/i.test(response.headers.get("vary") ?? ""), spelling);
}

interface Differential {
  /** Spellings other than the route itself that reached the page signed in. */
  routedAliases: string[];
  requests: number;
}

/**
 * Requests every spelling of every route signed in and signed out, asserts S62 on each pair,
 * and returns which spellings Astro routed to a protected page.
 */
async function checkSpellings(
  appUrl: URL,
  cookie: string,
  routes: string[],
): Promise<Differential> {
  const html = { accept: "text/html" };
  const result: Differential = { routedAliases: [], requests: 0 };
  for (const route of routes) {
    const api = route.startsWith("/api");
    for (const spelling of spellingsOf(route)) {
      const signedIn = await rawGet(appUrl, spelling, { ...html, cookie });
      const signedOut = await rawGet(appUrl, spelling, html);
      result.requests += 2;
      assert(signedOut.status < 500, `${spelling}: ${signedOut.status}`);
      assert(!signedOut.body.includes(MARKER), `${spelling} rendered the page signed out`);
      assert(signedOut.status !== 200, `${spelling} answered 200 signed out`);
      if (signedIn.status === 200) {
        // Astro routed this spelling to a protected page: only the guard may answer it.
        assertGuardAnswer(spelling, signedOut, api);
        if (spelling !== route) result.routedAliases.push(spelling);
      } else if (signedOut.status === 400 || signedOut.status === 404) {
        // Astro refuses (encoded too deeply) or routes it nowhere, for everyone alike.
        assertEquals(signedIn.status, signedOut.status, spelling);
      } else {
        assertGuardAnswer(spelling, signedOut, api);
      }
    }
    // Past Astro's decode limit: refused with 400 before anything renders.
    const tooDeep = await rawGet(appUrl, encodeAt(route, 1, 12), html);
    result.requests += 1;
    assertEquals(tooDeep.status, 400, route);
    assert(!tooDeep.body.includes(MARKER));
  }
  return result;
}

async function signedInCookie(stack: Awaited<ReturnType<typeof startStack>>): Promise<string> {
  const jar = new CookieJar();
  await signIn(stack, jar, { userId: ADA });
  return jar.header();
}

Deno.test("S62 built server: no spelling of a protected route reaches it signed out (this app)", async () => {
  await using stack = await startStack();
  const routes = protectedRoutes(new URL("../src/pages/", import.meta.url), ["/dashboard", "/api"]);
  assert(routes.includes("/dashboard/report") && routes.includes("/api/me"), routes.join(" "));
  const cookie = await signedInCookie(stack);
  const canary = await rawGet(stack.appUrl, "/dashboard/report", { cookie });
  assertStringIncludes(canary.body, "Prepared for ada@example.com", "the canary renders signed in");

  const { routedAliases, requests } = await checkSpellings(stack.appUrl, cookie, routes);
  // The bypass the review found, and its kind: spellings Astro routes to the page.
  for (const alias of ["/%2564ashboard/report", "/%2561pi/me", "//dashboard", "/dashboard/"]) {
    assert(routedAliases.includes(alias), `${alias} should reach the page signed in`);
  }
  assert(requests < 400, `${requests} requests`);
});

Deno.test("S62 built server: no spelling of a protected route reaches it signed out (examples/minimal)", async () => {
  await using stack = await startStack({ entry: MINIMAL_EXAMPLE_ENTRY });
  const routes = protectedRoutes(
    new URL("../examples/minimal/src/pages/", import.meta.url),
    ["/account"],
  );
  assertEquals(routes, ["/account", "/account/report"]);
  const cookie = await signedInCookie(stack);

  const { routedAliases, requests } = await checkSpellings(stack.appUrl, cookie, routes);
  for (const alias of ["/%2561ccount/report", "/%2561ccount", "/%252561ccount/report"]) {
    assert(routedAliases.includes(alias), `${alias} should reach the page signed in`);
  }
  assert(requests < 150, `${requests} requests`);
});
