/**
 * Organization API keys on API routes (SECURITY-CASES S67, S68), through `guardRequest()` and the
 * real auth layer against the local stand-in: keys are created and deleted through its API as an
 * organization's admin would, validated over the wire, and revoked by a signed `api_key.revoked`
 * webhook that a second auth layer learns from shared state.
 */
import { assert, assertEquals, assertFalse } from "@std/assert";
import { type Auth, type AuthOptions, createAuth } from "../src/auth.ts";
import type { ApiKeyContext } from "../src/api-keys/context.ts";
import { API_KEY_CACHE_MS, INVALID_KEY_CACHE_MS } from "../src/api-keys/resolve.ts";
import { requireAuthOrApiKeyWith, requireAuthWith } from "../src/helpers/require-auth.ts";
import { guardRequest } from "../src/middleware/guard.ts";
import type { AuthContext } from "../src/session/resolve.ts";
import { createMemorySharedState } from "../src/shared-state/store.ts";
import { signWebhook } from "../src/dev/standin/webhooks.ts";
import type { StandIn } from "../src/dev/standin/server.ts";
import { testConfig } from "./support/fake_workos.ts";
import { captureLogs, createClock, requestWithCookies } from "./support/flow.ts";
import { API_KEY, ORG, withStandIn } from "./support/standin.ts";

const SECRET = "whsec_api_keys_0123456789";

function configFor(standIn: StandIn, overrides: Record<string, string> = {}) {
  return testConfig({
    WORKOS_API_KEY: API_KEY,
    WORKOS_CLIENT_ID: "client_01STANDIN",
    WORKOS_API_HOSTNAME: standIn.hostname,
    WORKOS_API_PORT: String(standIn.port),
    WORKOS_API_HTTPS: "false",
    WORKOS_WEBHOOK_SECRET: SECRET,
    ...overrides,
  });
}

/** Creates a key through the stand-in's API, as the API Keys widget does; returns it with value. */
async function createKeyOverHttp(standIn: StandIn, permissions: string[]) {
  const response = await fetch(new URL(`/organizations/${ORG}/api_keys`, standIn.url), {
    method: "POST",
    headers: { authorization: `Bearer ${API_KEY}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "CI pipeline", permissions }),
  });
  assertEquals(response.status, 201);
  return await response.json() as { id: string; value: string; obfuscated_value: string };
}

/** Guards `path` with `Authorization: Bearer <value>`, recording what the route saw. */
async function callWith(auth: Auth, path: string, value: string, accept = "application/json") {
  const seen: (AuthContext | ApiKeyContext | null)[] = [];
  const request = requestWithCookies(path, [], {
    headers: { authorization: `Bearer ${value}`, accept },
  });
  const response = await guardRequest(request, auth, (context) => {
    seen.push(context);
    return Promise.resolve(Response.json({ ok: true }));
  });
  return { response, seen };
}

function randomKey(): string {
  return `sk_${crypto.randomUUID().replaceAll("-", "")}`;
}

Deno.test("S67 S68 an organization API key on an API route: its organization and permissions, no user, validated once per minute", async () => {
  await withStandIn(async ({ standIn }) => {
    const clock = createClock();
    const auth = createAuth(configFor(standIn), { now: clock.now });
    const created = await createKeyOverHttp(standIn, ["posts:read"]);
    const { response, seen } = await callWith(auth, "/api/me", created.value);
    assertEquals(response.status, 200);
    assertEquals(response.headers.getSetCookie(), []);
    assertEquals(response.headers.get("cache-control"), "private, no-store");
    const context = seen[0];
    assert(context?.credential === "api_key");
    assertEquals(context.organizationId, ORG);
    assertEquals(context.permissions, ["posts:read"]);
    assertEquals(context.apiKey.id, created.id);
    assertEquals(context.apiKey.owner, { type: "organization", id: ORG });
    assertEquals(context.apiKey.obfuscatedValue, created.obfuscated_value);
    assert(context.has({ permission: "posts:read" }));
    assertFalse(context.has({ permission: "posts:write" }));
    assertFalse(context.has({ role: "admin" }), "a key has no role");
    assertFalse("user" in context, "a key is not a user");
    assert(Object.isFrozen(context));
    assertFalse(JSON.stringify(context).includes(created.value), "the value is kept nowhere");
    // Within the minute: no second validation; after it, one.
    assertEquals(standIn.counts().api_key_validations, 1);
    await callWith(auth, "/api/me", created.value);
    clock.advance(API_KEY_CACHE_MS / 1000 - 1);
    await callWith(auth, "/api/me", created.value);
    assertEquals(standIn.counts().api_key_validations, 1);
    clock.advance(2);
    assertEquals((await callWith(auth, "/api/me", created.value)).response.status, 200);
    assertEquals(standIn.counts().api_key_validations, 2);
  });
});

Deno.test("S68 pages never accept an API key: a protected page redirects to sign-in, WorkOS is not asked", async () => {
  await withStandIn(async ({ standIn }) => {
    const auth = createAuth(configFor(standIn));
    const { value } = await createKeyOverHttp(standIn, ["posts:read"]);
    const page = await callWith(auth, "/dashboard", value, "text/html");
    assertEquals(page.response.status, 302);
    assertEquals(page.response.headers.get("location"), "/sign-in?returnTo=%2Fdashboard");
    const publicPage = await callWith(auth, "/", value, "text/html");
    assertEquals(publicPage.seen, [null], "a public page renders signed out");
    assertEquals(standIn.counts().api_key_validations, 0);
  });
});

Deno.test("S68 requireAuth() refuses a key as it refuses no one; requireAuthOrApiKey() accepts it, with its permissions", async () => {
  await withStandIn(async ({ standIn }) => {
    const auth = createAuth(configFor(standIn));
    const { value } = await createKeyOverHttp(standIn, ["posts:read"]);
    const { seen } = await callWith(auth, "/api/reports", value);
    const context = {
      request: requestWithCookies("/api/reports", [], { headers: { accept: "application/json" } }),
      locals: { auth: seen[0] as ApiKeyContext },
    };
    const refused = requireAuthWith(context, auth.config.routes);
    assert(refused instanceof Response);
    assertEquals(refused.status, 401);
    assertEquals(requireAuthOrApiKeyWith(context, auth.config.routes), seen[0]);
    const held = requireAuthOrApiKeyWith(context, auth.config.routes, { permission: "posts:read" });
    assertEquals(held, seen[0]);
    const forbidden = requireAuthOrApiKeyWith(context, auth.config.routes, { role: "admin" });
    assert(forbidden instanceof Response);
    assertEquals(forbidden.status, 403);
  });
});

Deno.test("S67 a key deleted at WorkOS is refused by another instance once the api_key.revoked webhook reaches one", async () => {
  await withStandIn(async ({ standIn }) => {
    const sharedState = createMemorySharedState();
    const [a, b] = [0, 1].map(() => createAuth(configFor(standIn), { sharedState }));
    const { id, value } = await createKeyOverHttp(standIn, ["posts:read"]);
    for (const instance of [a, b]) {
      assertEquals((await callWith(instance, "/api/me", value)).response.status, 200);
    }
    const deleted = await fetch(new URL(`/api_keys/${id}`, standIn.url), {
      method: "DELETE",
      headers: { authorization: `Bearer ${API_KEY}` },
    });
    assertEquals(deleted.status, 204);
    // The event WorkOS sends, delivered to instance a (the stand-in's own sender is tested with
    // the built servers in tests/instances_test.ts).
    const body = JSON.stringify({
      id: "event_01KEYREVOKED",
      event: "api_key.revoked",
      data: { object: "api_key", id, owner: { type: "organization", id: ORG } },
      created_at: new Date().toISOString(),
    });
    const webhook = await a.webhook(
      new Request("http://localhost:4321/webhooks/workos", {
        method: "POST",
        headers: { "workos-signature": await signWebhook(body, SECRET, Date.now()) },
        body,
      }),
    );
    assertEquals(webhook.status, 200);
    await b.revocations.sync(); // b's next poll of the feed
    for (const instance of [a, b]) {
      const { response, seen } = await callWith(instance, "/api/me", value);
      assertEquals(response.status, 401);
      assertEquals(response.headers.get("www-authenticate"), 'Bearer error="invalid_token"');
      assertEquals(seen, []);
    }
    // And WorkOS itself no longer knows the key.
    using logs = captureLogs();
    const fresh = createAuth(configFor(standIn));
    assertEquals((await callWith(fresh, "/api/me", value)).response.status, 401);
    assert(logs.lines.some((line) => line.includes('"api_key_invalid"')));
  });
});

Deno.test("S67 random keys as fast as a client sends them: a fixed number of WorkOS calls per second, 401 or 429, never 5xx, never logged", async () => {
  await withStandIn(async ({ standIn }) => {
    const clock = createClock();
    const options: AuthOptions = { now: clock.now, apiKeyValidationsPerSecond: 5 };
    const auth = createAuth(configFor(standIn), options);
    const { value: live } = await createKeyOverHttp(standIn, ["posts:read"]);
    assertEquals((await callWith(auth, "/api/me", live)).response.status, 200); // one call
    using logs = captureLogs();
    const keys = Array.from({ length: 60 }, randomKey);
    const statuses = (await Promise.all(keys.map((key) => callWith(auth, "/api/me", key))))
      .map(({ response }) => response.status);
    assertEquals(
      standIn.counts().api_key_validations,
      5,
      "the live key's call, then the 4 the budget had left",
    );
    assert(statuses.every((status) => status === 401 || status === 429), String(statuses));
    assertEquals(statuses.filter((status) => status === 401).length, 4);
    // A known key still works while the budget is spent: it costs no validation.
    assertEquals((await callWith(auth, "/api/me", live)).response.status, 200);
    const limited = await callWith(auth, "/api/me", randomKey());
    assertEquals(limited.response.status, 429);
    assertEquals(limited.response.headers.get("retry-after"), "1");
    // A second later the budget is back, for that second only.
    clock.advance(1);
    await Promise.all(keys.slice(30).map((key) => callWith(auth, "/api/me", key)));
    assertEquals(standIn.counts().api_key_validations, 10);
    // An unknown key is remembered: repeating it costs nothing until it is forgotten.
    clock.advance(1);
    const unknown = randomKey();
    assertEquals((await callWith(auth, "/api/me", unknown)).response.status, 401);
    const callsBefore = standIn.counts().api_key_validations;
    assertEquals((await callWith(auth, "/api/me", unknown)).response.status, 401);
    assertEquals(standIn.counts().api_key_validations, callsBefore);
    clock.advance(INVALID_KEY_CACHE_MS / 1000);
    assertEquals((await callWith(auth, "/api/me", unknown)).response.status, 401);
    assertEquals(standIn.counts().api_key_validations, callsBefore + 1);
    const logged = logs.lines.join("\n");
    assert(logged.includes('"api_key_rate_limited"') && logged.includes('"api_key_invalid"'));
    for (const key of [live, unknown, ...keys]) {
      assertFalse(logged.includes(key), "no key in a log line");
    }
  });
});

Deno.test("S67 malformed and oversized bearer values are refused unread; WorkOS down is a 503 that is not remembered", async () => {
  await withStandIn(async ({ standIn }) => {
    const auth = createAuth(configFor(standIn));
    for (const value of ["", "short", "has spaces in it", "x".repeat(513), "sk_ok<script>"]) {
      const { response } = await callWith(auth, "/api/me", value);
      assertEquals(response.status, 401, JSON.stringify(value.slice(0, 20)));
    }
    assertEquals(standIn.counts().api_key_validations, 0);
    const { value } = await createKeyOverHttp(standIn, []);
    standIn.setFault("api_key_validations", "error500");
    const down = await callWith(auth, "/api/me", value);
    assertEquals(down.response.status, 503);
    assertEquals(down.response.headers.get("retry-after"), "5");
    standIn.setFault("api_key_validations", null);
    assertEquals((await callWith(auth, "/api/me", value)).response.status, 200);
  });
});

Deno.test("apiRoutes: bearer credentials are read under the configured prefixes only, protected or not", async () => {
  await withStandIn(async ({ standIn }) => {
    const config = configFor(standIn);
    const routes = { ...config.routes, api: ["/v1"], protected: ["/dashboard"] };
    const auth = createAuth({ ...config, routes });
    const { value } = await createKeyOverHttp(standIn, ["posts:read"]);
    const v1 = await callWith(auth, "/v1/reports", value);
    assertEquals(v1.response.status, 200);
    assertEquals(v1.seen[0]?.credential, "api_key");
    const elsewhere = await callWith(auth, "/api/reports", value);
    assertEquals(elsewhere.seen, [null], "not an API route here: the header is not read");
    const bad = await callWith(auth, "/v1/reports", randomKey());
    assertEquals(bad.response.status, 401, "a bad credential is refused even where none is needed");
  });
});
