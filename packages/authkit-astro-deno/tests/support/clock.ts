/**
 * A fake `Date.now` for code that reads the clock itself (iron-webcrypto's seal expiry, jose's
 * JWKS freshness and cooldown). Code that takes a `now` argument should get it passed instead.
 *
 * @module
 */

/** A replaced `Date.now`; dispose it (`using`) to restore the real clock. */
export interface FakeClock extends Disposable {
  /** The current fake time in milliseconds; assign to jump. */
  now: number;
  /** Moves the fake time forward by `ms`. */
  advance(ms: number): void;
}

/** Replaces `Date.now` with a clock frozen at `start` until disposed. */
export function fakeDateNow(start: number = Date.now()): FakeClock {
  const realNow = Date.now;
  const clock: FakeClock = {
    now: start,
    advance(ms) {
      clock.now += ms;
    },
    [Symbol.dispose]() {
      Date.now = realNow;
    },
  };
  Date.now = () => clock.now;
  return clock;
}
