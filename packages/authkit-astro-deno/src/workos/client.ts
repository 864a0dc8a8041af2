/**
 * The one WorkOS client of the process: the SDK loaded on first use, with a timeout on every
 * request and a 429's `Retry-After` kept, and how its errors map to `AuthError` codes.
 *
 * `@workos-inc/node` v6 lacks a per-request timeout and drops `Retry-After`; both are worked around
 * here and nowhere else.
 *
 * @module
 */
import type { WorkOS } from "@workos-inc/node";
import type { AuthConfig } from "../core/config.ts";
import { AuthError } from "../core/errors.ts";

/** Every call to WorkOS gives up after this long (SECURITY-CASES S08). */
export const UPSTREAM_TIMEOUT_MS = 5_000;

/**
 * Builds the process's WorkOS client, with a timeout on every request it sends. The SDK is
 * imported here, on first use, rather than at start: loading it takes ~65 ms, a third of a cold
 * start (`deno task bench`), and only sign-in, callback, sign-out, refresh and the
 * organization switch need it; a page view only when the user's memberships are not cached.
 */
export async function createWorkOSClient(
  config: AuthConfig,
  timeoutMs = UPSTREAM_TIMEOUT_MS,
): Promise<WorkOS> {
  const { WorkOS } = await import("@workos-inc/node");
  const workos = new WorkOS(config.apiKey, {
    apiHostname: config.apiHostname,
    port: config.apiPort,
    https: config.apiHttps,
  });
  addRequestTimeout(workos, timeoutMs);
  keepRetryAfter(workos);
  return workos;
}

/**
 * v6 copies one `RequestInit` into every `fetch` it makes and offers no per-call signal. A getter
 * on that shared object hands each request a fresh `AbortSignal.timeout()`. The stand-in's
 * "hang" contract test fails if a client upgrade changes this internal shape.
 */
function addRequestTimeout(workos: WorkOS, timeoutMs: number): void {
  const init = (workos as unknown as { client?: { options?: RequestInit } }).client?.options;
  if (!init || typeof init !== "object") {
    throw new Error("Unsupported @workos-inc/node version: cannot attach a request timeout");
  }
  Object.defineProperty(init, "signal", {
    enumerable: true,
    get: () => AbortSignal.timeout(timeoutMs),
  });
}

/** Where `keepRetryAfter` leaves a 429's `Retry-After` (seconds) on the SDK's error data. */
const RETRY_AFTER = Symbol("retryAfterSeconds");
/** The longest `Retry-After` honoured: beyond it, a stuck rate limit should not pin sessions. */
export const MAX_RETRY_AFTER_SECONDS = 30;

/**
 * v6 turns a 429 into a `GenericServerException` and drops the response headers, `Retry-After`
 * among them. Its fetch client is wrapped so the header survives on the response data, which
 * the exception keeps as `rawData`. The stand-in's "rate_limited" contract test fails if a client
 * upgrade changes this internal shape.
 */
function keepRetryAfter(workos: WorkOS): void {
  type FetchError = { response?: { status?: number; headers?: Headers; data?: unknown } };
  const client = (workos as unknown as {
    client?: { fetch?: (...args: unknown[]) => Promise<unknown> };
  }).client;
  const original = client?.fetch;
  if (!client || typeof original !== "function") {
    throw new Error("Unsupported @workos-inc/node version: cannot read Retry-After");
  }
  client.fetch = async (...args) => {
    try {
      return await original.apply(client, args);
    } catch (error) {
      const response = (error as FetchError)?.response;
      const seconds = parseRetryAfter(response?.headers?.get?.("retry-after") ?? null);
      if (response?.status === 429 && seconds !== null && typeof response.data === "object") {
        response.data = { ...response.data, [RETRY_AFTER]: seconds };
      }
      throw error;
    }
  };
}

/** A `Retry-After` in delta-seconds (RFC 9110 §10.2.3), clamped to 1–30 s; dates are ignored. */
export function parseRetryAfter(value: string | null): number | null {
  if (!value || !/^\d{1,6}$/.test(value.trim())) return null;
  return Math.min(Math.max(Number(value), 1), MAX_RETRY_AFTER_SECONDS);
}

/**
 * The JWKS URL for this client, built as v6's `userManagement.getJwksUrl()` builds it, so that
 * verifying a token never needs the SDK loaded.
 */
export function getJwksUrl(config: AuthConfig): URL {
  return new URL(`${config.apiBaseUrl.origin}/sso/jwks/${config.clientId}`);
}

/** Runs a WorkOS call, mapping what it throws to an `AuthError` (`classifyUpstreamError`). */
export async function callWorkOS<T>(
  call: () => Promise<T>,
  terminal: "code_rejected" | "refresh_rejected" = "code_rejected",
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw classifyUpstreamError(error, terminal);
  }
}

/**
 * Maps whatever the v6 client throws to an `AuthError`, by HTTP status rather than body shape
 * (S44): WorkOS answers a dead grant with `{"error":"invalid_grant"}` (an `OauthException`), but
 * WorkOS-compatible servers answer `{"code":"invalid_grant"}` (a `GenericServerException`), and
 * reading only the first shape turned a dead session into weeks of 503 pages.
 */
export function classifyUpstreamError(
  error: unknown,
  terminal: "code_rejected" | "refresh_rejected" = "code_rejected",
): AuthError {
  const e = error as { name?: unknown; status?: unknown } | null;
  if (e?.name === "TimeoutError") return new AuthError("upstream_timeout", { cause: error });
  if (typeof e?.status === "number" && isTerminalStatus(e.status)) {
    return new AuthError(terminal, { cause: error });
  }
  // 408, 429, 5xx, an HTML proxy page surfacing as `SyntaxError`, network errors: transient.
  const retryAfter = (e as { rawData?: Record<symbol, unknown> })?.rawData?.[RETRY_AFTER];
  return new AuthError("upstream_unavailable", {
    cause: error,
    retryAfterSeconds: typeof retryAfter === "number" ? retryAfter : undefined,
  });
}

/**
 * Whether WorkOS refused the grant itself: any 4xx except 408 (timeout) and 429 (rate limit),
 * which say nothing about the grant, and 401, which says our API key is wrong: an operator's
 * mistake that must not sign every user out.
 */
export function isTerminalStatus(status: number): boolean {
  return status >= 400 && status < 500 && status !== 401 && status !== 408 && status !== 429;
}

/** The WorkOS client with `timeoutMs`, loaded on first use; a failed load is not remembered. */
export function lazyClient(
  config: AuthConfig,
  timeoutMs: number | undefined,
): () => Promise<WorkOS> {
  let client: Promise<WorkOS> | undefined;
  return () =>
    client ??= createWorkOSClient(config, timeoutMs).catch((error) => {
      client = undefined; // the next call tries again
      throw error;
    });
}
