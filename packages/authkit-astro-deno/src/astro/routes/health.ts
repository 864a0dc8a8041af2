import type { APIRoute } from "astro";
import { auth as getAuth } from "../runtime.ts";

/**
 * Liveness probe: no auth, no upstream calls, never cached. Says which shared state is active
 * (`kv`, or `memory` when Deno KV could not be opened) and counts its operations, so an operator
 * (and `deno task bench`) can see that page views cost none. 503 when shared state was configured
 * (`DENO_KV_PATH`, Deno Deploy) but could not be opened, so a platform check notices. `deno` is
 * the running version: the platform picks it (docs/deploy.md names the oldest tested).
 */
export const GET: APIRoute = async () => {
  const { sharedState } = getAuth();
  await sharedState.ready;
  const body = {
    status: "ok",
    sharedState: sharedState.mode,
    sharedStateOps: sharedState.stats,
    deno: Deno.version.deno,
  };
  // Configured shared state that fell back to memory: revocations no longer cross instances.
  const degraded = sharedState.degraded ? { status: "degraded", reason: sharedState.degraded } : {};
  return new Response(JSON.stringify({ ...body, ...degraded }), {
    status: sharedState.degraded ? 503 : 200,
    headers: { "content-type": "application/json", "cache-control": "no-store" },
  });
};
