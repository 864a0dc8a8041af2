/**
 * The stand-in's organization admin page (`/admin/organizations`): what an organization's admin
 * does in the WorkOS dashboard and the API Keys widget, each action sending the webhook WorkOS
 * sends. Webhooks go to a local receiver that records them.
 */
import { assert, assertEquals, assertFalse, assertStringIncludes } from "@std/assert";
import { GRACE, ORG, withStandIn } from "./support/standin.ts";

/** A local webhook endpoint that records every delivery's event type and data. */
function startReceiver() {
  const events: { event: string; data: Record<string, unknown> }[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    events.push(await request.json());
    return new Response(null, { status: 204 });
  });
  return {
    events,
    url: `http://127.0.0.1:${server.addr.port}/webhooks/workos`,
    close: () => server.shutdown(),
  };
}

async function post(base: URL, fields: Record<string, string | string[]>) {
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) {
    for (const item of [value].flat()) form.append(name, item);
  }
  return await fetch(new URL("/admin/organizations/action", base), {
    method: "POST",
    body: form,
    redirect: "manual",
  });
}

Deno.test("stand-in admin: a new API key is shown once, listed obfuscated, validated, and deleted with api_key.revoked", async () => {
  const receiver = startReceiver();
  try {
    await withStandIn(async ({ standIn }) => {
      const created = await post(standIn.url, {
        action: "create_key",
        organization_id: ORG,
        name: "Nightly export",
        permissions: ["posts:read"],
      });
      assertEquals(created.status, 200);
      const page = await created.text();
      const value = page.match(/id="new-key-value" readonly[^>]*value="([^"]+)"/)?.[1] ?? "";
      assert(value.startsWith("sk_"), "the value is on the page once");
      const listed = await (await fetch(new URL("/admin/organizations", standIn.url))).text();
      assertFalse(listed.includes(value), "never shown again");
      assertStringIncludes(listed, `sk_…${value.slice(-4)}`);
      const [key] = [...listed.matchAll(/id="delete-(api_key_[A-Za-z0-9]+)"/g)].map((m) => m[1]);
      const deleted = await post(standIn.url, { action: "delete_key", api_key_id: key });
      assertEquals(deleted.status, 303);
      await deleted.body?.cancel();
      const validation = await fetch(new URL("/api_keys/validations", standIn.url), {
        method: "POST",
        headers: { authorization: "Bearer sk_test_stand_in" },
        body: JSON.stringify({ value }),
      });
      assertEquals(await validation.json(), { api_key: null });
    }, { webhook: { url: receiver.url, secret: "whsec_admin_test" } });
    assertEquals(receiver.events.map((e) => e.event), ["api_key.created", "api_key.revoked"]);
    assertEquals(
      receiver.events[1].data.obfuscated_value,
      receiver.events[0].data.obfuscated_value,
    );
  } finally {
    await receiver.close();
  }
});

Deno.test("stand-in admin: changing a role and removing a member send the membership events, and the next refresh carries them", async () => {
  const receiver = startReceiver();
  try {
    await withStandIn(async ({ standIn, workos }) => {
      const session = await standIn.issueSession(GRACE);
      const changed = await post(standIn.url, {
        action: "change_role",
        organization_id: ORG,
        user_id: GRACE,
        role: "admin",
      });
      assertEquals(changed.status, 303);
      await changed.body?.cancel();
      const refreshed = await workos.userManagement.authenticateWithRefreshToken({
        clientId: "client_01STANDIN",
        refreshToken: String(session.refresh_token),
      });
      const claims = JSON.parse(atob(refreshed.accessToken.split(".")[1]));
      assertEquals([claims.org_id, claims.role], [ORG, "admin"]);
      const removed = await post(standIn.url, {
        action: "remove_member",
        organization_id: ORG,
        user_id: GRACE,
      });
      assertEquals(removed.status, 303);
      await removed.body?.cancel();
      const outside = await workos.userManagement.authenticateWithRefreshToken({
        clientId: "client_01STANDIN",
        refreshToken: refreshed.refreshToken,
      });
      const after = JSON.parse(atob(outside.accessToken.split(".")[1]));
      assertEquals(after.org_id, undefined, "no longer in that organization");
      assertFalse(
        (await (await fetch(new URL("/admin/organizations", standIn.url))).text())
          .includes(`remove-${GRACE}-${ORG}`),
      );
    }, { webhook: { url: receiver.url, secret: "whsec_admin_test" } });
    assertEquals(receiver.events.map((e) => e.event), [
      "organization_membership.updated",
      "organization_membership.deleted",
    ]);
    assertEquals(receiver.events[0].data.user_id, GRACE);
    assertEquals(receiver.events[0].data.organization_id, ORG);
    assertEquals(receiver.events[0].data.role, { slug: "admin" });
  } finally {
    await receiver.close();
  }
});
