/**
 * Imported first by the built server (see `astro/adapter.ts`): says which Deno runs and stops
 * if it lacks a feature the server needs, then validates the configuration, so a deployment on
 * too old a runtime or with a missing or weak secret refuses to start and says why, instead of
 * failing on its first request.
 *
 * @module
 */
import { describeRuntime, describeRuntimeProblem } from "./runtime.ts";
import { auth as getAuth } from "../astro/runtime.ts";
import { ConfigError } from "../core/config.ts";
import { describeKvPath } from "../shared-state/open.ts";

// Once per process: the platform picks the version, and its logs are where an operator looks.
console.log(describeRuntime(Deno.version));
const runtimeProblem = describeRuntimeProblem(globalThis, Deno.version.deno);
if (runtimeProblem) {
  console.error(runtimeProblem);
  Deno.exit(1);
}

try {
  const auth = getAuth();
  // Decide between Deno KV and the in-process fallback before the first request, and say so.
  await auth.sharedState.ready;
  console.log(`Shared state: ${describeMode(auth.sharedState.mode, auth.config.kvPath)}.`);
  if (auth.sharedState.degraded) {
    console.error("Shared state was configured but is not in use: /healthz answers 503.");
  }
  if (!auth.config.webhookSecret) {
    console.log(
      `Webhooks: POST ${auth.config.routes.webhook} answers 404 (WORKOS_WEBHOOK_SECRET is not set).`,
    );
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
