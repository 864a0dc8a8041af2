/**
 * Deep freezing for values shared across requests (S48). A verified session is cached and handed
 * to every request that carries the same cookie, as the same object: freezing it once, when it is
 * created, makes a page that mutates `Astro.locals.auth` fail in its own request (strict mode
 * throws) instead of changing what later requests see, with no copy per request.
 *
 * @module
 */

/**
 * Freezes `value` and every object and array reachable from it; returns `value`. An object that is
 * already frozen is taken as frozen all the way down (the auth layer freezes only through this
 * function), which also ends any cycle.
 */
export function freezeDeep<T>(value: T): T {
  if (typeof value !== "object" || value === null || Object.isFrozen(value)) return value;
  Object.freeze(value);
  for (const key of Object.keys(value)) freezeDeep((value as Record<string, unknown>)[key]);
  return value;
}
