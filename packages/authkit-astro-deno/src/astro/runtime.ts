/**
 * The process's auth layer as the injected middleware and routes see it: built once, from
 * `Deno.env` and the integration's options.
 *
 * @module
 */
import options from "virtual:authkit-deno/options";
import { type Auth, getAuth } from "../auth.ts";

export { options };

/** The auth layer of this process (throws `ConfigError` on a bad environment). */
export function auth(): Auth {
  return getAuth(options.routes);
}
