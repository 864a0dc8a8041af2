import { assert, assertEquals, assertNotMatch } from "@std/assert";
import { DEFAULT_RETURN_TO, safeReturnTo } from "../src/core/return-to.ts";

const APP_PAGE = "https://app.example/sign-in?returnTo=x";

/** What a browser does with `Location: <value>` on the app: the origin it would land on. */
function landsOn(location: string): string {
  return new URL(location, APP_PAGE).origin;
}

// Each value must come back as exactly the default path: it names another origin, or smuggles
// one past a naive prefix check (RFC 9700 §4.11, OWASP Unvalidated Redirects).
const REJECTED: [string, string][] = [
  ["absolute https", "https://evil.com/dashboard"],
  ["absolute, upper-case scheme", "HTTPS://evil.com"],
  ["scheme without slashes", "http:evil.com"],
  ["protocol-relative", "//evil.com"],
  ["protocol-relative, three slashes", "///evil.com"],
  ["slash backslash", "/\\evil.com"],
  ["backslash slash", "\\/evil.com"],
  ["double backslash", "\\\\evil"],
  ["tab between slashes", "/\t/evil.com"],
  ["newline between slashes", "/\n/evil.com"],
  ["space between slashes", "/ /evil.com"],
  ["ideographic space between slashes", "/\u3000/evil.com"],
  ["no-break space between slashes", "/\u00a0/evil.com"],
  ["dot segment collapsing to //", "/.//evil.com"],
  ["dot-dot segment collapsing to //", "/a/..//evil.com"],
  ["encoded dot segment collapsing to //", "/%2e//evil.com"],
  ["encoded slashes, no leading slash", "%2F%2Fevil.com"],
  ["encoded slashes, lower case, no leading slash", "%2f%2fevil.com"],
  ["javascript: URL", "javascript:alert(1)"],
  ["javascript: URL behind a slash-less space", " javascript:alert(1)"],
  ["data: URL", "data:text/html,<script>alert(1)</script>"],
  ["raw CR/LF header injection", "/\r\nSet-Cookie:x=1"],
  ["NUL byte", "/dash\0board"],
  ["relative path", "dashboard"],
  ["very long path", `/${"a".repeat(5000)}`],
  ["the sign-in route", "/sign-in"],
  ["the sign-in route with a query", "/sign-in?returnTo=/dashboard"],
  ["the sign-up route", "/sign-up"],
  ["the sign-out route", "/sign-out"],
  ["the callback route", "/auth/callback"],
  ["the callback route with a code", "/auth/callback?code=abc&state=def"],
  ["below the callback route", "/auth/callback/x"],
  ["empty", ""],
];

// Encoded forms stay as opaque same-origin paths: browsers never decode `%2F` or `%0d%0a` into
// path separators or header bytes, so keeping them is safe as long as they stay encoded.
const ENCODED: string[] = [
  "/%2F%2Fevil.com",
  "/%2f%2Fevil.com",
  "/%5Cevil.com",
  "/%5C%5Cevil.com",
  "/%09/evil.com",
  "/%0d%0aSet-Cookie:x=1",
  "/%0D%0ALocation:%20https://evil.com",
  "/;/evil.com",
];

Deno.test("S12 safeReturnTo() returns the default path for every hostile value", () => {
  for (const [label, value] of REJECTED) {
    assertEquals(safeReturnTo(value), DEFAULT_RETURN_TO, `${label}: ${JSON.stringify(value)}`);
  }
});

Deno.test("S12 safeReturnTo() keeps every hostile value on this origin", () => {
  const origin = new URL(APP_PAGE).origin;
  for (const value of [...REJECTED.map(([, v]) => v), ...ENCODED]) {
    const result = safeReturnTo(value);
    const label = `${JSON.stringify(value)} -> ${JSON.stringify(result)}`;
    assert(result.startsWith("/"), label);
    assert(!result.startsWith("//"), label);
    assert(!result.includes("\\"), label);
    assertEquals(landsOn(result), origin, label);
  }
});

Deno.test("S12 safeReturnTo() treats null and undefined as the default", () => {
  assertEquals(safeReturnTo(null), DEFAULT_RETURN_TO);
  assertEquals(safeReturnTo(undefined), DEFAULT_RETURN_TO);
});

Deno.test("S13 safeReturnTo() never returns raw CR, LF or other control characters", () => {
  for (const value of [...REJECTED.map(([, v]) => v), ...ENCODED]) {
    const result = safeReturnTo(value);
    // deno-lint-ignore no-control-regex
    assertNotMatch(result, /[\x00-\x1f\x7f]/, JSON.stringify(value));
    // The value must be usable as a `Location` header: building one must not throw (no 500).
    assertEquals(new Headers({ location: result }).get("location"), result);
  }
});

Deno.test("S13 safeReturnTo() keeps encoded CR/LF encoded", () => {
  assertEquals(safeReturnTo("/%0d%0aSet-Cookie:x=1"), "/%0d%0aSet-Cookie:x=1");
});

Deno.test("safeReturnTo() keeps a same-origin path with its query and hash", () => {
  const kept: [string, string][] = [
    ["/dashboard", "/dashboard"],
    ["/", "/"],
    ["/dashboard/settings?tab=profile&x=1#billing", "/dashboard/settings?tab=profile&x=1#billing"],
    ["/api/items?q=a%20b", "/api/items?q=a%20b"],
    ["/sign-in-help", "/sign-in-help"],
    ["/auth/callbacks", "/auth/callbacks"],
    [`/${"a".repeat(2000)}`, `/${"a".repeat(2000)}`],
  ];
  for (const [value, expected] of kept) assertEquals(safeReturnTo(value), expected, value);
});

Deno.test("safeReturnTo() returns the normalized path for dot segments that stay on the site", () => {
  assertEquals(safeReturnTo("/a/../dashboard?x=1"), "/dashboard?x=1");
  assertEquals(safeReturnTo("/sign-in/../dashboard"), "/dashboard");
});
