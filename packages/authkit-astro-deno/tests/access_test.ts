import { assertEquals } from "@std/assert";
import { type AccessCheck, hasAccess } from "../src/session/access.ts";

const CLAIMS = {
  role: "admin",
  roles: ["admin", "billing"],
  permissions: ["posts:read", "posts:write"],
  entitlements: ["sso"],
  featureFlags: ["new-dashboard"],
};

Deno.test("has() answers each kind of question from the token's claims", () => {
  const table: [AccessCheck, boolean][] = [
    [{ role: "admin" }, true],
    [{ role: "billing" }, true], // one of `roles`
    [{ role: "member" }, false],
    [{ permission: "posts:write" }, true],
    [{ permission: "posts:delete" }, false],
    [{ entitlement: "sso" }, true],
    [{ entitlement: "audit-logs" }, false],
    [{ featureFlag: "new-dashboard" }, true],
    [{ featureFlag: "beta" }, false],
    [{ role: "admin", permission: "posts:read" }, true], // every key must hold
    [{ role: "admin", permission: "posts:delete" }, false],
  ];
  for (const [check, expected] of table) {
    assertEquals(hasAccess(CLAIMS, check), expected, JSON.stringify(check));
  }
});

Deno.test("has() fails closed on an empty check or an unknown key", () => {
  assertEquals(hasAccess(CLAIMS, {}), false);
  assertEquals(hasAccess(CLAIMS, { permisson: "posts:read" } as AccessCheck), false);
  // A typo beside a key that holds: the check the author meant is unknown, so it is false.
  const misspelt = { role: "admin", permisson: "billing:manage" } as AccessCheck;
  assertEquals(hasAccess(CLAIMS, misspelt), false);
  assertEquals(hasAccess(CLAIMS, null as unknown as AccessCheck), false);
  assertEquals(hasAccess({ ...CLAIMS, role: null, roles: [] }, { role: "" }), false);
});
