/**
 * A fake WorkOS API behind a stubbed `globalThis.fetch`, with real crypto: an RSA key generated
 * per fake, real RS256 tokens, a real JWKS document. Both `@workos-inc/node` and jose's remote
 * JWKS call the global `fetch`, so stubbing it intercepts every upstream call.
 *
 * This is the one place that stubs `fetch`; tests switch behaviour through `onAuthenticate` and
 * `onJwks` and read what was called from `calls`.
 *
 * @module
 */
import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import { type AuthConfig, loadConfig } from "../../src/core/config.ts";

/** Base URL of the fake API; the config in `testConfig` points the WorkOS client at it. */
export const FAKE_API = "https://api.workos.test";
export const CLIENT_ID = "client_test";
export const API_KEY = "sk_test_fake_key_1234567890";
export const USER = {
  id: "user_01ADA",
  email: "ada@example.com",
  first_name: "Ada",
  last_name: "Lovelace",
  profile_picture_url: null,
};

/** A config for tests; `overrides` replace environment variables. */
export function testConfig(overrides: Record<string, string | undefined> = {}): AuthConfig {
  return loadConfig({
    WORKOS_API_KEY: API_KEY,
    WORKOS_CLIENT_ID: CLIENT_ID,
    WORKOS_REDIRECT_URI: "http://localhost:4321/auth/callback",
    WORKOS_COOKIE_PASSWORD: "test-cookie-password-0123456789-abcdefghij",
    WORKOS_API_HOSTNAME: "api.workos.test",
    ...overrides,
  });
}

/** A signing key: private for the fake, public JWK for the JWKS. */
export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

/** Generates a fresh RS256 key with `kid`. */
export async function createSigningKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" };
  return { kid, privateKey, publicJwk };
}

/** Claims a WorkOS access token carries, for `USER`, valid for five minutes from `nowSeconds`. */
export function defaultClaims(nowSeconds = Math.floor(Date.now() / 1000)) {
  return {
    iss: FAKE_API,
    sub: USER.id,
    sid: "session_01TEST",
    org_id: "org_01ACME",
    role: "admin",
    roles: ["admin"],
    permissions: ["posts:read", "posts:write"],
    entitlements: ["audit-logs"],
    feature_flags: ["beta"],
    jti: crypto.randomUUID(),
    iat: nowSeconds,
    exp: nowSeconds + 300,
  };
}

/** Signs `claims` (merged over `defaultClaims`; `undefined` drops one) as an RS256 JWT. */
export function signToken(
  key: SigningKey,
  claims: Record<string, unknown> = {},
): Promise<string> {
  const payload = Object.fromEntries(
    Object.entries({ ...defaultClaims(), ...claims }).filter(([, value]) => value !== undefined),
  );
  return new SignJWT(payload).setProtectedHeader({ alg: "RS256", kid: key.kid, typ: "JWT" })
    .sign(key.privateKey);
}

type Handler = (body: Record<string, unknown>) => Response | Promise<Response>;

/** `USER`'s memberships in the fake: two active organizations and a pending invitation. */
export const FAKE_ORGANIZATIONS = {
  acme: { id: "org_01ACME", name: "Acme Corp", role: "admin", status: "active" },
  beta: { id: "org_01BETA", name: "Beta Industries", role: "member", status: "active" },
  pending: { id: "org_01PENDING", name: "Pending Ltd", role: "member", status: "pending" },
};

import { json, membershipList } from "./wire.ts";

export { json, membershipList, sessionList } from "./wire.ts";

/** The installed fake. Dispose it (`using`) to restore `fetch`. */
export interface FakeWorkOS extends Disposable {
  key: SigningKey;
  /** Keys published in the JWKS (add one to simulate rotation). */
  jwksKeys: SigningKey[];
  calls: {
    authenticate: Record<string, unknown>[];
    jwks: number;
    /** Bodies of `POST /user_management/sessions/revoke`. */
    revoke: Record<string, unknown>[];
    other: string[];
  };
  /** Answers `POST /user_management/authenticate`; defaults to `successfulAuthentication`. */
  onAuthenticate: Handler;
  /** Answers `GET /sso/jwks/:clientId`; defaults to the JWKS of `jwksKeys`. */
  onJwks: () => Response | Promise<Response>;
  /** Answers `POST /user_management/sessions/revoke`; defaults to `{"success":true}`. */
  onRevoke: () => Response | Promise<Response>;
  /** `GET` calls to the organization endpoints, as `path?query`. */
  apiCalls: string[];
  /** Answers `GET /user_management/organization_memberships`; defaults to `FAKE_ORGANIZATIONS`. */
  onMemberships: (query: URLSearchParams) => Response | Promise<Response>;
  /** Answers `GET /organizations/:id`; defaults to the names in `FAKE_ORGANIZATIONS`. */
  onOrganization: (id: string) => Response | Promise<Response>;
  /** Answers `GET /user_management/users/:id/sessions`; defaults to none (`sessionList`). */
  onSessions: (userId: string) => Response | Promise<Response>;
  /** Answers `POST /api_keys/validations`; defaults to `{"api_key": null}` (no such key). */
  onValidateApiKey: (value: unknown) => Response | Promise<Response>;
  /** The wire answer WorkOS gives to a successful code exchange or refresh. */
  successfulAuthentication(claims?: Record<string, unknown>): Promise<Response>;
}

// RSA key generation dominates the suite's run time; one real key per test process is enough
// (tests that need a stranger's or a rotated key create their own).
let sharedKey: Promise<SigningKey> | undefined;

/** Replaces `globalThis.fetch` with the fake WorkOS API until disposed. */
export async function installFakeWorkOS(): Promise<FakeWorkOS> {
  const key = await (sharedKey ??= createSigningKey("key_1"));
  const originalFetch = globalThis.fetch;
  let refreshCount = 0;

  const fake: FakeWorkOS = {
    key,
    jwksKeys: [key],
    calls: { authenticate: [], jwks: 0, revoke: [], other: [] },
    async successfulAuthentication(claims = {}) {
      return json(200, {
        user: {
          object: "user",
          ...USER,
          email_verified: true,
          created_at: "2024-01-01T00:00:00.000Z",
          updated_at: "2024-01-01T00:00:00.000Z",
        },
        organization_id: "org_01ACME",
        access_token: await signToken(fake.key, claims),
        refresh_token: `refresh_${++refreshCount}_${crypto.randomUUID()}`,
        authentication_method: "Password",
      });
    },
    onAuthenticate: () => fake.successfulAuthentication(),
    onJwks: () => json(200, { keys: fake.jwksKeys.map((k) => k.publicJwk) }),
    onRevoke: () => json(200, { success: true }),
    apiCalls: [],
    onMemberships: (query) =>
      membershipList(query.get("user_id") ?? "", Object.values(FAKE_ORGANIZATIONS)),
    onOrganization(id) {
      const organization = Object.values(FAKE_ORGANIZATIONS).find((o) => o.id === id);
      if (!organization) return json(404, { code: "entity_not_found", message: "Not found" });
      return json(200, {
        object: "organization",
        id,
        name: organization.name,
        domains: [],
        created_at: "2024-01-01T00:00:00.000Z",
        updated_at: "2024-01-01T00:00:00.000Z",
      });
    },
    onSessions: () => json(200, { object: "list", data: [], list_metadata: {} }),
    onValidateApiKey: () => json(200, { api_key: null }),
    [Symbol.dispose]() {
      globalThis.fetch = originalFetch;
    },
  };

  globalThis.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    if (url.origin === FAKE_API && url.pathname === "/user_management/authenticate") {
      const body = await request.json();
      fake.calls.authenticate.push(body);
      return await withSignal(request, () => fake.onAuthenticate(body));
    }
    if (url.origin === FAKE_API && url.pathname === `/sso/jwks/${CLIENT_ID}`) {
      fake.calls.jwks++;
      return await withSignal(request, () => fake.onJwks());
    }
    if (url.origin === FAKE_API && url.pathname === "/user_management/sessions/revoke") {
      fake.calls.revoke.push(await request.json());
      return await withSignal(request, () => fake.onRevoke());
    }
    if (url.origin === FAKE_API && url.pathname === "/user_management/organization_memberships") {
      fake.apiCalls.push(url.pathname + url.search);
      return await withSignal(request, () => fake.onMemberships(url.searchParams));
    }
    const sessions = url.pathname.match(/^\/user_management\/users\/([^/]+)\/sessions$/);
    if (url.origin === FAKE_API && sessions) {
      fake.apiCalls.push(url.pathname + url.search);
      return await withSignal(request, () => fake.onSessions(decodeURIComponent(sessions[1])));
    }
    const organization = url.pathname.match(/^\/organizations\/([^/]+)$/);
    if (url.origin === FAKE_API && organization) {
      fake.apiCalls.push(url.pathname);
      return await withSignal(request, () => fake.onOrganization(organization[1]));
    }
    if (url.origin === FAKE_API && url.pathname === "/api_keys/validations") {
      fake.apiCalls.push(url.pathname);
      const body = await request.json();
      return await withSignal(request, () => fake.onValidateApiKey(body?.value));
    }
    fake.calls.other.push(request.url);
    throw new TypeError(`fake WorkOS: unexpected request to ${request.url}`);
  };
  return fake;
}

/** Honours the caller's AbortSignal, so timeouts behave as over a real network. */
function withSignal(
  request: Request,
  answer: () => Response | Promise<Response>,
): Promise<Response> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(request.signal.reason);
    if (request.signal.aborted) return onAbort();
    request.signal.addEventListener("abort", onAbort, { once: true });
    Promise.resolve().then(answer).then(resolve, reject).finally(() =>
      request.signal.removeEventListener("abort", onAbort)
    );
  });
}

/** A response that never comes: the fetch settles only when its signal aborts. */
export function never(): Promise<Response> {
  return new Promise(() => {});
}
