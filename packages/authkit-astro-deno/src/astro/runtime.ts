/**
 * The process's auth layer as the injected middleware and routes see it: built once, from
 * `Deno.env`, the integration's options and the app's hooks module.
 *
 * @module
 */
import { installedHooks, installedOptions } from "./installed-options.ts";
import { type Auth, getAuth } from "../auth.ts";

/** The integration's options, as `authkit()` resolved them. */
export const options = installedOptions();

/** The auth layer of this process (throws `ConfigError` on a bad environment). */
export function auth(): Auth {
  return getAuth(options.routes, installedHooks());
}
