/**
 * Astro's `ActionError`, for `requireActionAuth`. `astro:actions` exists only inside Astro's Vite
 * (Astro's own entry behind it imports further virtual modules), so a static import would make
 * `@authkit-deno/astro/server` unimportable by plain Deno and Node, which have no actions anyway.
 * It is loaded once, while this module is evaluated (top-level await), so every later call finds
 * it; outside Astro it is absent.
 *
 * @module
 */
type ActionErrorClass = typeof import("astro:actions").ActionError;

/** Astro's `ActionError` class, or undefined outside an Astro build or dev server. */
export const ActionError: ActionErrorClass | undefined = await import("astro:actions").then(
  (actions) => actions.ActionError,
  () => undefined,
);
