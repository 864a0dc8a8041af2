/**
 * Imported first by the built server (see `astro/adapter.ts`): validates the configuration at
 * start, so a deployment with a missing or weak secret refuses to start and says which variable
 * is wrong, instead of failing on its first request.
 *
 * @module
 */
import { auth as getAuth } from "../astro/runtime.ts";
import { ConfigError } from "../core/config.ts";
import { describeKvPath } from "../shared-state/open.ts";

try {
  const auth = getAuth();
  // Decide between Deno KV and the in-process fallback before the first request, and say so.
  await auth.sharedState.ready;
  console.log(`Shared state: ${describeMode(auth.sharedState.mode, auth.config.kvPath)}.`);
  if (auth.sharedState.degraded) {
    console.error("Shared state was configured but is not in use: /healthz answers 503.");
  }
  if (!auth.config.webhookSecret) {
    console.log("Webhooks: POST /webhooks/workos answers 404 (WORKOS_WEBHOOK_SECRET is not set).");
  }
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  Deno.exit(1);
}

function describeMode(mode: string, kvPath: string | undefined): string {
  if (mode !== "kv") return "in-process (one instance only; see the log line above)";
  return kvPath ? `Deno KV at "${describeKvPath(kvPath)}"` : "Deno KV (default database)";
}
