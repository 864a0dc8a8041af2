import { assertEquals } from "@std/assert";
import { ExpiringLru, SWEEP_INTERVAL_MS } from "../src/core/cache.ts";

Deno.test("ExpiringLru never serves an entry at or past its expiry", () => {
  const cache = new ExpiringLru<string>(10);
  cache.set("a", "alpha", 1_000);
  const reads: [number, string | undefined][] = [
    [0, "alpha"],
    [999, "alpha"],
    [1_000, undefined],
    [1_001, undefined],
    [500, undefined], // gone for good: an expired read drops the entry
  ];
  for (const [now, expected] of reads) assertEquals(cache.get("a", now), expected, `at ${now}`);
  assertEquals(cache.size, 0);
});

Deno.test("ExpiringLru keeps each entry's own expiry, and set() replaces it", () => {
  const cache = new ExpiringLru<number>(10);
  cache.set("short", 1, 100);
  cache.set("long", 2, 10_000);
  assertEquals([cache.get("short", 200), cache.get("long", 200)], [undefined, 2]);
  cache.set("long", 3, 300);
  assertEquals([cache.get("long", 299), cache.get("long", 300)], [3, undefined]);
});

Deno.test("ExpiringLru stays at its size bound after 100,000 inserts", () => {
  const cache = new ExpiringLru<number>(1_000);
  for (let i = 0; i < 100_000; i++) {
    cache.set(`key-${i}`, i, Number.MAX_SAFE_INTEGER);
    if (cache.size > 1_000) throw new Error(`size ${cache.size} after ${i + 1} inserts`);
  }
  assertEquals(cache.size, 1_000);
  assertEquals(cache.get("key-99999", 0), 99_999, "the newest entry is kept");
  assertEquals(cache.get("key-98999", 0), undefined, "the oldest entries are gone");
  assertEquals(cache.get("key-99000", 0), 99_000);
});

Deno.test("ExpiringLru evicts the least recently used entry: a touched entry survives", () => {
  const cache = new ExpiringLru<string>(3);
  cache.set("a", "A", Infinity);
  cache.set("b", "B", Infinity);
  cache.set("c", "C", Infinity);
  assertEquals(cache.get("a", 0), "A"); // touch: "b" is now the least recently used
  cache.set("d", "D", Infinity);
  assertEquals(cache.get("b", 0), undefined);
  assertEquals(["a", "c", "d"].map((key) => cache.get(key, 0)), ["A", "C", "D"]);
  cache.set("c", "C2", Infinity); // re-setting also counts as use: "a" is now the oldest
  cache.set("e", "E", Infinity);
  assertEquals(cache.get("a", 0), undefined);
  assertEquals(cache.size, 3);
});

Deno.test("ExpiringLru.delete() forgets an entry", () => {
  const cache = new ExpiringLru<string>(3);
  cache.set("a", "A", Infinity);
  cache.delete("a");
  cache.delete("missing");
  assertEquals([cache.get("a", 0), cache.size], [undefined, 0]);
});

Deno.test("ExpiringLru matches a sealed cookie exactly: a copy one character off is a miss", () => {
  const cache = new ExpiringLru<string>(10);
  const seal = `Fe26.2*1*${"a".repeat(1_900)}*mac`;
  cache.set(seal, "ada", Infinity);
  // The key is the seal itself, so nothing but the identical value can collide with it.
  const nearMisses = [
    seal.slice(0, -1),
    `${seal} `,
    seal.replace("*mac", "*maC"),
    seal.replace("Fe26.2*1*a", "Fe26.2*1*b"),
  ];
  for (const other of nearMisses) assertEquals(cache.get(other, 0), undefined);
  // A different string object with the same characters is the same seal.
  assertEquals(cache.get(new TextDecoder().decode(new TextEncoder().encode(seal)), 0), "ada");
});

Deno.test("S42 ExpiringLru stays within its byte bound, and skips an entry larger than the bound", () => {
  const cache = new ExpiringLru<string>(1_000, { maxBytes: 10_000, sizeOf: (key) => key.length });
  for (let i = 0; i < 100; i++) {
    cache.set(String(i).padStart(4, "0") + "k".repeat(996), "v", Infinity);
    if (cache.bytes > 10_000) throw new Error(`${cache.bytes} bytes after ${i + 1} inserts`);
  }
  assertEquals([cache.size, cache.bytes], [10, 10_000]);
  cache.set("x".repeat(10_001), "huge", Infinity);
  assertEquals(cache.get("x".repeat(10_001), 0), undefined);
  assertEquals(cache.size, 10, "a too-large entry evicts nothing");
});

Deno.test("S42 ExpiringLru lets expired entries go at the next sweep, without waiting for eviction", () => {
  const cache = new ExpiringLru<number>(1_000);
  for (let i = 0; i < 100; i++) cache.set(`short-${i}`, i, 1_000, 0);
  cache.set("long", 1, 1_000_000, 500);
  assertEquals(cache.size, 101, "not expired yet, and no sweep is due");
  cache.set("late", 2, 1_000_000, SWEEP_INTERVAL_MS);
  assertEquals(cache.size, 2, "the sweep dropped the 100 expired entries");
  assertEquals(cache.bytes, "long".length + "late".length);
});
