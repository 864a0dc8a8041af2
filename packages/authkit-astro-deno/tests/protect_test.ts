/**
 * `<Protect>`'s reading of its props (`components/protect.ts`): the check it hands `has()`.
 * The component itself renders in the built app's Chromium test (`tests/authorization_test.ts`).
 */
import { assertEquals } from "@std/assert";
import { checkFromProps } from "../src/components/protect.ts";

Deno.test("<Protect> passes its check keys to has(), and Astro's own data-astro-cid props are not part of it", () => {
  assertEquals(checkFromProps({ permission: "billing:manage" }), { permission: "billing:manage" });
  assertEquals(
    checkFromProps({ role: "admin", featureFlag: "beta", "data-astro-cid-j7pv25f6": true }),
    { role: "admin", featureFlag: "beta" },
  );
  assertEquals(checkFromProps({}), {}, "empty: has({}) is false, so nothing shows");
});

Deno.test("<Protect> with a misspelt prop shows nothing: the check it was meant to be is unknown", () => {
  assertEquals(checkFromProps({ permision: "billing:manage" }), null);
  assertEquals(checkFromProps({ permission: "posts:read", rol: "admin" }), null);
});
