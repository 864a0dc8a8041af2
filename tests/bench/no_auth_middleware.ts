/// <reference path="../../src/env.d.ts" />
/**
 * The middleware of the benchmark's `no-auth` build (see `build.ts`): the app with its auth layer
 * switched off. It reads no cookie, verifies nothing and imports no auth module (only types), yet
 * gives pages the same signed-in user the benchmark signs in as, so `/dashboard` renders the
 * same 200 page. The cold-start difference between the two builds is then the auth layer's own
 * cost: loading it, validating config at start, fetching the JWKS, opening and verifying the
 * first session.
 *
 * @module
 */
import type { MiddlewareHandler } from "astro";
import type {
  OrganizationChoice,
  SignedInContext,
} from "../../packages/authkit-astro-deno/src/organizations/memberships.ts";

// Ada from the stand-in's `seed.json`, as the real middleware resolves her.
const ADA: SignedInContext = {
  user: {
    id: "user_01ADA000000000000000000000",
    email: "ada@example.com",
    firstName: "Ada",
    lastName: "Lovelace",
    profilePictureUrl: null,
  },
  sessionId: "session_01BENCH0000000000000000000",
  organizationId: "org_01EXAMPLE00000000000000000",
  role: "admin",
  roles: ["admin"],
  permissions: ["posts:read", "posts:write", "billing:manage"],
  entitlements: ["audit-logs", "sso"],
  featureFlags: ["new-dashboard"],
  impersonator: null,
  accessToken: "not-verified-in-this-build",
  claims: { iss: "", sub: "user_01ADA000000000000000000000", sid: "", exp: 1_900_000_000 },
  has: () => false, // the dashboard asks nothing of it
  isRecent: () => false,
  expiresAt: 1_900_000_000,
  authTime: 1_899_999_700,
  credential: "cookie",
  profileKnown: true,
  organizationName: "Analytical Engines Ltd",
};

// Her memberships, as the real middleware lists them from its cache.
const ORGANIZATIONS: OrganizationChoice[] = [
  {
    id: "org_01EXAMPLE00000000000000000",
    name: "Analytical Engines Ltd",
    role: "admin",
    current: true,
  },
  {
    id: "org_01DIFFERENCE00000000000000",
    name: "Difference Engine Society",
    role: "member",
    current: false,
  },
];

/** Every request is Ada's. */
export const onRequest: MiddlewareHandler = (context, next) => {
  context.locals.auth = ADA;
  context.locals.organizations = ORGANIZATIONS;
  return next();
};
