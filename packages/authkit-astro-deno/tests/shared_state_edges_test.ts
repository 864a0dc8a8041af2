/**
 * Shared state at its edges: instances whose clocks disagree (SECURITY-CASES S54, S56), shared
 * state configured but not opened (`/healthz` 503), and a self-hosted `denokv` URL in
 * `DENO_KV_PATH`, passed to `Deno.openKv` as given.
 */
import { assert, assertEquals } from "@std/assert";
import { createKvSharedState } from "../src/shared-state/kv.ts";
import { openSharedState, PUBLIC_REASONS } from "../src/shared-state/open.ts";
import { createRevocations } from "../src/shared-state/revocations.ts";
import { MAX_CLOCK_SKEW_MS } from "../src/shared-state/store.ts";
import { captureLogs } from "./support/flow.ts";
import { tempKvPath } from "./support/kv.ts";
import { unavailableDenoKv } from "./support/denokv.ts";

/** Instances on one KV file, each with its own clock offset from the real time (ms). */
async function instancesWithClocks(offsets: number[]) {
  const file = await tempKvPath();
  const stores = await Promise.all(
    offsets.map(async (offset) =>
      createKvSharedState(await Deno.openKv(file.path), () => Date.now() + offset)
    ),
  );
  return {
    stores,
    async [Symbol.asyncDispose]() {
      for (const store of stores) store.close();
      await file[Symbol.asyncDispose]();
    },
  };
}

const expiresIn = (ms: number) => ({ expiresAt: Date.now() + ms });

Deno.test("S54 a writer 30 s fast does not carry a reader's cursor past later revocations", async () => {
  await using s = await instancesWithClocks([MAX_CLOCK_SKEW_MS, 0, 0]);
  const [fast, correct, readerStore] = s.stores;
  const reader = createRevocations(readerStore);
  await fast.revoke({ sid: "session_01FAST", ...expiresIn(600_000) });
  await reader.sync();
  assert(reader.has("session_01FAST"));
  await correct.revoke({ sid: "session_01AFTER", ...expiresIn(600_000) });
  await reader.sync();
  assert(reader.has("session_01AFTER"), "the revocation written after the fast one is learnt");
});

Deno.test("S54 a writer 30 s slow is still read after the reader's cursor has moved on", async () => {
  await using s = await instancesWithClocks([0, -MAX_CLOCK_SKEW_MS, 0]);
  const [correct, slow, readerStore] = s.stores;
  const reader = createRevocations(readerStore);
  await correct.revoke({ sid: "session_01FIRST", ...expiresIn(600_000) });
  await reader.sync();
  assert(reader.has("session_01FIRST"));
  await slow.revoke({ sid: "session_01SLOW", ...expiresIn(600_000) });
  await reader.sync();
  assert(reader.has("session_01SLOW"), "the slow writer's revocation is learnt");
});

Deno.test("S56 a claim written by an instance whose clock runs 60 s fast is honoured for the claim TTL only", async () => {
  const clocks = { writer: 1_700_000_060_000, reader: 1_700_000_000_000 };
  await using file = await tempKvPath();
  const writer = createKvSharedState(await Deno.openKv(file.path), () => clocks.writer);
  const reader = createKvSharedState(await Deno.openKv(file.path), () => clocks.reader);
  try {
    assertEquals(await writer.claimRefresh("token-hash", 7_000), null);
    assertEquals((await reader.claimRefresh("token-hash", 7_000))?.state, "claimed");
    clocks.reader += 7_001;
    clocks.writer += 7_001;
    assertEquals(await reader.claimRefresh("token-hash", 7_000), null, "claimable again");
  } finally {
    writer.close();
    reader.close();
  }
});

Deno.test("a refresh claim renewed by its live claimant stays honoured; once renewals stop it expires", async () => {
  let ms = 1_700_000_000_000;
  await using file = await tempKvPath();
  const claimant = createKvSharedState(await Deno.openKv(file.path), () => ms);
  const other = createKvSharedState(await Deno.openKv(file.path), () => ms);
  try {
    assertEquals(await claimant.claimRefresh("token-hash", 7_000), null);
    for (let second = 0; second < 30; second += 2) {
      assertEquals((await other.claimRefresh("token-hash", 7_000))?.state, "claimed", `${second}`);
      ms += 2_000;
      await claimant.holdRefresh("token-hash", 7_000);
    }
    ms += 7_001; // the claimant stopped renewing: it crashed
    assertEquals(await other.claimRefresh("token-hash", 7_000), null);
  } finally {
    claimant.close();
    other.close();
  }
});

Deno.test("openSharedState() passes a denokv URL and DENO_KV_ACCESS_TOKEN to Deno.openKv as given, and reports a configured store it could not open", async () => {
  const denoKv = unavailableDenoKv();
  using logs = captureLogs();
  const previous = Deno.env.get("DENO_KV_ACCESS_TOKEN");
  Deno.env.set("DENO_KV_ACCESS_TOKEN", "denokv_token_for_test_0123456789");
  try {
    const store = openSharedState(`${denoKv.url}/databases/app?region=one`, { required: true });
    await store.ready;
    assertEquals(denoKv.requests[0], {
      method: "POST",
      path: "/databases/app",
      authorization: "Bearer denokv_token_for_test_0123456789",
    });
    assertEquals(store.mode, "memory");
    const logged = logs.lines.join("\n");
    assert(
      logged.includes(`${denoKv.url}/databases/app`),
      "the log, not /healthz, names the store",
    );
    assert(!logged.includes("denokv_token_for_test") && !logged.includes("region=one"), logged);
  } finally {
    if (previous === undefined) Deno.env.delete("DENO_KV_ACCESS_TOKEN");
    else Deno.env.set("DENO_KV_ACCESS_TOKEN", previous);
    await denoKv.server.shutdown();
  }
});

Deno.test("openSharedState() is not degraded when no shared state was asked for", async () => {
  using _logs = captureLogs();
  const store = openSharedState("/nonexistent-dir/for/kv.sqlite3");
  await store.ready;
  assertEquals([store.mode, store.degraded], ["memory", undefined]);
});

Deno.test("S64 a degraded store's public reason names what failed, never the host, path or error", async () => {
  const denoKv = unavailableDenoKv();
  using _logs = captureLogs();
  try {
    const cases = [
      `${denoKv.url}/kvpath/app?token=secret_0123`,
      `https://user:pass@${new URL(denoKv.url).host}/databases/app`,
      "/nonexistent-dir/private/kv.sqlite3",
    ];
    for (const path of cases) {
      const store = openSharedState(path, { required: true });
      await store.ready;
      assertEquals(store.degraded, PUBLIC_REASONS.notOpened, path);
      for (const leak of ["127.0.0.1", "kvpath", "databases", "nonexistent", "secret", "pass"]) {
        assert(!store.degraded?.includes(leak), `${leak} in ${store.degraded}`);
      }
      store.close();
    }
  } finally {
    await denoKv.server.shutdown();
  }
});
