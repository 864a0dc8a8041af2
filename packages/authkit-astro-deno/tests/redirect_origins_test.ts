/**
 * S71: preview deployments sign in at their own origin, and nothing else moves the redirect. The
 * rules follow WorkOS's wildcard redirect URIs: one `*`, in the left-most label, never across a
 * dot.
 */
import { assert, assertEquals } from "@std/assert";
import {
  matchesRedirectOrigin,
  parseRedirectUris,
  requestAppOrigin,
} from "../src/core/redirect-origins.ts";

const CALLBACK = "/auth/callback";
const PREVIEWS =
  "https://myapp.acme.deno.net/auth/callback,https://myapp-*.acme.deno.net/auth/callback";

function parse(value: string) {
  const problems: string[] = [];
  const parsed = parseRedirectUris(value, CALLBACK, problems);
  return { parsed, problems };
}

function configFor(value: string) {
  const { parsed, problems } = parse(value);
  assertEquals(problems, []);
  return { redirectUri: parsed!.redirectUri, redirectOrigins: parsed!.origins };
}

Deno.test("parseRedirectUris() keeps one URL as it was, and reads a list with a wildcard", () => {
  const one = configFor("https://app.example/auth/callback");
  assertEquals(one.redirectUri.href, "https://app.example/auth/callback");
  assertEquals(one.redirectOrigins.length, 1);
  const list = configFor(` ${PREVIEWS.replace(",", " , ")} `);
  assertEquals(list.redirectUri.href, "https://myapp.acme.deno.net/auth/callback");
  assertEquals(list.redirectOrigins.length, 2);
});

Deno.test("S71 parseRedirectUris() refuses wildcards WorkOS would refuse, and names each entry", () => {
  const bad = [
    "https://*.acme.deno.net/auth/callback", // the first entry must be exact
    "https://app.example/auth/callback,https://*.*.example.com/auth/callback",
    "https://app.example/auth/callback,https://a*b*.example.com/auth/callback",
    "https://app.example/auth/callback,https://sub.*.example.com/auth/callback",
    "https://app.example/auth/callback,https://*.com/auth/callback",
    "https://app.example/auth/callback,https://x-*.example/auth/callback",
    "https://app.example/auth/callback,http://x-*.app.example/auth/callback", // another scheme
    "https://app.example/auth/callback,https://x-*.app.example/other",
    "https://app.example/auth/callback?x=1",
    "https://user:pw@app.example/auth/callback",
    "https://app.example/auth/callback,ftp://x-*.app.example/auth/callback",
    "https://app.example/auth/callback,not a url",
  ];
  for (const value of bad) {
    const { parsed, problems } = parse(value);
    assertEquals(parsed, undefined, value);
    assert(
      problems.length >= 1 && problems.every((p) => p.startsWith("WORKOS_REDIRECT_URI")),
      value,
    );
  }
  assertEquals(
    parse("http://localhost:4321/auth/callback,http://pr-*.localhost:4321/auth/callback").problems,
    [],
  );
});

Deno.test("S71 a wildcard matches one label's worth of letters, digits and hyphens, never across a dot", () => {
  const { redirectOrigins } = configFor(PREVIEWS);
  const allowed = (origin: string) =>
    redirectOrigins.some((entry) => matchesRedirectOrigin(origin, entry));
  // Deno Deploy's revision and branch previews, and production.
  assert(allowed("https://myapp-4f2k9x.acme.deno.net"));
  assert(allowed("https://myapp--feature-login.acme.deno.net"));
  assert(allowed("https://myapp.acme.deno.net"));
  const hostile = [
    "https://myapp-.acme.deno.net", // the * stands for at least one character
    "https://evil.example",
    "https://myapp-x.acme.deno.net.evil.example",
    "https://a.myapp-x.acme.deno.net",
    "https://myapp-x.y.acme.deno.net", // across a dot
    "https://myapp-x.other.deno.net",
    "https://xmyapp-x.acme.deno.net",
    "http://myapp-x.acme.deno.net", // another scheme
    "https://myapp-x.acme.deno.net:8443", // another port
    "https://myapp-x_y.acme.deno.net",
    "https://myapp-x.acme.deno.net.", // a trailing dot is another host name
    "null",
    "",
  ];
  for (const origin of hostile) assertEquals(allowed(origin), false, origin);
});

Deno.test("S71 requestAppOrigin() is the request's own origin when allowed, else the first entry's", () => {
  const config = configFor(PREVIEWS);
  const at = (url: string, headers: HeadersInit = {}) =>
    requestAppOrigin(new Request(url, { headers }), config);
  assertEquals(
    at("https://myapp-4f2k9x.acme.deno.net/sign-in"),
    "https://myapp-4f2k9x.acme.deno.net",
  );
  assertEquals(at("https://evil.example/sign-in"), "https://myapp.acme.deno.net");
  assertEquals(at("https://myapp-x.y.acme.deno.net/sign-in"), "https://myapp.acme.deno.net");
  // X-Forwarded-Host is never read, whatever it names.
  assertEquals(
    at("https://myapp.acme.deno.net/sign-in", { "x-forwarded-host": "myapp-4f2k9x.acme.deno.net" }),
    "https://myapp.acme.deno.net",
  );
  assertEquals(
    at("https://myapp-4f2k9x.acme.deno.net/sign-in", { "x-forwarded-host": "evil.example" }),
    "https://myapp-4f2k9x.acme.deno.net",
  );
  // One exact URL: every request speaks for it, as before lists existed.
  const single = configFor("https://app.example/auth/callback");
  assertEquals(
    requestAppOrigin(new Request("http://10.0.0.5:8085/sign-in"), single),
    "https://app.example",
  );
});
