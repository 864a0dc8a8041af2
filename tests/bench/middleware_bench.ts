/// <reference path="../../src/env.d.ts" />
/**
 * `deno bench -A tests/bench/middleware_bench.ts`: the auth middleware in isolation, with a `next()`
 * that answers at once, so the figures are the middleware's own cost per request. Signed out (no
 * cookie) against signed in with a warm session cache (what every page view after the first one
 * takes), then each step of the signed-in path alone, to see where its microseconds go.
 *
 * The session is real: sealed with iron-session under the configured password, its entry in the
 * verified-session cache put there as a cache miss would, and its memberships in theirs.
 *
 * @module
 */
import type { APIContext } from "astro";
import type { AuthContext } from "../../packages/authkit-astro-deno/src/session/resolve.ts";
import {
  claimsView,
  withAccessCheck,
} from "../../packages/authkit-astro-deno/src/session/context.ts";
import type { AccessTokenClaims } from "../../packages/authkit-astro-deno/src/workos/tokens.ts";

const PAGE = "<!doctype html><html lang=en><title>Bench</title><main><h1>Hello</h1></main></html>";
Deno.env.set("WORKOS_API_KEY", "sk_test_bench");
Deno.env.set("WORKOS_CLIENT_ID", "client_bench");
Deno.env.set("WORKOS_REDIRECT_URI", "http://localhost:4321/auth/callback");
Deno.env.set("WORKOS_COOKIE_PASSWORD", "bench-cookie-password-0123456789-abcdefgh");
Deno.env.set("DENO_KV_PATH", ":memory:");

const { onRequest } = await import("../../packages/authkit-astro-deno/src/astro/middleware.ts");
const { auth: getAuth } = await import("../../packages/authkit-astro-deno/src/astro/runtime.ts");
const { createSessionCookie } = await import(
  "../../packages/authkit-astro-deno/src/session/session.ts"
);
const { readSessionCookie } = await import(
  "../../packages/authkit-astro-deno/src/session/session-cookie.ts"
);
const { withHeaders } = await import("../../packages/authkit-astro-deno/src/core/responses.ts");

const auth = getAuth();
const now = Date.now();
const user = {
  id: "user_01ADA000000000000000000000",
  email: "ada@example.com",
  firstName: "Ada",
  lastName: "Lovelace",
  profilePictureUrl: null,
};
// A realistic access token's length: the seal that carries it is about 2 KB.
const accessToken = "e".repeat(1_000);
const { headers: setCookies } = await createSessionCookie(
  {
    user,
    accessToken,
    refreshToken: "refresh_01BENCH",
    organizationId: "org_01EXAMPLE00000000000000000",
    impersonator: null,
    expiresAt: Math.floor(now / 1000) + 86_400,
    authTime: Math.floor(now / 1000),
    // deno-lint-ignore no-explicit-any
  } as any,
  auth.config,
  now,
);
const cookieHeader = setCookies.map((line) => line.split(";")[0]).join("; ");
const signedInRequest = new Request("http://localhost:4321/__bench/bare", {
  headers: { accept: "text/html", cookie: `theme=dark; ${cookieHeader}; _ga=GA1.1.12345` },
});
const signedOutRequest = new Request("http://localhost:4321/__bench/bare", {
  headers: { accept: "text/html", cookie: "theme=dark; _ga=GA1.1.12345" },
});

const seal = readSessionCookie(signedInRequest, auth.config)!.seal!;
// Built as a cache miss builds it (`resolve.ts`), from the claims a verified token carries.
const claims = {
  iss: "https://api.workos.com",
  sub: user.id,
  sid: "session_01BENCH0000000000000000000",
  org_id: "org_01EXAMPLE00000000000000000",
  role: "admin",
  roles: ["admin"],
  permissions: ["posts:read", "posts:write", "billing:manage"],
  exp: Math.floor(now / 1000) + 300,
  iat: Math.floor(now / 1000),
  auth_time: Math.floor(now / 1000),
} as AccessTokenClaims;
const context: AuthContext = withAccessCheck({
  ...claimsView(claims, accessToken),
  user,
  impersonator: null,
  credential: "cookie",
  profileKnown: true,
});
auth.cache.set(seal, context, now + 3_600_000, now);
// The user's memberships, listed once through the real loader from WorkOS's wire format (fetch
// answers here instead of WorkOS), as the first page view of a session lists them.
const ORGANIZATIONS: Record<string, string> = {
  org_01EXAMPLE00000000000000000: "Analytical Engines Ltd",
  org_01DIFFERENCE00000000000000: "Difference Engine Society",
};
const realFetch = globalThis.fetch;
globalThis.fetch = (input: RequestInfo | URL) => {
  const { pathname } = new URL(input instanceof Request ? input.url : input);
  const organizationId = pathname.match(/^\/organizations\/(.+)$/)?.[1];
  const body = organizationId ? { id: organizationId, name: ORGANIZATIONS[organizationId] } : {
    data: Object.keys(ORGANIZATIONS).map((id, i) => ({
      user_id: user.id,
      organization_id: id,
      status: "active",
      role: { slug: i === 0 ? "admin" : "member" },
    })),
  };
  return Promise.resolve(Response.json(body));
};
await auth.memberships.load(user.id);
globalThis.fetch = realFetch;
if (!Array.isArray(auth.memberships.forPage(user.id))) {
  throw new Error("the memberships did not come from the cache");
}

function contextFor(request: Request): APIContext {
  return {
    request,
    url: new URL(request.url),
    locals: {},
    routePattern: "/__bench/[fixture]",
    isPrerendered: false,
  } as unknown as APIContext;
}
const next = () =>
  Promise.resolve(new Response(PAGE, { headers: { "content-type": "text/html" } }));

// Each answer is checked once, so the bench measures the paths it names.
{
  const signedIn = contextFor(signedInRequest);
  const response = await onRequest(signedIn, next) as Response;
  if (!signedIn.locals.auth || response.headers.get("cache-control") !== "private, no-store") {
    throw new Error("the signed-in request was not served signed in");
  }
  const signedOut = contextFor(signedOutRequest);
  await onRequest(signedOut, next);
  if (signedOut.locals.auth !== null) throw new Error("the signed-out request was signed in");
}

Deno.bench("next() alone (the page stand-in)", { group: "middleware" }, async () => {
  await next();
});
Deno.bench("signed out", { group: "middleware", baseline: true }, async () => {
  await onRequest(contextFor(signedOutRequest), next);
});
Deno.bench("signed in, warm cache", { group: "middleware" }, async () => {
  await onRequest(contextFor(signedInRequest), next);
});

Deno.bench("read and join the session cookie", { group: "steps" }, () => {
  readSessionCookie(signedInRequest, auth.config);
});
Deno.bench("verified-session lookup", { group: "steps" }, () => {
  auth.cache.get(seal, Date.now());
});
Deno.bench("revocation check", { group: "steps" }, () => {
  auth.revocations.has(context.sessionId);
});
Deno.bench("resolveSession (all of the above)", { group: "steps" }, () => {
  auth.resolveSession(signedInRequest);
});
Deno.bench("organization view", { group: "steps" }, () => {
  auth.viewOrganizations(context);
});
Deno.bench("Cache-Control and Vary on the response", { group: "steps" }, async () => {
  withHeaders(await next(), [], true);
});
