/**
 * The webhook signature is checked over the raw bytes WorkOS signed (SECURITY-CASES S57), not over
 * a re-serialisation of the parsed JSON.
 */
import { assert, assertEquals } from "@std/assert";
import { createAuth } from "../src/auth.ts";
import { timingSafeEqual, verifyWebhookSignature } from "../src/handlers/webhook-signature.ts";
import { signWebhook } from "../src/dev/standin/webhooks.ts";
import { installFakeWorkOS, testConfig } from "./support/fake_workos.ts";
import { APP, captureLogs } from "./support/flow.ts";

const SECRET = "whsec_test_0123456789abcdef";

/** A `session.revoked` event as a server whose JSON differs from `JSON.stringify` sends it. */
function serialisedByAnotherServer(sid: string): string {
  // Spaces after separators, a `\u` escape and an escaped slash: valid JSON that
  // `JSON.stringify(JSON.parse(body))` writes differently.
  return `{ "id": "event_01S57", "event": "session.revoked",\n  "data": { "object": "session", ` +
    `"id": "${sid}", "user_agent": "Mozilla\\/5.0 caf\\u00e9" } }`;
}

function delivery(body: string, signature: string): Request {
  return new Request(`${APP}/webhooks/workos`, {
    method: "POST",
    headers: { "content-type": "application/json", "workos-signature": signature },
    body,
  });
}

Deno.test("S57 a delivery signed over its raw bytes is accepted however its JSON is serialised", async () => {
  using _fake = await installFakeWorkOS();
  const auth = createAuth(testConfig({ WORKOS_WEBHOOK_SECRET: SECRET }));
  const body = serialisedByAnotherServer("session_01RAW");
  assert(JSON.stringify(JSON.parse(body)) !== body, "the fixture differs from JSON.stringify");
  const response = await auth.webhook(delivery(body, await signWebhook(body, SECRET, Date.now())));
  assertEquals([response.status, await response.json()], [200, { received: true }]);
  assert(await auth.revocations.isRevoked("session_01RAW"), "the revocation is applied");
});

Deno.test("S57 a signature over the re-serialised JSON, not over the bytes sent, is refused", async () => {
  using _fake = await installFakeWorkOS();
  using _logs = captureLogs();
  const auth = createAuth(testConfig({ WORKOS_WEBHOOK_SECRET: SECRET }));
  const body = serialisedByAnotherServer("session_01RESERIALISED");
  const reserialised = JSON.stringify(JSON.parse(body));
  const signature = await signWebhook(reserialised, SECRET, Date.now());
  const response = await auth.webhook(delivery(body, signature));
  assertEquals(response.status, 401);
  await response.body?.cancel();
  assertEquals(await auth.revocations.isRevoked("session_01RESERIALISED"), false);
});

Deno.test("verifyWebhookSignature() refuses malformed headers and other bytes", async () => {
  const body = new TextEncoder().encode('{"id":"event_01"}');
  const now = Date.now();
  const good = await signWebhook('{"id":"event_01"}', SECRET, now);
  assert(await verifyWebhookSignature(body, good, SECRET, now));
  const hostile = [
    "",
    "t=,v1=",
    `t=${now}`,
    `v1=${good.split("v1=")[1]}`,
    `${good}0`,
    good.replace("v1=", "v0="),
    `t=${now + 1},v1=${good.split("v1=")[1]}`,
  ];
  for (const header of hostile) {
    assertEquals(await verifyWebhookSignature(body, header, SECRET, now), false, header);
  }
  const other = new TextEncoder().encode('{"id":"event_02"}');
  assertEquals(await verifyWebhookSignature(other, good, SECRET, now), false);
});

Deno.test("timingSafeEqual() compares whole arrays", () => {
  assert(timingSafeEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 3])));
  assertEquals(timingSafeEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 4])), false);
  assertEquals(timingSafeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2, 3])), false);
});
