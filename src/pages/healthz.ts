import type { APIRoute } from "astro";
import { getAuth } from "../../packages/authkit-astro-deno/src/auth.ts";

/**
 * Liveness probe: no auth, no upstream calls, never cached. Says which shared state is active
 * (`kv`, or `memory` when Deno KV could not be opened) and counts its operations, so an operator
 * (and `deno task bench`) can see that page views cost none. `deno` is the running version: the
 * platform picks it (docs/deploy.md names the oldest tested).
 */
export const GET: APIRoute = async () => {
  const { sharedState } = getAuth();
  await sharedState.ready;
  const body = { status: "ok", sharedState: sharedState.mode, sharedStateOps: sharedState.stats };
  return new Response(JSON.stringify({ ...body, deno: Deno.version.deno }), {
    headers: { "content-type": "application/json", "cache-control": "no-store" },
  });
};
