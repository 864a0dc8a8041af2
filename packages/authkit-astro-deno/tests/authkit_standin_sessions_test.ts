/**
 * Contract tests of the AuthKit stand-in's session endpoints, with the real v6 client: the revoke
 * API, signed `session.revoked` webhooks (verified by the SDK's own `verifyHeader`), the admin
 * page, and the hosted logout URL for a session that is already revoked.
 */
import { WorkOS } from "@workos-inc/node";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "@std/assert";
import { signWebhook } from "../src/dev/standin/webhooks.ts";
import {
  ADA,
  CLIENT_ID,
  logoutUrl,
  oauthError,
  REDIRECT_URI,
  sessionIdOf,
  withStandIn,
} from "./support/standin.ts";

const SECRET = "whsec_standin_test_0123456789";

/** A local endpoint that records deliveries, as the app's webhook route would receive them. */
function webhookReceiver() {
  const received: { body: string; signature: string | null }[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    received.push({
      body: await request.text(),
      signature: request.headers.get("workos-signature"),
    });
    return new Response(null, { status: 204 });
  });
  return {
    received,
    url: `http://127.0.0.1:${server.addr.port}/webhooks/workos`,
    close: () => server.shutdown(),
  };
}

Deno.test("stand-in: revokeSession() ends the session; its refresh token is refused after", async () => {
  await withStandIn(async ({ standIn, workos }) => {
    const session = await standIn.issueSession(ADA);
    const sessionId = sessionIdOf(session);
    await workos.userManagement.revokeSession({ sessionId });
    assertEquals(standIn.counts().revoke, 1);
    assertEquals(standIn.activeSessions(), []);
    const refresh = () =>
      workos.userManagement.authenticateWithRefreshToken({
        clientId: CLIENT_ID,
        refreshToken: session.refresh_token as string,
      });
    assertEquals((await oauthError(refresh)).error, "invalid_grant");
    // Revoking an ended session is not an error (sign-out may race a webhook).
    await workos.userManagement.revokeSession({ sessionId });
  });
});

Deno.test("stand-in: the revoke API requires the API key", async () => {
  await withStandIn(async ({ standIn }) => {
    const session = await standIn.issueSession(ADA);
    const stranger = new WorkOS("sk_test_wrong", {
      apiHostname: standIn.hostname,
      port: standIn.port,
      https: false,
    });
    await assertRejects(() =>
      stranger.userManagement.revokeSession({ sessionId: sessionIdOf(session) })
    );
    assertEquals(standIn.activeSessions(), [sessionIdOf(session)]);
  });
});

Deno.test("stand-in: a session ending sends one signed session.revoked that the SDK verifies", async () => {
  const receiver = webhookReceiver();
  try {
    await withStandIn(async ({ standIn, workos }) => {
      const session = await standIn.issueSession(ADA);
      standIn.revokeSession(sessionIdOf(session));
      standIn.revokeSession(sessionIdOf(session)); // already ended: no second event
      await standIn.close(); // waits for deliveries in flight (close is idempotent)
      assertEquals(receiver.received.length, 1);
      const [{ body, signature }] = receiver.received;
      const payload = JSON.parse(body);
      assertEquals(
        await workos.webhooks.verifyHeader({ payload, sigHeader: signature!, secret: SECRET }),
        true,
      );
      assertEquals(payload.event, "session.revoked");
      assertEquals(payload.data.id, sessionIdOf(session));
      assertEquals(payload.data.user_id, ADA);
      assert(/^event_/.test(payload.id));
      await assertRejects(() =>
        workos.webhooks.verifyHeader({ payload, sigHeader: signature!, secret: "whsec_other" })
      );
    }, { webhook: { url: receiver.url, secret: SECRET } });
  } finally {
    await receiver.close();
  }
});

Deno.test("stand-in: signWebhook() matches the SDK's signature scheme", async () => {
  const workos = new WorkOS("sk_test_any");
  const payload = { id: "event_01", event: "session.revoked", data: { id: "session_01" } };
  const sigHeader = await signWebhook(JSON.stringify(payload), SECRET, Date.now());
  assertEquals(await workos.webhooks.verifyHeader({ payload, sigHeader, secret: SECRET }), true);
});

Deno.test("stand-in: the admin page lists active sessions and revokes one", async () => {
  await withStandIn(async ({ standIn }) => {
    const session = await standIn.issueSession(ADA);
    const sessionId = sessionIdOf(session);
    const page = await fetch(new URL("/admin/sessions", standIn.url));
    const html = await page.text();
    assertStringIncludes(html, "ada@example.com");
    assertStringIncludes(html, `id="revoke-${sessionId}"`);
    const revoke = await fetch(new URL("/admin/sessions/revoke", standIn.url), {
      method: "POST",
      body: new URLSearchParams({ session_id: sessionId }),
      redirect: "manual",
    });
    await revoke.body?.cancel();
    assertEquals([revoke.status, revoke.headers.get("location")], [303, "/admin/sessions"]);
    assertEquals(standIn.activeSessions(), []);
  });
});

Deno.test("stand-in: the logout URL of an already revoked session still returns the browser", async () => {
  await withStandIn(async ({ standIn, workos }) => {
    const session = await standIn.issueSession(ADA);
    await workos.userManagement.revokeSession({ sessionId: sessionIdOf(session) });
    const returnTo = new URL("/", REDIRECT_URI).href;
    const response = await fetch(logoutUrl(workos, sessionIdOf(session), returnTo), {
      redirect: "manual",
    });
    await response.body?.cancel();
    assertEquals([response.status, response.headers.get("location")], [302, returnTo]);
  });
});
