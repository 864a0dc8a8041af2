/**
 * Imported first by the built server (see `astro.config.mjs`): validates the configuration at
 * start, so a deployment with a missing or weak secret refuses to start and says which variable
 * is wrong, instead of failing on its first request.
 *
 * @module
 */
import { getAuth } from "./lib/auth/auth.ts";
import { ConfigError } from "./lib/auth/config.ts";

try {
  getAuth();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  Deno.exit(1);
}
