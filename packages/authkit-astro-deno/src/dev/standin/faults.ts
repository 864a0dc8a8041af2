/**
 * What tests do to the stand-in besides using it: count requests per endpoint, switch an endpoint
 * to a failure, and hold requests while the API is paused.
 *
 * @module
 */
import { jsonResponse } from "./http.ts";

import type { Endpoint } from "./routes.ts";

export type { Endpoint };

/** A failure an endpoint can be switched to; `null` restores normal answers. */
export type Fault = "error500" | "hang" | "html" | "rate_limited" | null;

/** The `Retry-After` a "rate_limited" fault sends with its 429. */
export const RATE_LIMIT_RETRY_AFTER_SECONDS = 2;

/**
 * The request as it arrived, after `resumed`: its body is read first, as a stopped process's
 * kernel would have received it, so the request is handled even if its client has gone away.
 */
export async function holdUntil(resumed: Promise<void>, request: Request): Promise<Request> {
  const body = request.method === "GET" ? undefined : await request.arrayBuffer();
  await resumed;
  return new Request(request.url, { method: request.method, headers: request.headers, body });
}

/** The answer of an endpoint switched to `fault`; a hang lasts until `released`. */
export function faultResponse(
  fault: Exclude<Fault, null>,
  released: Promise<void>,
): Response | Promise<Response> {
  switch (fault) {
    case "error500":
      return jsonResponse(500, { message: "Internal Server Error" });
    case "rate_limited":
      return Response.json({ message: "Too many requests" }, {
        status: 429,
        headers: {
          "retry-after": String(RATE_LIMIT_RETRY_AFTER_SECONDS),
          "cache-control": "no-store",
        },
      });
    case "html":
      // What a proxy in front of the API answers when the API is down.
      return new Response("<html><body><h1>502 Bad Gateway</h1></body></html>", {
        status: 502,
        headers: { "content-type": "text/html" },
      });
    case "hang":
      // Held even after the client gives up, until close() releases it: shutdown waits for
      // every pending handler, so an unreleased hang would keep close() from resolving.
      return released.then(() => new Response(null, { status: 503 }));
  }
}

/** A zero count for every endpoint. */
export function zeroCounts(): Record<Endpoint, number> {
  return {
    authorize: 0,
    authenticate: 0,
    jwks: 0,
    logout: 0,
    revoke: 0,
    admin: 0,
    memberships: 0,
    organizations: 0,
    sessions: 0,
    api_keys: 0,
    api_key_validations: 0,
  };
}
