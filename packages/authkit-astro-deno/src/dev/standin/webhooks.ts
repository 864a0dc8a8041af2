/**
 * Signed webhook deliveries, as WorkOS sends them: a JSON event POSTed with
 * `WorkOS-Signature: t=<ms>,v1=<hex HMAC-SHA256 of "<t>.<body>">` keyed by the endpoint secret.
 * The stand-in sends `session.revoked` whenever a session ends (logout, the revoke API, or the
 * admin page), `api_key.revoked` when a key is deleted, and `organization_membership.updated` /
 * `.deleted` when an admin changes a role or removes a member, so the app's webhook route runs
 * locally as it would against WorkOS.
 *
 * @module
 */
import { randomId } from "./tokens.ts";

/** Where events go, and the secret they are signed with. */
export interface WebhookTarget {
  url: string;
  secret: string;
}

/** What the stand-in knows of an ended session. */
export interface EndedSession {
  id: string;
  userId: string;
}

/** Sends events one POST each, in the background; `settled()` waits for those in flight. */
export interface WebhookSender {
  sessionRevoked(session: EndedSession): void;
  /** Any other event: `data` is the API object it is about, in WorkOS's wire shape. */
  send(event: string, data: Record<string, unknown>): void;
  /** Deliveries attempted so far, and how many the app answered with a 2xx. */
  deliveries(): { sent: number; accepted: number };
  settled(): Promise<void>;
}

const DELIVERY_TIMEOUT_MS = 5_000;

/** The `WorkOS-Signature` header for `body` signed at `timestampMs`. */
export async function signWebhook(
  body: string,
  secret: string,
  timestampMs: number,
): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign(
    "HMAC",
    key,
    new TextEncoder().encode(`${timestampMs}.${body}`),
  );
  const hex = Array.from(new Uint8Array(mac), (b) => b.toString(16).padStart(2, "0")).join("");
  return `t=${timestampMs},v1=${hex}`;
}

/** The `session.revoked` event for `session`, in WorkOS's shape. */
export function sessionRevokedEvent(session: EndedSession, nowMs: number) {
  const at = new Date(nowMs).toISOString();
  return {
    id: randomId("event"),
    event: "session.revoked",
    data: {
      object: "session",
      id: session.id,
      user_id: session.userId,
      status: "revoked",
      created_at: at,
      updated_at: at,
    },
    created_at: at,
  };
}

/** A sender to `target`; delivery failures are logged, never thrown (WorkOS would retry). */
export function createWebhookSender(
  target: WebhookTarget,
  now: () => number,
  log: (line: string) => void,
): WebhookSender {
  const inFlight = new Set<Promise<void>>();
  const counts = { sent: 0, accepted: 0 };

  async function deliver(event: { id: string; event: string }): Promise<void> {
    // Compact JSON: the SDK verifies the HMAC over `JSON.stringify` of the parsed body.
    const body = JSON.stringify(event);
    counts.sent++;
    try {
      const response = await fetch(target.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "workos-signature": await signWebhook(body, target.secret, now()),
        },
        body,
        signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      });
      await response.body?.cancel();
      if (response.ok) counts.accepted++;
      else log(`webhook ${event.event} answered ${response.status}`);
    } catch (error) {
      log(`webhook ${event.event} failed: ${error instanceof Error ? error.name : error}`);
    }
  }

  function start(event: { id: string; event: string }): void {
    const delivery = deliver(event);
    inFlight.add(delivery);
    delivery.finally(() => inFlight.delete(delivery));
  }

  return {
    sessionRevoked(session) {
      start(sessionRevokedEvent(session, now()));
    },
    send(event, data) {
      const at = new Date(now()).toISOString();
      start(
        { id: randomId("event"), event, data, created_at: at } as { id: string; event: string },
      );
    },
    deliveries: () => ({ ...counts }),
    async settled() {
      await Promise.all(inFlight);
    },
  };
}
