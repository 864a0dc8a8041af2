/**
 * The shared-state contract, run against both implementations (Deno KV on a temp file, and the
 * in-process fallback), plus what only KV can show: two handles on one file, as two instances.
 */
import { assert, assertEquals } from "@std/assert";
import {
  createMemorySharedState,
  FEED_TTL_MS,
  hashToken,
  type SharedState,
} from "../src/shared-state/store.ts";
import { createKvSharedState } from "../src/shared-state/kv.ts";
import { openSharedState } from "../src/shared-state/open.ts";
import { captureLogs } from "./support/flow.ts";
import { tempKvPath } from "./support/kv.ts";

const START = 1_700_000_000_000;

interface Fixture extends AsyncDisposable {
  store: SharedState;
  clock: { ms: number };
}

const IMPLEMENTATIONS: Record<string, () => Promise<Fixture>> = {
  memory() {
    const clock = { ms: START };
    return Promise.resolve({
      clock,
      store: createMemorySharedState(() => clock.ms),
      [Symbol.asyncDispose]: () => Promise.resolve(),
    });
  },
  async kv() {
    const clock = { ms: START };
    const file = await tempKvPath();
    const store = createKvSharedState(await Deno.openKv(file.path), () => clock.ms);
    return {
      clock,
      store,
      async [Symbol.asyncDispose]() {
        store.close();
        await file[Symbol.asyncDispose]();
      },
    };
  },
};

function contract(name: string, body: (f: Fixture) => Promise<void>): void {
  for (const [implementation, create] of Object.entries(IMPLEMENTATIONS)) {
    Deno.test(`shared state (${implementation}): ${name}`, async () => {
      await using fixture = await create();
      await body(fixture);
    });
  }
}

contract("the first claim wins; later claimants see the claim, then the outcome", async (f) => {
  assertEquals(await f.store.claimRefresh("token-hash", 7_000), null);
  assertEquals((await f.store.claimRefresh("token-hash", 7_000))?.state, "claimed");
  await f.store.settleRefresh("token-hash", { state: "done", sealed: "Fe26.2*seal" }, 30_000);
  const record = await f.store.claimRefresh("token-hash", 7_000);
  assertEquals(record?.state === "done" && record.sealed, "Fe26.2*seal");
  assertEquals((await f.store.readRefresh("token-hash"))?.state, "done");
});

contract("S38 a claim whose claimant died expires, and can be claimed again", async (f) => {
  assertEquals(await f.store.claimRefresh("token-hash", 7_000), null);
  f.clock.ms += 7_001;
  // KV may still hold the entry (expireIn is only the earliest deletion): the value's expiry rules.
  assertEquals(await f.store.readRefresh("token-hash"), null);
  assertEquals(await f.store.claimRefresh("token-hash", 7_000), null);
});

contract("a published failure is answered until it expires", async (f) => {
  await f.store.claimRefresh("token-hash", 7_000);
  await f.store.settleRefresh("token-hash", { state: "failed", code: "upstream_timeout" }, 5_000);
  const record = await f.store.claimRefresh("token-hash", 7_000);
  assertEquals(record?.state === "failed" && record.code, "upstream_timeout");
  f.clock.ms += 5_001;
  assertEquals(await f.store.claimRefresh("token-hash", 7_000), null);
});

contract("S39 a revoked session id is revoked until its expiry, and on the feed", async (f) => {
  assertEquals(await f.store.isRevoked("session_01A"), false);
  await f.store.revoke({ sid: "session_01A", expiresAt: START + 60_000 });
  assert(await f.store.isRevoked("session_01A"));
  const { revocations, cursor } = await f.store.revocationsSince(START - 1_000);
  assertEquals(revocations, [{ sid: "session_01A", expiresAt: START + 60_000 }]);
  assertEquals(cursor, START);
  f.clock.ms += 1_000;
  await f.store.revoke({ sid: "session_01B", expiresAt: START + 60_000 });
  const later = await f.store.revocationsSince(START + 1);
  assertEquals(later.revocations.map((r) => r.sid), ["session_01B"]);
  f.clock.ms = START + 60_001;
  assertEquals(await f.store.isRevoked("session_01A"), false);
});

contract("the feed forgets entries after FEED_TTL_MS", async (f) => {
  await f.store.revoke({ sid: "session_01A", expiresAt: START + 10 * FEED_TTL_MS });
  f.clock.ms += FEED_TTL_MS + 1;
  await f.store.revoke({ sid: "session_01B", expiresAt: START + 10 * FEED_TTL_MS });
  // The memory feed drops old entries; KV's expireIn may lag, so only require the new one.
  const { revocations } = await f.store.revocationsSince(START + FEED_TTL_MS);
  assertEquals(revocations.map((r) => r.sid), ["session_01B"]);
});

contract("S40 a webhook event revokes once: a repeated delivery is a no-op", async (f) => {
  const revocation = { sid: "session_01A", expiresAt: START + 60_000 };
  assert(await f.store.revokeForEvent("event_01", 60_000, revocation));
  assertEquals(await f.store.revokeForEvent("event_01", 60_000, revocation), false);
  assert(await f.store.isRevoked("session_01A"));
  assert(await f.store.revokeForEvent("event_02", 60_000, { ...revocation, sid: "session_01B" }));
});

contract("operations are counted for /healthz", async (f) => {
  await f.store.isRevoked("session_01A");
  await f.store.revoke({ sid: "session_01A", expiresAt: START + 60_000 });
  // The revocation reads before it writes: a session already revoked costs no write (S53).
  assertEquals(f.store.stats, { reads: 2, writes: 1, polls: 0 });
});

Deno.test("hashToken() is a SHA-256 hex digest: no store ever holds the token", async () => {
  assertEquals(
    await hashToken("abc"),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
});

Deno.test("S38 shared state (kv): two handles on one file, as two instances, agree", async () => {
  await using file = await tempKvPath();
  const a = createKvSharedState(await Deno.openKv(file.path));
  const b = createKvSharedState(await Deno.openKv(file.path));
  try {
    const claims = await Promise.all([a.claimRefresh("h", 7_000), b.claimRefresh("h", 7_000)]);
    assertEquals(claims.filter((claim) => claim === null).length, 1, "exactly one claimant");
    await a.settleRefresh("h", { state: "done", sealed: "Fe26.2*x" }, 30_000);
    assertEquals((await b.readRefresh("h"))?.state, "done");

    await a.revoke({ sid: "session_01A", expiresAt: Date.now() + 60_000 });
    assert(await b.isRevoked("session_01A"));
    const feed = await b.revocationsSince(Date.now() - 5_000);
    assertEquals(feed.revocations.map((r) => r.sid), ["session_01A"]);

    const revocation = { sid: "session_01B", expiresAt: Date.now() + 60_000 };
    const firsts = await Promise.all([
      a.revokeForEvent("event_01", 60_000, revocation),
      b.revokeForEvent("event_01", 60_000, revocation),
    ]);
    assertEquals(firsts.filter(Boolean).length, 1, "one instance handles the event");
  } finally {
    a.close();
    b.close();
  }
});

Deno.test("openSharedState() opens Deno KV at DENO_KV_PATH", async () => {
  await using file = await tempKvPath();
  const store = openSharedState(file.path);
  await store.ready;
  assertEquals(store.mode, "kv");
  await store.revoke({ sid: "session_01A", expiresAt: Date.now() + 60_000 });
  assert(await store.isRevoked("session_01A"));
  store.close();
  await store.ready; // close() runs once the store is open
});

Deno.test("openSharedState() falls back to memory with one log line when KV cannot be opened", async () => {
  using logs = captureLogs();
  const store = openSharedState("/nonexistent-dir/for/kv.sqlite3");
  await store.ready;
  assertEquals(store.mode, "memory");
  assertEquals(logs.lines.length, 1);
  const line = JSON.parse(logs.lines[0]);
  assertEquals([line.event, line.level], ["shared_state_fallback", "warn"]);
  assert(line.message.includes("in-process"), line.message);
  // The fallback still works.
  await store.revoke({ sid: "session_01A", expiresAt: Date.now() + 60_000 });
  assert(await store.isRevoked("session_01A"));
});
