/**
 * A local stand-in for WorkOS AuthKit: the authorize page, the authenticate endpoint, JWKS,
 * logout, organization memberships and organizations, speaking the wire contract of
 * WORKOS-CONTRACT.md so the unmodified `@workos-inc/node` v6 client works against it. Tests can
 * count requests, inject faults, rotate keys and mint sessions. All state lives in memory.
 *
 * @module
 */
import { jsonResponse } from "./http.ts";
import { type Fault, faultResponse, holdUntil, zeroCounts } from "./faults.ts";
import { type Endpoint, findRoute } from "./routes.ts";
import { loadSeed, type Seed } from "./seed.ts";
import { endSession, type Impersonator, type StandInState, startSession } from "./state.ts";
import { generateSigningKey } from "./tokens.ts";
import { createWebhookSender, type WebhookTarget } from "./webhooks.ts";
import { createApiKey, deleteApiKey } from "./api-keys.ts";
import { changeRole, removeMember } from "./members.ts";

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

export type { Endpoint };
export { type Fault, RATE_LIMIT_RETRY_AFTER_SECONDS } from "./faults.ts";

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
    opts?: { impersonator?: Impersonator; authTime?: number },
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
  /**
   * Creates an organization API key as its admin would (the API Keys widget); the value is
   * returned here only. Sends `api_key.created`.
   */
  createApiKey(
    organizationId: string,
    options?: { name?: string; permissions?: string[] },
  ): Promise<{ id: string; value: string }>;
  /** Deletes an API key; sends `api_key.revoked`. False if there was none. */
  deleteApiKey(id: string): boolean;
  /** Changes a member's role; sends `organization_membership.updated`. */
  changeRole(userId: string, organizationId: string, role: string): Promise<boolean>;
  /** Removes a member from an organization; sends `organization_membership.deleted`. */
  removeMember(userId: string, organizationId: string): Promise<boolean>;
  /** Webhook deliveries attempted, and accepted (2xx) by the app. */
  webhookDeliveries(): { sent: number; accepted: number };
  /** Shuts down, first releasing any request held by a `hang` fault. */
  close(): Promise<void>;
}

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
  }, async (request, info) => {
    const { pathname } = new URL(request.url);
    // Method and path only: the query carries codes, states and session ids.
    if (!options.quiet) console.log(`AuthKit stand-in: ${request.method} ${pathname}`);
    const route = findRoute(request.method, pathname);
    if (!route) return jsonResponse(404, { message: "Not Found" });
    counts[route.endpoint]++;
    if (paused) request = await holdUntil(paused.promise, request);
    const fault = faults.get(route.endpoint);
    if (fault) return faultResponse(fault, released.promise);
    return route.handle(standIn, request, info);
  });

  const { hostname, port } = server.addr;
  const url = new URL(`http://${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`);
  const standIn: StandInState = {
    clientId: options.clientId,
    apiKey: options.apiKey,
    redirectUris: [...options.redirectUris],
    issuer: url.origin,
    now: options.now ?? Date.now,
    // Memberships change at run time (roles, removals): each stand-in keeps its own copy.
    seed: { ...seed, memberships: seed.memberships.map((m) => ({ ...m })) },
    accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 300,
    signingKeys,
    users: new Map(seed.users.map((user) => [user.id, { ...user }])),
    codes: new Map(),
    sessions: new Map(),
    refreshTokens: new Map(),
    endedSessions: [],
    apiKeys: new Map(),
    lastAuthentications: rememberedSignIns(seed, options.now ?? Date.now),
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
      const { impersonator, authTime } = opts;
      const authenticationMethod = impersonator ? "Impersonation" : "Password";
      return startSession(standIn, { userId, authenticationMethod, impersonator, authTime });
    },
    revokeSession(sessionId) {
      endSession(standIn, sessionId);
    },
    activeSessions: () => [...standIn.sessions.keys()],
    async createApiKey(organizationId, opts = {}) {
      const name = opts.name ?? "Test key";
      const { key, value } = await createApiKey(
        standIn,
        organizationId,
        name,
        opts.permissions ?? [],
      );
      return { id: key.id, value };
    },
    deleteApiKey: (id) => deleteApiKey(standIn, id),
    changeRole: (userId, organizationId, role) => changeRole(standIn, userId, organizationId, role),
    removeMember: (userId, organizationId) => removeMember(standIn, userId, organizationId),
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

/** The seed's earlier sign-ins (`lastSignInSecondsAgo`), as epoch ms from the start. */
function rememberedSignIns(seed: Seed, now: () => number): Map<string, number> {
  const start = now();
  return new Map(
    seed.users.filter((user) => user.lastSignInSecondsAgo !== undefined)
      .map((user) => [user.id, start - user.lastSignInSecondsAgo! * 1000]),
  );
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
