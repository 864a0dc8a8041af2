/**
 * `POST /webhooks/workos`: WorkOS tells the app about events, and `session.revoked` (an admin
 * revoked a session, or the user signed out everywhere) ends that session on every instance
 * (S40). No AuthKit SDK acts on it; stateless tokens would otherwise live until `exp`.
 *
 * The signature is checked over the raw body bytes (`webhook-signature.ts`, S57), with a body
 * size limit and a timestamp bound on both sides. Bad, stale or replayed deliveries change nothing
 * (S41).
 *
 * @module
 */
import type { AuthConfig } from "../core/config.ts";
import { AuthError } from "../core/errors.ts";
import { createRequestId, logAuthFailure } from "../core/log.ts";
import { readBoundedBytes } from "../core/body.ts";
import type { Revocations } from "../shared-state/revocations.ts";
import { verifyWebhookSignature } from "./webhook-signature.ts";
import { readUserChangeEvent } from "./claims-events.ts";

export { WEBHOOK_TOLERANCE_MS } from "./webhook-signature.ts";
/** Event ids are remembered this long: WorkOS retries a failed delivery for up to 3 days. */
export const EVENT_MEMORY_MS = 3 * 24 * 60 * 60 * 1000;
/** A `session.revoked` event is a few hundred bytes; anything far larger is not from WorkOS. */
export const MAX_WEBHOOK_BYTES = 64 * 1024;

const ROUTE = "/webhooks/workos";
const SESSION_ID = /^session_[A-Za-z0-9]{1,64}$/;
const API_KEY_ID = /^api_key_[A-Za-z0-9]{1,64}$/;

/** What the webhook route needs; built once per process in `auth.ts`. */
export interface WebhookDeps {
  config: AuthConfig;
  revocations: Revocations;
  now: () => number;
}

/** Verifies and applies one delivery. Answers JSON; never throws. */
export async function handleWebhook(request: Request, deps: WebhookDeps): Promise<Response> {
  const secret = deps.config.webhookSecret;
  if (!secret) return json(404, { error: "not_found" });
  const raw = await readBoundedBytes(request, MAX_WEBHOOK_BYTES).catch(() => undefined);
  if (raw === undefined) return json(400, { error: "invalid_body" }); // the client went away
  if (raw === null) return json(413, { error: "payload_too_large" });
  const sigHeader = request.headers.get("workos-signature");
  if (!sigHeader || !(await verifyWebhookSignature(raw, sigHeader, secret, deps.now()))) {
    return refuse();
  }
  const payload = parseJson(new TextDecoder().decode(raw));
  if (payload === undefined) return json(400, { error: "invalid_json" });
  return await applyEvent(payload, deps);
}

/**
 * Applies a verified event: `session.revoked` ends a session and `api_key.revoked` a key, on
 * every instance (S40, S67); a membership or user event marks the user's sessions for a refresh
 * (S69, `claims-events.ts`); anything else is acknowledged and ignored.
 */
async function applyEvent(payload: unknown, deps: WebhookDeps): Promise<Response> {
  const revocation = readSessionRevoked(payload) ?? readApiKeyRevoked(payload);
  const userChange = revocation ? null : readUserChangeEvent(payload, deps.now());
  if (!revocation && !userChange) return json(200, { received: true });
  try {
    // One atomic step across instances: a retried or replayed delivery of the event is a no-op.
    const first = revocation
      ? await deps.revocations.revokeForEvent(revocation.id, EVENT_MEMORY_MS, revocation.revokedId)
      : await deps.revocations.changeUserForEvent(
        userChange!.id,
        EVENT_MEMORY_MS,
        userChange!.change,
      );
    if (!first) {
      return json(200, { received: true, duplicate: true });
    }
  } catch (error) {
    logAuthFailure(
      new AuthError("shared_state_unavailable", { cause: error }),
      ROUTE,
      createRequestId(),
    );
    // WorkOS retries non-2xx deliveries.
    return json(503, { error: "unavailable" });
  }
  return json(200, { received: true });
}

/** What a revocation event names: its event id, and the session or API key that ended. */
export interface RevocationEvent {
  id: string;
  revokedId: string;
}

/** The event id and session id of a `session.revoked` event, or null for any other payload. */
export function readSessionRevoked(payload: unknown): RevocationEvent | null {
  return readRevocation(payload, "session.revoked", SESSION_ID);
}

/**
 * The event id and key id of an `api_key.revoked` event (a key deleted at WorkOS), or null. The
 * key's id goes on the same feed as revoked sessions: every instance drops it from its cache.
 */
export function readApiKeyRevoked(payload: unknown): RevocationEvent | null {
  return readRevocation(payload, "api_key.revoked", API_KEY_ID);
}

function readRevocation(payload: unknown, type: string, shape: RegExp): RevocationEvent | null {
  const p = payload as { id?: unknown; event?: unknown; data?: { id?: unknown } } | null;
  if (p?.event !== type || typeof p.id !== "string" || p.id.length > 128) return null;
  const revokedId = p.data?.id;
  if (typeof revokedId !== "string" || !shape.test(revokedId)) return null;
  return { id: p.id, revokedId };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function refuse(cause?: unknown): Response {
  logAuthFailure(new AuthError("webhook_invalid", { cause }), ROUTE, createRequestId());
  return json(401, { error: "invalid_signature" });
}

function json(status: number, body: unknown): Response {
  return Response.json(body, { status, headers: { "cache-control": "no-store" } });
}
