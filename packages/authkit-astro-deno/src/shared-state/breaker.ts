/**
 * One outage, one wait (S45): a per-process breaker on WorkOS's token endpoint. Without it, while
 * WorkOS hung, each page view of each user whose token needed refreshing waited the full timeout:
 * eight views of two users took 40 s. After a timeout, a network error or a 5xx, the breaker
 * opens: requests stop waiting for WorkOS (a still-valid token is served, an expired one gets the
 * 503 page at once, the cookie kept), and one exchange at a time, at most one a second, probes
 * whether WorkOS is back. Any answer from WorkOS, even a refusal, closes it.
 *
 * Per process on purpose: every instance learns of an outage from its own first wait, and a shared
 * flag would add a KV read to requests that need none.
 *
 * @module
 */
import { logSink } from "../core/log.ts";

/** While open, a new exchange may start at most this often, and only when none is in flight. */
export const PROBE_INTERVAL_MS = 1_000;

/** How an admitted exchange ended: WorkOS answered, it failed as an outage, or it never ran. */
export type ExchangeOutcome = "answered" | "failed" | "unused";

/** The breaker of one process. */
export interface Breaker {
  /** Whether WorkOS's token endpoint recently failed or stalled: requests do not wait on it. */
  isOpen(): boolean;
  /**
   * Admits an exchange: always while closed; while open, one at a time and at most one per
   * `PROBE_INTERVAL_MS`. Returns the function that reports its outcome, or null when refused.
   */
  admit(): ((outcome: ExchangeOutcome) => void) | null;
  /** A request waited its full bound on an exchange: WorkOS stalls. */
  trip(): void;
}

/** A closed breaker on clock `now`. */
export function createBreaker(now: () => number = Date.now): Breaker {
  let open = false;
  let inFlight = 0;
  let lastProbeAt = -Infinity;

  function setOpen(value: boolean): void {
    if (open === value) return;
    open = value;
    // One line per change, not one per refused request.
    logSink.write(JSON.stringify({
      time: new Date(now()).toISOString(),
      level: value ? "warn" : "info",
      event: value ? "upstream_circuit_open" : "upstream_circuit_closed",
    }));
  }

  return {
    isOpen: () => open,
    admit() {
      const previousProbeAt = lastProbeAt;
      if (open) {
        if (inFlight > 0 || now() - lastProbeAt < PROBE_INTERVAL_MS) return null;
        lastProbeAt = now();
      }
      inFlight++;
      let reported = false;
      return (outcome) => {
        if (reported) return;
        reported = true;
        inFlight--;
        if (outcome === "answered") return setOpen(false);
        if (outcome === "unused") return void (lastProbeAt = previousProbeAt); // never sent
        lastProbeAt = now(); // the next probe waits its interval from this failure
        setOpen(true);
      };
    },
    trip: () => setOpen(true),
  };
}
