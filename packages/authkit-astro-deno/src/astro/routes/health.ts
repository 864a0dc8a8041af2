import type { APIRoute } from "astro";
import { auth as getAuth } from "../runtime.ts";

/**
 * Liveness probe: no auth, no upstream calls, never cached. Says which shared state is active
 * (`kv`, or `memory` when Deno KV could not be opened) and counts its operations, so an operator
 * (and `deno task bench`) can see that page views cost none.
 */
export const GET: APIRoute = async () => {
  const { sharedState } = getAuth();
  await sharedState.ready;
  const body = { status: "ok", sharedState: sharedState.mode, sharedStateOps: sharedState.stats };
  return new Response(JSON.stringify(body), {
    headers: { "content-type": "application/json", "cache-control": "no-store" },
  });
};
