/**
 * In-process single flights: concurrent callers of one key share one run, and its result is
 * remembered for the reuse window (a failure as long as the caller says), so requests already on
 * their way with an old cookie get the same answer without a second exchange (S26).
 *
 * @module
 */

/** How long a finished refresh answers for its old refresh token. */
export const REFRESH_REUSE_WINDOW_MS = 30_000;
/** Bound on remembered flights. */
export const MAX_REMEMBERED = 10_000;

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
