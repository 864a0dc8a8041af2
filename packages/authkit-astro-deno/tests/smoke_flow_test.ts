import { assertEquals, assertStringIncludes } from "@std/assert";
import { createAuth } from "../src/auth.ts";
import { installFakeWorkOS, testConfig } from "./support/fake_workos.ts";

Deno.test("smoke: sign-in, callback, dashboard resolution", async () => {
  using _fake = await installFakeWorkOS();
  const auth = createAuth(testConfig());
  const signIn = await auth.signIn(new Request("http://localhost:4321/sign-in"));
  assertEquals(signIn.status, 302);
  const location = new URL(signIn.headers.get("location")!);
  const stateCookie = signIn.headers.get("set-cookie")!.split(";")[0];
  const callback = await auth.callback(
    new Request(
      `http://localhost:4321/auth/callback?code=abc&state=${location.searchParams.get("state")}`,
      {
        headers: { cookie: stateCookie },
      },
    ),
  );
  assertEquals(callback.status, 302);
  const sessionCookie = callback.headers.getSetCookie().find((c) => c.startsWith("wos-session="))!;
  const resolved = await auth.resolveSession(
    new Request("http://localhost:4321/dashboard", {
      headers: { cookie: sessionCookie.split(";")[0] },
    }),
  );
  assertEquals(resolved.kind, "signed-in");
  assertStringIncludes(JSON.stringify(resolved), "ada@example.com");
});
