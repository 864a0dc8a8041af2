/**
 * A local stand-in for WorkOS AuthKit: the authorize page, the authenticate endpoint, JWKS,
 * logout, organization memberships and organizations, speaking the wire contract of
 * WORKOS-CONTRACT.md so the unmodified `@workos-inc/node` v6 client works against it. Tests can
 * count requests, inject faults, rotate keys and mint sessions. All state lives in memory.
 *
 * @module
 */
import { handleAuthenticate } from "./authenticate.ts";
import { handleAuthorize, handleAuthorizeComplete } from "./authorize.ts";
import { type Endpoint, type Fault, faultResponse, holdUntil, zeroCounts } from "./faults.ts";
import { jsonResponse } from "./http.ts";

export { type Endpoint, type Fault, RATE_LIMIT_RETRY_AFTER_SECONDS } from "./faults.ts";
import { handleLogout } from "./logout.ts";
import {
  handleGetOrganization,
  handleListMemberships,
  ORGANIZATION_PATH,
} from "./organizations.ts";
import { ADMIN_REVOKE_PATH, COMPLETE_PATH } from "./page.ts";
import { loadSeed, type Seed } from "./seed.ts";
import { handleAdminRevoke, handleRevoke, handleSessionsPage } from "./sessions.ts";
import { endSession, type Impersonator, type StandInState, startSession } from "./state.ts";
import { generateSigningKey } from "./tokens.ts";
import { createWebhookSender, type WebhookTarget } from "./webhooks.ts";

/** How to start a stand-in. */
export interface StandInOptions {
  /** Default `"127.0.0.1"`. */
  hostname?: string;
  /** Default 0: a free port. */
  port?: number;
  /** The `client_secret` (the SDK's API key) the authenticate endpoint accepts. */
  apiKey: string;
  clientId: string;
  /** The allowed `redirect_uri` values, matched exactly. */
  redirectUris: string[];
  /** Default 300. */
  accessTokenTtlSeconds?: number;
  /** Default: `seed.json` beside this file. */
  seed?: Seed;
  /** No request logging. */
  quiet?: boolean;
  /** The clock in epoch milliseconds, for tests of code expiry and token times. */
  now?: () => number;
  /** Where to send signed `session.revoked` events, as a WorkOS webhook endpoint. */
  webhook?: WebhookTarget;
}

/** A running stand-in. */
export interface StandIn {
  /** The base URL, e.g. `http://127.0.0.1:PORT`. */
  readonly url: URL;
  readonly hostname: string;
  readonly port: number;
  /** Count of requests received per endpoint since start or last resetCounts(). */
  counts(): Record<Endpoint, number>;
  resetCounts(): void;
  setFault(endpoint: Endpoint, fault: Fault): void;
  /** Publishes a new RS256 key beside the old ones and signs new tokens with it; returns its kid. */
  rotateSigningKey(): Promise<string>;
  setAccessTokenTtl(seconds: number): void;
  /** Issues a session without a browser: the authenticate endpoint's JSON (snake_case). */
  issueSession(
    userId: string,
    opts?: { impersonator?: Impersonator },
  ): Promise<Record<string, unknown>>;
  /**
   * Stops the API as `kill -STOP` would: requests are still accepted but held unanswered, on every
   * endpoint, until `resume()`. Then each is handled as if it had just arrived, even when its
   * client has given up meanwhile: a refresh token held this way is spent on resume.
   */
  pause(): void;
  /** Answers the requests held by `pause()`, and every later one, as usual. */
  resume(): void;
  /** Ends a session as an admin would in the dashboard: its tokens die, a webhook is sent. */
  revokeSession(sessionId: string): void;
  /** Ids of the sessions still active. */
  activeSessions(): string[];
  /** Webhook deliveries attempted, and accepted (2xx) by the app. */
  webhookDeliveries(): { sent: number; accepted: number };
  /** Shuts down, first releasing any request held by a `hang` fault. */
  close(): Promise<void>;
}

type Handler = (standIn: StandInState, request: Request) => Response | Promise<Response>;

const JWKS_PATH = /^\/sso\/jwks\/([^/]+)$/;

/** Starts a stand-in and resolves once it listens. */
export async function startStandIn(options: StandInOptions): Promise<StandIn> {
  checkOptions(options);
  const seed = options.seed ?? await loadSeed();
  const signingKeys = [await generateSigningKey()];
  const faults = new Map<Endpoint, Fault>();
  let counts = zeroCounts();
  const released = Promise.withResolvers<void>();
  let paused: PromiseWithResolvers<void> | null = null;

  const server = Deno.serve({
    hostname: options.hostname ?? "127.0.0.1",
    port: options.port ?? 0,
    onListen() {}, // the caller prints the URL it wants
    onError(error) {
      console.error(`AuthKit stand-in: ${error instanceof Error ? error.message : error}`);
      return jsonResponse(500, { message: "Internal Server Error" });
    },
  }, async (request) => {
    const { pathname } = new URL(request.url);
    // Method and path only: the query carries codes, states and session ids.
    if (!options.quiet) console.log(`AuthKit stand-in: ${request.method} ${pathname}`);
    const route = findRoute(request.method, pathname);
    if (!route) return jsonResponse(404, { message: "Not Found" });
    counts[route.endpoint]++;
    if (paused) request = await holdUntil(paused.promise, request);
    const fault = faults.get(route.endpoint);
    if (fault) return faultResponse(fault, released.promise);
    return route.handle(standIn, request);
  });

  const { hostname, port } = server.addr;
  const url = new URL(`http://${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`);
  const standIn: StandInState = {
    clientId: options.clientId,
    apiKey: options.apiKey,
    redirectUris: [...options.redirectUris],
    issuer: url.origin,
    now: options.now ?? Date.now,
    seed,
    accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 300,
    signingKeys,
    users: new Map(seed.users.map((user) => [user.id, { ...user }])),
    codes: new Map(),
    sessions: new Map(),
    refreshTokens: new Map(),
  };
  const log = options.quiet ? () => {} : (line: string) => console.log(`AuthKit stand-in: ${line}`);
  if (options.webhook) standIn.webhooks = createWebhookSender(options.webhook, standIn.now, log);

  return {
    url,
    hostname,
    port,
    counts: () => ({ ...counts }),
    resetCounts() {
      counts = zeroCounts();
    },
    setFault(endpoint, fault) {
      faults.set(endpoint, fault);
    },
    async rotateSigningKey() {
      const key = await generateSigningKey();
      standIn.signingKeys.push(key);
      return key.kid;
    },
    setAccessTokenTtl(seconds) {
      // Zero or negative is allowed on purpose: it mints tokens that are already expired.
      if (!Number.isInteger(seconds)) throw new TypeError(`Invalid TTL "${seconds}"`);
      standIn.accessTokenTtlSeconds = seconds;
    },
    issueSession(userId, opts = {}) {
      const { impersonator } = opts;
      const authenticationMethod = impersonator ? "Impersonation" : "Password";
      return startSession(standIn, { userId, authenticationMethod, impersonator });
    },
    revokeSession(sessionId) {
      endSession(standIn, sessionId);
    },
    activeSessions: () => [...standIn.sessions.keys()],
    webhookDeliveries: () => standIn.webhooks?.deliveries() ?? { sent: 0, accepted: 0 },
    pause() {
      paused ??= Promise.withResolvers<void>();
    },
    resume() {
      paused?.resolve();
      paused = null;
    },
    async close() {
      released.resolve();
      paused?.resolve(); // shutdown waits for every pending handler
      await standIn.webhooks?.settled();
      await server.shutdown();
    },
  };
}

/** Every endpoint the stand-in serves: method, path (exact or a pattern), counter, handler. */
const ROUTES: { method: string; path: string | RegExp; endpoint: Endpoint; handle: Handler }[] = [
  {
    method: "GET",
    path: "/user_management/authorize",
    endpoint: "authorize",
    handle: handleAuthorize,
  },
  { method: "POST", path: COMPLETE_PATH, endpoint: "authorize", handle: handleAuthorizeComplete },
  {
    method: "POST",
    path: "/user_management/authenticate",
    endpoint: "authenticate",
    handle: handleAuthenticate,
  },
  { method: "GET", path: JWKS_PATH, endpoint: "jwks", handle: handleJwks },
  {
    method: "GET",
    path: "/user_management/sessions/logout",
    endpoint: "logout",
    handle: handleLogout,
  },
  {
    method: "POST",
    path: "/user_management/sessions/revoke",
    endpoint: "revoke",
    handle: handleRevoke,
  },
  { method: "GET", path: "/admin/sessions", endpoint: "admin", handle: handleSessionsPage },
  { method: "POST", path: ADMIN_REVOKE_PATH, endpoint: "admin", handle: handleAdminRevoke },
  {
    method: "GET",
    path: "/user_management/organization_memberships",
    endpoint: "memberships",
    handle: handleListMemberships,
  },
  {
    method: "GET",
    path: ORGANIZATION_PATH,
    endpoint: "organizations",
    handle: handleGetOrganization,
  },
];

function findRoute(method: string, pathname: string) {
  return ROUTES.find((route) =>
    route.method === method &&
    (typeof route.path === "string" ? route.path === pathname : route.path.test(pathname))
  );
}

function handleJwks(standIn: StandInState, request: Request): Response {
  const [, clientId] = new URL(request.url).pathname.match(JWKS_PATH)!;
  if (clientId !== standIn.clientId) return jsonResponse(404, { message: "Not Found" });
  return jsonResponse(200, { keys: standIn.signingKeys.map((key) => key.publicJwk) });
}

function checkOptions(options: StandInOptions): void {
  const problems: string[] = [];
  if (!options.apiKey) problems.push('"apiKey" is required');
  if (!options.clientId) problems.push('"clientId" is required');
  if (options.redirectUris.length === 0) problems.push('"redirectUris" must not be empty');
  for (const uri of options.redirectUris) {
    if (!/^https?:$/.test(URL.parse(uri)?.protocol ?? "")) {
      problems.push(`redirect URI "${uri}" is not an absolute http(s) URL`);
    }
  }
  if (problems.length > 0) throw new TypeError(`Invalid stand-in options: ${problems.join("; ")}`);
}
