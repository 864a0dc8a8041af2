/**
 * Refresh, once per refresh token across every instance. WorkOS refresh tokens are single-use,
 * so two requests refreshing the same token at once would sign the user out (authkit-nextjs #28),
 * and on Deno Deploy those two requests may reach two isolates in two regions.
 *
 * Two layers:
 * - in this process, concurrent callers share one flight (`createSharedFlights`), which also
 *   remembers a finished result for requests already on their way with the old cookie, and a
 *   transient failure for a few seconds, so an outage costs one timeout per token, not one per
 *   request (S45);
 * - across instances, the first to claim the token in shared state (an atomic check-and-set)
 *   exchanges it and publishes the new *sealed* session; the others wait for it, bounded, and set
 *   the same cookie (S38). A claimant that dies lets its claim expire.
 *
 * @module
 */
import { AuthError, isAuthErrorCode, isTransient, toAuthError } from "../core/errors.ts";
import type { Session } from "../session/session.ts";
import { hashToken, type SharedState } from "./store.ts";
import { UPSTREAM_TIMEOUT_MS } from "../workos/client.ts";

/** How long a finished refresh answers for its old refresh token. */
export const REFRESH_REUSE_WINDOW_MS = 30_000;
/** How long a transient refresh failure is answered from memory (S45). */
export const TRANSIENT_FAILURE_MEMORY_MS = 5_000;
/** How long a request waits for another instance's refresh before answering 503. */
export const REFRESH_WAIT_MS = 5_000;
/** A claim outlives the claimant's upstream call; if the claimant dies, it expires. */
export const REFRESH_CLAIM_TTL_MS = UPSTREAM_TIMEOUT_MS + 2_000;
const WAIT_POLL_MS = 50;
const MAX_REMEMBERED = 10_000;

interface Flight<T> {
  promise: Promise<T>;
  /** When the flight may be forgotten; undefined while it is in flight. */
  forgetAt?: number;
}

/** Options of `createSharedFlights`. */
export interface FlightOptions {
  /** How long to remember a failure (ms); 0, the default, forgets it at once. */
  rememberFailureMs?: (error: unknown) => number;
}

/**
 * Shares `run` among concurrent callers of the same `key`, and remembers its result for
 * `REFRESH_REUSE_WINDOW_MS` (and a failure as long as `rememberFailureMs` says).
 */
export function createSharedFlights<T>(
  now: () => number = Date.now,
  options: FlightOptions = {},
): (key: string, run: () => Promise<T>) => Promise<T> {
  const flights = new Map<string, Flight<T>>();
  const rememberFailureMs = options.rememberFailureMs ?? (() => 0);

  function prune(): void {
    for (const [key, flight] of flights) {
      // A flight in progress is never dropped: a second caller would spend the token again.
      if (flight.forgetAt === undefined) continue;
      if (flight.forgetAt < now() || flights.size > MAX_REMEMBERED) flights.delete(key);
    }
  }

  return function share(key, run) {
    prune();
    const existing = flights.get(key);
    if (existing) return existing.promise;
    const flight: Flight<T> = { promise: run() };
    flights.set(key, flight);
    flight.promise.then(
      () => (flight.forgetAt = now() + REFRESH_REUSE_WINDOW_MS),
      (error) => {
        const ms = rememberFailureMs(error);
        if (ms > 0) flight.forgetAt = now() + ms;
        else flights.delete(key);
      },
    );
    return flight.promise;
  };
}

/** Wraps `exchange` so each key is exchanged at most once per reuse window, in this process. */
export function createSingleFlight<T>(
  exchange: (key: string) => Promise<T>,
  now: () => number = Date.now,
  options: FlightOptions = {},
): (key: string) => Promise<T> {
  const share = createSharedFlights<T>(now, options);
  return (key) => share(key, () => exchange(key));
}

/** What the coordinated refresh needs. */
export interface RefreshDeps {
  store: SharedState;
  now: () => number;
  /** Spends `session`'s refresh token at WorkOS and seals the refreshed session. */
  exchange: (session: Session) => Promise<string>;
  /** Waits between polls of another instance's claim; tests make it instant. */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Builds `refresh(session)`: resolves to the sealed refreshed session, whoever exchanged it.
 * Rejects with an `AuthError`: `refresh_rejected` (terminal), or a transient code.
 */
export function createCoordinatedRefresh(deps: RefreshDeps): (session: Session) => Promise<string> {
  const share = createSharedFlights<string>(deps.now, { rememberFailureMs: failureMemoryMs });
  const sleep = deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));

  async function coordinate(session: Session): Promise<string> {
    const key = await hashToken(session.refreshToken);
    const deadline = deps.now() + REFRESH_WAIT_MS;
    while (true) {
      const record = await shared(() => deps.store.claimRefresh(key, REFRESH_CLAIM_TTL_MS));
      if (record === null) return await exchangeAndPublish(session, key);
      if (record.state === "done") return record.sealed;
      if (record.state === "failed") {
        throw new AuthError(isAuthErrorCode(record.code) ? record.code : "internal");
      }
      // Another instance holds the claim: wait for its outcome, bounded (then 503, cookie kept).
      if (deps.now() >= deadline) throw new AuthError("refresh_pending");
      await sleep(WAIT_POLL_MS);
    }
  }

  async function exchangeAndPublish(session: Session, key: string): Promise<string> {
    let sealed: string;
    try {
      sealed = await deps.exchange(session);
    } catch (error) {
      const authError = toAuthError(error);
      // Published so other instances answer from it instead of spending the token again.
      const outcome = { state: "failed" as const, code: authError.code };
      await deps.store.settleRefresh(key, outcome, failureMemoryMs(authError)).catch(() => {});
      throw authError;
    }
    // If publishing fails, this request still has its session; other instances wait out the
    // claim and then find the token spent, as if they had raced without coordination.
    await deps.store.settleRefresh(key, { state: "done", sealed }, REFRESH_REUSE_WINDOW_MS)
      .catch(() => {});
    return sealed;
  }

  return (session) => share(session.refreshToken, () => coordinate(session));
}

/**
 * Transient failures are retried after a few seconds, or after WorkOS's `Retry-After` (bounded in
 * `parseRetryAfter`); a dead token stays dead.
 */
function failureMemoryMs(error: unknown): number {
  const authError = toAuthError(error);
  if (!isTransient(authError.code)) return REFRESH_REUSE_WINDOW_MS;
  return (authError.retryAfterSeconds ?? TRANSIENT_FAILURE_MEMORY_MS / 1000) * 1000;
}

/** Runs a shared-state call; a store failure is transient (503, cookie kept), never a sign-out. */
async function shared<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new AuthError("shared_state_unavailable", { cause: error });
  }
}
