import { assert, assertEquals, assertRejects } from "@std/assert";
import { createSharedFlights, REFRESH_REUSE_WINDOW_MS } from "../src/shared-state/flights.ts";

/** One exchange per key at a time, remembered as `createSharedFlights` remembers it. */
function createSingleFlight<T>(exchange: (key: string) => Promise<T>, now: () => number) {
  const share = createSharedFlights<T>(now);
  return (key: string) => share(key, () => exchange(key));
}

interface Tokens {
  accessToken: string;
  refreshToken: string;
}

/** An exchange that counts its calls and settles only when the test says so. */
function controlledExchange() {
  const calls: string[] = [];
  const pending: { resolve: (value: Tokens) => void; reject: (error: Error) => void }[] = [];
  const exchange = (refreshToken: string) => {
    calls.push(refreshToken);
    return new Promise<Tokens>((resolve, reject) => pending.push({ resolve, reject }));
  };
  return { calls, pending, exchange };
}

function tokens(n: number): Tokens {
  return { accessToken: `access_${n}`, refreshToken: `refresh_${n}` };
}

Deno.test("S26 20 concurrent refreshes of one token share a single exchange and result", async () => {
  const { calls, pending, exchange } = controlledExchange();
  const refresh = createSingleFlight(exchange, () => 0);
  const results = Array.from({ length: 20 }, () => refresh("refresh_old"));
  assertEquals(calls, ["refresh_old"]);
  pending[0].resolve(tokens(1));
  const settled = await Promise.all(results);
  for (const result of settled) assert(result === settled[0], "one shared result object");
  assertEquals(settled[0], tokens(1));
});

Deno.test("S26 different refresh tokens are exchanged separately", async () => {
  const { calls, pending, exchange } = controlledExchange();
  const refresh = createSingleFlight(exchange, () => 0);
  const a = refresh("refresh_a");
  const b = refresh("refresh_b");
  assertEquals(calls, ["refresh_a", "refresh_b"]);
  pending[0].resolve(tokens(1));
  pending[1].resolve(tokens(2));
  assertEquals(await Promise.all([a, b]), [tokens(1), tokens(2)]);
});

Deno.test("a finished refresh is reused within REFRESH_REUSE_WINDOW_MS, then exchanged again", async () => {
  const { calls, pending, exchange } = controlledExchange();
  let now = 1_000_000;
  const refresh = createSingleFlight(exchange, () => now);
  const first = refresh("refresh_old");
  pending[0].resolve(tokens(1));
  const firstResult = await first;

  now += REFRESH_REUSE_WINDOW_MS;
  assert(await refresh("refresh_old") === firstResult, "late request, same answer");
  assertEquals(calls.length, 1);

  now += 1;
  const again = refresh("refresh_old");
  assertEquals(calls.length, 2, "after the window the token is exchanged again");
  pending[1].reject(new Error("invalid_grant"));
  await assertRejects(() => again, Error, "invalid_grant");
});

Deno.test("S25 a failed refresh is shared by concurrent callers but not remembered", async () => {
  const { calls, pending, exchange } = controlledExchange();
  const refresh = createSingleFlight(exchange, () => 0);
  const concurrent = [refresh("refresh_old"), refresh("refresh_old")];
  pending[0].reject(new Error("upstream 503"));
  for (const promise of concurrent) await assertRejects(() => promise, Error, "upstream 503");
  assertEquals(calls.length, 1);

  const retry = refresh("refresh_old");
  assertEquals(calls.length, 2, "the next request retries");
  pending[1].resolve(tokens(2));
  assertEquals(await retry, tokens(2));
});

Deno.test("a refresh still in flight is shared however long it takes", async () => {
  const { calls, pending, exchange } = controlledExchange();
  let now = 0;
  const refresh = createSingleFlight(exchange, () => now);
  const first = refresh("refresh_old");
  now += REFRESH_REUSE_WINDOW_MS * 10;
  const second = refresh("refresh_old");
  assertEquals(calls.length, 1);
  pending[0].resolve(tokens(1));
  assert(await second === await first);
});
