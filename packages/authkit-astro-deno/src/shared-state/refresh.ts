/**
 * Refresh, once per refresh token across every instance. WorkOS refresh tokens are single-use,
 * so two requests refreshing the same token at once would sign the user out (authkit-nextjs #28),
 * and on Deno Deploy those two requests may reach two isolates in two regions.
 *
 * Three layers:
 * - in this process, concurrent callers share one flight (`createSharedFlights`), which also
 *   remembers a finished result for requests already on their way with the old cookie, and a
 *   transient failure for a few seconds;
 * - across instances, the first to claim the token in shared state (an atomic check-and-set)
 *   exchanges it and publishes the new *sealed* session; the others wait for it, bounded, and set
 *   the same cookie (S38). A claimant renews its claim while its exchange runs; one that dies
 *   lets it expire within `REFRESH_CLAIM_TTL_MS`;
 * - a request waits at most `REFRESH_WAIT_MS`, but an exchange once sent runs on for up to
 *   `EXCHANGE_TIMEOUT_MS` and publishes its outcome: WorkOS may have spent the token already,
 *   and its late answer is the only way the session survives (S58). While WorkOS stalls, the
 *   breaker (`breaker.ts`) stops requests from waiting on it at all (S45). The organization
 *   switch spends the same token, so it goes through the same claim (`exchangeOnce`, S55).
 *
 * @module
 */
import {
  AuthError,
  type AuthErrorCode,
  isAuthErrorCode,
  isTransient,
  toAuthError,
} from "../core/errors.ts";
import type { Session } from "../session/session.ts";
import { createBreaker, type ExchangeOutcome } from "./breaker.ts";
import { createSharedFlights, MAX_REMEMBERED, REFRESH_REUSE_WINDOW_MS } from "./flights.ts";
import { hashToken, type SharedState } from "./store.ts";

export { REFRESH_REUSE_WINDOW_MS };

/** How long a transient refresh failure is answered from memory (S45). */
export const TRANSIENT_FAILURE_MEMORY_MS = 5_000;
/** How long a request waits for a refresh, this instance's or another's, before 503 (S58). */
export const REFRESH_WAIT_MS = 5_000;
/** How long an exchange, once sent, may take: its late answer still saves the session (S58). */
export const EXCHANGE_TIMEOUT_MS = 60_000;
/** A claim lives this long unless renewed; a claimant that dies blocks its token no longer. */
export const REFRESH_CLAIM_TTL_MS = 7_000;
/** A claimant renews its claim this often while its exchange runs. */
const CLAIM_RENEW_MS = 2_000;
const WAIT_POLL_MS = 50;

/** What the coordinated refresh needs. */
export interface RefreshDeps {
  store: SharedState;
  now: () => number;
  /** Spends `session`'s refresh token at WorkOS and seals the refreshed session. */
  exchange: (session: Session) => Promise<string>;
  /** Waits between polls of another instance's claim; tests make it instant. */
  sleep?: (ms: number) => Promise<void>;
  /** How long a request waits (default `REFRESH_WAIT_MS`). */
  waitMs?: number;
}

/** Spends a session's refresh token once across instances, sealing what `run` makes of it. */
export type ExchangeOnce = (
  session: Session,
  run: (session: Session) => Promise<string>,
) => Promise<string>;

/** Refresh and organization switch, through one claim per refresh token. */
export interface CoordinatedRefresh {
  /**
   * Resolves to the sealed refreshed session, whoever exchanged it. Rejects with an `AuthError`:
   * `refresh_rejected` (terminal), or a transient code.
   */
  refresh(session: Session): Promise<string>;
  /** The same claim and flight with another exchange (the organization switch, S55). */
  exchangeOnce: ExchangeOnce;
}

/** Where a flight is: on shared state (fast), on WorkOS, or waiting for another instance. */
type Phase = "shared" | "upstream" | "settled";

interface FlightState {
  phase: Phase;
  /** Called when `phase` changes. */
  listeners: Set<() => void>;
}

/** Builds the coordinator. */
export function createCoordinatedRefresh(deps: RefreshDeps): CoordinatedRefresh {
  const share = createSharedFlights<string>(deps.now, { rememberFailureMs: failureMemoryMs });
  const states = new Map<string, FlightState>();
  const sleep = deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  const waitMs = deps.waitMs ?? REFRESH_WAIT_MS;
  const breaker = createBreaker(deps.now);

  function enter(state: FlightState, phase: Phase): void {
    state.phase = phase;
    for (const listener of state.listeners) listener();
  }

  async function coordinate(session: Session, run: Run, state: FlightState): Promise<string> {
    const key = await hashToken(session.refreshToken);
    const deadline = deps.now() + waitMs;
    while (true) {
      // Only an admitted caller may claim (and so call WorkOS); the others read the outcome.
      const report = breaker.admit();
      const record = await shared(() =>
        report ? deps.store.claimRefresh(key, REFRESH_CLAIM_TTL_MS) : deps.store.readRefresh(key)
      ).catch((error) => {
        report?.("unused");
        throw error;
      });
      if (record === null && report) {
        return await exchangeAndPublish(session, key, run, report, state);
      }
      report?.("unused");
      if (record?.state === "done") return record.sealed;
      if (record?.state === "failed") {
        throw new AuthError(isAuthErrorCode(record.code) ? record.code : "internal");
      }
      if (record === null) throw new AuthError("upstream_circuit_open");
      // Another instance holds the claim: wait for its outcome, bounded (then 503, cookie kept).
      enter(state, "upstream");
      if (deps.now() >= deadline) throw new AuthError("refresh_pending");
      await sleep(WAIT_POLL_MS);
    }
  }

  async function exchangeAndPublish(
    session: Session,
    key: string,
    run: Run,
    report: (outcome: ExchangeOutcome) => void,
    state: FlightState,
  ): Promise<string> {
    enter(state, "upstream");
    // The claim outlives a crash by at most its TTL, and a slow exchange by as long as it runs.
    const renew = setInterval(() => {
      deps.store.holdRefresh(key, REFRESH_CLAIM_TTL_MS).catch(() => {});
    }, CLAIM_RENEW_MS);
    let sealed: string;
    try {
      sealed = await run(session);
    } catch (error) {
      const authError = toAuthError(error);
      report(isOutage(authError.code) ? "failed" : "answered");
      await publishFailure(key, authError).catch(() => {});
      throw authError;
    } finally {
      clearInterval(renew);
    }
    report("answered");
    // If publishing fails, this request still has its session; other instances wait out the
    // claim and then find the token spent, as if they had raced without coordination.
    await deps.store.settleRefresh(key, { state: "done", sealed }, REFRESH_REUSE_WINDOW_MS)
      .catch(() => {});
    return sealed;
  }

  /**
   * A failure is published so other instances answer from it instead of spending the token
   * again; a switch WorkOS refused left the token unspent, so its claim is simply let go.
   */
  function publishFailure(key: string, error: AuthError): Promise<void> {
    const ttlMs = UNSPENT.has(error.code) ? 1 : failureMemoryMs(error);
    return deps.store.settleRefresh(key, { state: "failed", code: error.code }, ttlMs);
  }

  /**
   * Waits for the flight at most `waitMs`, and not at all on WorkOS while the breaker is open.
   * A request that waited its full bound trips the breaker: the exchange goes on without it.
   */
  function waitFor(promise: Promise<string>, state: FlightState): Promise<string> {
    const stalled = () => breaker.isOpen() && state.phase === "upstream";
    if (stalled()) return Promise.reject(new AuthError("upstream_circuit_open"));
    return new Promise((resolve, reject) => {
      const onPhase = () =>
        stalled() && settle(() => reject(new AuthError("upstream_circuit_open")));
      const timer = setTimeout(() => {
        if (state.phase === "upstream") breaker.trip();
        settle(() => reject(new AuthError("refresh_pending")));
      }, waitMs);
      state.listeners.add(onPhase);
      promise.then(
        (sealed) => settle(() => resolve(sealed)),
        (error) => settle(() => reject(error)),
      );
      function settle(done: () => void): void {
        clearTimeout(timer);
        state.listeners.delete(onPhase);
        done();
      }
    });
  }

  const exchangeOnce: ExchangeOnce = (session, run) => {
    let state = states.get(session.refreshToken) ?? { phase: "settled", listeners: new Set() };
    const promise = share(session.refreshToken, () => {
      const fresh: FlightState = { phase: "shared", listeners: new Set() };
      states.set(session.refreshToken, state = fresh);
      return coordinate(session, run, fresh).finally(() => enter(fresh, "settled"));
    });
    pruneStates();
    return waitFor(promise, state);
  };

  function pruneStates(): void {
    // Settled flights are remembered by `share`; their states are not needed past a bound.
    if (states.size <= MAX_REMEMBERED) return;
    for (const [key, state] of states) if (state.phase === "settled") states.delete(key);
  }

  return {
    refresh: (session) => exchangeOnce(session, deps.exchange),
    exchangeOnce,
  };
}

type Run = (session: Session) => Promise<string>;

/** Refusals of a switch that leave the refresh token unspent (the session lives on). */
const UNSPENT: ReadonlySet<AuthErrorCode> = new Set([
  "organization_reauthentication_required",
  "organization_switch_refused",
]);

/** Failures that say WorkOS is down or stalling, as opposed to WorkOS answering. */
function isOutage(code: AuthErrorCode): boolean {
  return code === "upstream_timeout" || code === "upstream_unavailable";
}

/**
 * Transient failures are retried after a few seconds, or after WorkOS's `Retry-After` (bounded in
 * `parseRetryAfter`); a dead token stays dead; a refusal that spent nothing is forgotten at once.
 * A request that stopped waiting is not remembered either: the flight it left goes on.
 */
function failureMemoryMs(error: unknown): number {
  const authError = toAuthError(error);
  if (UNSPENT.has(authError.code) || authError.code === "upstream_circuit_open") return 0;
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
