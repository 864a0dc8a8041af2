/** `freezeDeep()` (S48) and `addVaryCookie()` (S49): the small rules behind two cases. */
import { assert, assertEquals } from "@std/assert";
import { freezeDeep } from "../src/core/freeze.ts";
import { addVaryCookie } from "../src/core/responses.ts";

Deno.test("S48 freezeDeep() freezes every object and array reachable, and passes other values through", () => {
  const value = {
    user: { id: "user_1", profile: { names: ["Ada"] } },
    permissions: ["a", "b"],
    impersonator: null,
    nested: [{ deep: [[{ deeper: 1 }]] }],
  };
  assert(freezeDeep(value) === value, "the same object, not a copy");
  const reachable = [
    value,
    value.user,
    value.user.profile,
    value.user.profile.names,
    value.permissions,
    value.nested,
    value.nested[0],
    value.nested[0].deep,
    value.nested[0].deep[0],
    value.nested[0].deep[0][0],
  ];
  for (const object of reachable) assert(Object.isFrozen(object), JSON.stringify(object));
  for (const primitive of [null, undefined, 1, "s", true]) {
    assertEquals(freezeDeep(primitive), primitive);
  }
  // Already frozen (a cached context's shared parts): left as they are, no error.
  const shared = Object.freeze({ inner: { x: 1 } });
  freezeDeep({ shared });
  assertEquals(Object.isFrozen(shared.inner), false, "a frozen object is not walked again");
});

Deno.test("S49 addVaryCookie() adds Cookie to Vary once, keeping what was there", () => {
  const cases: [string | null, string][] = [
    [null, "Cookie"],
    ["Accept-Encoding", "Accept-Encoding, Cookie"],
    ["Accept-Encoding, Cookie", "Accept-Encoding, Cookie"],
    ["cookie", "cookie"],
    ["Accept, COOKIE ,Origin", "Accept, COOKIE ,Origin"],
    ["*", "*"],
    ["X-Cookie-Consent", "X-Cookie-Consent, Cookie"],
    ["Cookies", "Cookies, Cookie"],
  ];
  for (const [before, after] of cases) {
    const headers = new Headers(before === null ? {} : { vary: before });
    addVaryCookie(headers);
    assertEquals(headers.get("vary"), after, String(before));
  }
});
