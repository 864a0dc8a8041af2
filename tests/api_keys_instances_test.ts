/**
 * Organization API keys across instances (SECURITY-CASES S67, S68), the way Deno Deploy runs the
 * app: two built servers sharing one Deno KV file, against the stand-in, which creates and deletes
 * keys as an organization's admin would and sends `api_key.revoked` to instance a.
 */
import { assert, assertEquals } from "@std/assert";
import { type Stack, startInstances } from "./support/stack.ts";

const ORG = "org_01EXAMPLE00000000000000000";

/** `GET /api/me` on `instance` with `Authorization: Bearer <value>`. */
async function callWithKey(instance: Stack, value: string) {
  const response = await fetch(new URL("/api/me", instance.appUrl), {
    headers: { authorization: `Bearer ${value}`, accept: "application/json" },
  });
  return { status: response.status, body: await response.json().catch(() => null), response };
}

Deno.test("S67 S68 built servers: an organization key answers /api/me on both instances; deleted, it is refused on both within 3 s", async () => {
  await using pair = await startInstances();
  const { id, value } = await pair.standIn.createApiKey(ORG, {
    name: "Reporting",
    permissions: ["posts:read"],
  });
  for (const instance of [pair.a, pair.b]) {
    const { status, body, response } = await callWithKey(instance, value);
    assertEquals(status, 200);
    assertEquals(body.credential, "api_key");
    assertEquals(body.organizationId, ORG);
    assertEquals(body.permissions, ["posts:read"]);
    assertEquals(body.apiKey.id, id);
    assertEquals(body.userId, undefined, "a key is not a user");
    assertEquals(response.headers.getSetCookie(), []);
  }
  // A page never takes a key (S68).
  const page = await fetch(new URL("/dashboard", pair.b.appUrl), {
    headers: { authorization: `Bearer ${value}`, accept: "text/html" },
    redirect: "manual",
  });
  await page.body?.cancel();
  assertEquals(page.status, 302);
  assertEquals(pair.standIn.counts().api_key_validations, 2, "one validation per instance");

  // Both instances now hold the key in their caches; the admin deletes it at WorkOS.
  assert(pair.standIn.deleteApiKey(id));
  const started = performance.now();
  const pending = new Set([pair.a, pair.b]);
  while (pending.size > 0 && performance.now() - started < 3_000) {
    for (const instance of [...pending]) {
      const { status, response } = await callWithKey(instance, value);
      assert(status === 200 || status === 401, `200 until refused, then 401 (got ${status})`);
      if (status === 401) {
        assertEquals(response.headers.get("www-authenticate"), 'Bearer error="invalid_token"');
        pending.delete(instance);
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assertEquals([...pending].map((s) => s.appUrl.port), [], "refused everywhere within 3 s");
  console.log(`  refused on both instances ${Math.round(performance.now() - started)} ms after`);
  assertEquals(pair.standIn.webhookDeliveries().accepted >= 2, true, "api_key.created, .revoked");
  for (const instance of [pair.a, pair.b]) {
    assert(!instance.logs().includes(value), "the key is never logged");
  }
});

Deno.test("S67 built servers: random keys as fast as a client sends them cost a bounded number of WorkOS calls, 401 or 429, never 5xx", async () => {
  await using pair = await startInstances();
  const { value } = await pair.standIn.createApiKey(ORG, { permissions: ["posts:read"] });
  assertEquals((await callWithKey(pair.a, value)).status, 200);
  pair.standIn.resetCounts();
  const started = performance.now();
  const statuses = new Map<number, number>();
  // Eight clients in parallel, each sending fresh random keys back to back for about a second.
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (performance.now() - started < 1_000) {
      const { status } = await callWithKey(pair.a, `sk_${crypto.randomUUID()}`);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  const calls = pair.standIn.counts().api_key_validations;
  const sent = [...statuses.values()].reduce((a, b) => a + b, 0);
  console.log(
    `  ${sent} random keys in ${seconds.toFixed(1)} s: ${calls} validations, ${
      JSON.stringify(Object.fromEntries(statuses))
    }`,
  );
  assertEquals([...statuses.keys()].filter((s) => s !== 401 && s !== 429), []);
  // The budget: 10 a second per instance, refilled continuously, one second's worth at most.
  assert(calls <= 10 * (seconds + 1), `${calls} validations in ${seconds} s`);
  assert(sent > calls * 2, "most random keys never reached WorkOS");
  // A known key kept working through the flood, at no cost.
  assertEquals((await callWithKey(pair.a, value)).status, 200);
  assertEquals(pair.standIn.counts().api_key_validations, calls);
});
