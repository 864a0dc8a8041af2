/**
 * S66: the session state written into pages and answered to browser code is data only: the
 * public fields and nothing else, inert inside `<script type="application/json">`, and read only
 * by a page of this origin.
 */
import { assert, assertEquals } from "@std/assert";
import { withAccessCheck } from "../src/session/context.ts";
import { serializeForScript, toPublicAuth } from "../src/session/public-auth.ts";
import { handleAuthState } from "../src/handlers/auth-state.ts";
import { toAuthValue } from "../src/client/auth.ts";
import type { SignedInContext } from "../src/organizations/memberships.ts";

const ACCESS_TOKEN = "eyJhbGciOiJSUzI1NiJ9.ACCESS-TOKEN-BODY.SIGNATURE";
const HOSTILE = [
  "</script><script>alert(1)</script>",
  "</SCRIPT >",
  "<!--",
  "<script>",
  "-->",
  "a\u2028b\u2029c",
  "&lt;&amp;",
  "]]>",
  "\"\\'`${x}",
];

function signedIn(firstName = "Ada"): SignedInContext {
  return {
    ...withAccessCheck({
      user: {
        id: "user_1",
        email: "ada@example.com",
        firstName,
        lastName: "Lovelace",
        profilePictureUrl: null,
      } as SignedInContext["user"],
      sessionId: "session_SECRET_ID",
      organizationId: "org_1",
      role: "admin",
      roles: ["admin"],
      permissions: ["posts:write"],
      entitlements: ["sso"],
      featureFlags: ["beta"],
      impersonator: null,
      accessToken: ACCESS_TOKEN,
      claims: { iss: "i", sub: "user_1", sid: "session_SECRET_ID", exp: 2_000_000_000 },
      expiresAt: 2_000_000_000,
      authTime: 1_900_000_000,
      credential: "cookie",
      profileKnown: true,
    }),
    organizationName: "Analytical Engines",
  };
}

Deno.test("S66 toPublicAuth() keeps the public fields and never a token or the session id", () => {
  const state = toPublicAuth(signedIn(), [
    { id: "org_1", name: "Analytical Engines", role: "admin", current: true },
  ]);
  assertEquals(Object.keys(state!).sort(), [
    "entitlements",
    "featureFlags",
    "impersonator",
    "organizationId",
    "organizationName",
    "organizations",
    "permissions",
    "role",
    "roles",
    "user",
  ]);
  const text = JSON.stringify(state);
  for (const secret of [ACCESS_TOKEN, "session_SECRET_ID", "expiresAt", "authTime", "credential"]) {
    assertEquals(text.includes(secret), false, secret);
  }
  assertEquals(toPublicAuth(null, null), null);
});

Deno.test("S66 serializeForScript() leaves no markup in hostile values and parses back to them", () => {
  for (const value of HOSTILE) {
    const json = serializeForScript({ user: { firstName: value }, list: [value] });
    assertEquals(/[<>&\u2028\u2029]/.test(json), false, json);
    assertEquals(JSON.parse(json), { user: { firstName: value }, list: [value] });
  }
  assertEquals(serializeForScript(null), "null");
});

Deno.test("S66 toAuthValue() gives the browser has() as the server's, and refuses a malformed state", () => {
  const server = signedIn();
  const browser = toAuthValue(JSON.parse(serializeForScript(toPublicAuth(server, null))))!;
  const checks = [
    { role: "admin" },
    { role: "member" },
    { permission: "posts:write" },
    { entitlement: "sso", featureFlag: "beta" },
    { featureFlag: "gamma" },
    {},
    { permisson: "posts:write" } as Record<string, string>,
  ];
  for (const check of checks) {
    assertEquals(browser.has(check), server.has(check), JSON.stringify(check));
  }
  assert(Object.isFrozen(browser));
  for (const bad of [null, "x", 1, {}, { user: {} }, { user: { id: 1 }, roles: [] }]) {
    assertEquals(toAuthValue(bad), null, JSON.stringify(bad));
  }
});

const APP = "https://app.example.com";
const stateRequest = (headers: HeadersInit) => new Request(`${APP}/auth/state`, { headers });

Deno.test("S66 the state route answers a page of this origin with the public state, never cached", async () => {
  const input = { auth: signedIn(), organizations: null, appOrigin: APP };
  const response = handleAuthState(stateRequest({ "sec-fetch-site": "same-origin" }), input);
  assertEquals(response.status, 200);
  assertEquals(response.headers.get("cache-control"), "private, no-store");
  assertEquals(response.headers.get("vary"), "Cookie");
  const body = await response.json();
  assertEquals(body.auth.user.email, "ada@example.com");
  assertEquals(JSON.stringify(body).includes(ACCESS_TOKEN), false);
  const signedOut = handleAuthState(stateRequest({ "sec-fetch-site": "same-origin" }), {
    ...input,
    auth: null,
  });
  assertEquals(await signedOut.json(), { auth: null });
});

Deno.test("S66 the state route refuses a cross-site page, and a request that says nothing", async () => {
  const input = { auth: signedIn(), organizations: null, appOrigin: APP };
  for (
    const headers of <HeadersInit[]> [
      { "sec-fetch-site": "cross-site" },
      { "sec-fetch-site": "same-site" },
      { origin: "https://evil.example" },
      { "sec-fetch-site": "same-origin", origin: "https://evil.example" },
      {},
    ]
  ) {
    const response = handleAuthState(stateRequest(headers), input);
    assertEquals(response.status, 403, JSON.stringify(headers));
    assertEquals(await response.json(), { error: "forbidden" });
    assertEquals(response.headers.get("cache-control"), "private, no-store");
  }
});

Deno.test("the client entry is at most 2 KB min+gzip beyond nanostores", async () => {
  const outdir = await Deno.makeTempDir({ prefix: "client_size_" });
  try {
    const entry = new URL("../src/client/mod.ts", import.meta.url).pathname;
    const { code, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["bundle", "--quiet", "--minify", "--platform", "browser", "--external", "nanostores"]
        .concat("--outdir", outdir, entry),
    }).output();
    assertEquals(code, 0, new TextDecoder().decode(stderr));
    const bundle = await Deno.readFile(`${outdir}/mod.js`);
    assert(new TextDecoder().decode(bundle).includes('from"nanostores"'), "nanostores left out");
    const gzipped = await new Response(
      new Blob([bundle]).stream().pipeThrough(new CompressionStream("gzip")),
    ).arrayBuffer();
    assert(gzipped.byteLength > 500, `a real bundle: ${gzipped.byteLength} bytes`);
    assert(gzipped.byteLength <= 2048, `${gzipped.byteLength} bytes min+gzip`);
  } finally {
    await Deno.remove(outdir, { recursive: true });
  }
});
