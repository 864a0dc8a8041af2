/**
 * `cookies.ts`: the session's cookie reader (`readCookieValues`) reads a `Cookie` header exactly
 * as the `cookie` library's `parseCookie` does, which it stands in for on every signed-in request:
 * which of two cookies of one name counts, where a name or value ends, and what is decoded must
 * not depend on which reader ran (S42, S47). Generated headers mix the session's names with every
 * piece that changes a reading: blanks, repeated and empty names, pairs without `=`, `=` inside
 * values, escapes that decode and escapes that do not.
 */
import { assertEquals } from "@std/assert";
import fc from "fast-check";
import { parseCookie } from "cookie";
import { readCookie, readCookieValues } from "../src/session/cookies.ts";

const NAMES = ["wos-session", "wos-session.1", "wos-session.2", "__Host-wos-session", "a"];

const blank = fc.constantFrom("", "", " ", "\t", "  ");
const name = fc.constantFrom(...NAMES, "wos-session.10", "wos-sessio", "Wos-session", "theme", "");
const value = fc.array(
  fc.constantFrom("Fe26.2*1*abc*def", "~2", "x", "=", '"', ",", " ", "%", "%41", "%2A", "%E0%A4%A"),
  { maxLength: 4 },
).map((pieces) => pieces.join(""));
/** A pair, `name=value` with blanks about, or a piece that is not one. */
const segment = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.tuple(blank, name, blank, blank, value, blank).map(([a, n, b, c, v, d]) =>
      `${a}${n}${b}=${c}${v}${d}`
    ),
  },
  { weight: 1, arbitrary: fc.tuple(blank, name, value).map((parts) => parts.join("")) },
);
const header = fc.tuple(
  fc.array(segment, { maxLength: 8 }),
  fc.constantFrom(";", "; ", ";;", "; ;"),
).map(([segments, separator]) => segments.join(separator));

Deno.test("S42 readCookieValues() reads every generated Cookie header as parseCookie does", () => {
  fc.assert(
    fc.property(header, (value) => {
      const request = new Request("http://localhost/", { headers: { cookie: value } });
      const parsed = parseCookie(value);
      assertEquals(readCookieValues(request, NAMES), NAMES.map((name) => parsed[name]), value);
    }),
    { numRuns: 20_000 },
  );
});

Deno.test("readCookieValues() on the headers that decide a reading", () => {
  const read = (cookie: string | null) =>
    readCookieValues(
      new Request("http://localhost/", cookie === null ? {} : { headers: { cookie } }),
      ["wos-session", "wos-session.1"],
    );
  const cases: [string | null, (string | undefined)[]][] = [
    [null, [undefined, undefined]],
    ["", [undefined, undefined]],
    ["wos-session=a; wos-session=b", ["a", undefined]], // the first of a name wins
    ["  wos-session \t=  a b  ; wos-session.1=c", ["a b", "c"]], // blanks trimmed, inner kept
    ["wos-session.10=x; wos-session.1=y", [undefined, "y"]], // names match whole
    ["junk; wos-session=a", ["a", undefined]], // a pair without `=` is skipped
    ["wos-session; wos-session=a", ["a", undefined]], // a bare name is no value
    ["wos-session=a=b", ["a=b", undefined]],
    ["wos-session=%41%2A", ["A*", undefined]],
    ["wos-session=%E0%A4%A", ["%E0%A4%A", undefined]], // an escape that does not decode stays
  ];
  for (const [cookie, expected] of cases) assertEquals(read(cookie), expected, String(cookie));
  assertEquals(readCookie(new Request("http://localhost/"), "wos-session"), undefined);
});
