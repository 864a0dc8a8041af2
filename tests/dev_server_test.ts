/**
 * `astro dev` in `examples/minimal` as its user runs it, with no WorkOS key: the integration's
 * options reach the runtime code under Vite's dev server (the build is checked by
 * `example_minimal_test.ts`), the banner names the four variables to set for real WorkOS, sign-in
 * through the stand-in works over HTTP, and a busy `STANDIN_PORT` is named.
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { freePort } from "./support/stack.ts";
import { hostEnv, PROJECT_ROOT, type ServerProcess, spawnDeno } from "./support/built_server.ts";
import { completeAtStandIn, CookieJar, request } from "./support/http_client.ts";

const EXAMPLE = `${PROJECT_ROOT}examples/minimal`;

/** Starts `astro dev` in the example on `port`; resolves once its output contains `until`. */
async function startDev(port: number, env: Record<string, string>, until: string) {
  const dev = spawnDeno(
    [
      "run",
      "--allow-all",
      "npm:astro@7.3.5",
      "dev",
      "--root",
      EXAMPLE,
      "--port",
      String(port),
    ],
    port,
    { ...hostEnv(), ASTRO_TELEMETRY_DISABLED: "1", DENO_SERVE_ADDRESS: "", ...env },
  );
  await waitForOutput(dev, until);
  return dev;
}

async function waitForOutput(process: ServerProcess, text: string): Promise<void> {
  let exited = false;
  process.exited.then(() => (exited = true));
  for (let i = 0; i < 600 && !process.logs().includes(text); i++) {
    if (exited) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  if (!process.logs().includes(text)) {
    await process.stop();
    throw new Error(`astro dev never printed "${text}":\n${process.logs()}`);
  }
}

Deno.test("astro dev: the options guard /account only, the banner names the four variables, sign-in lands on afterSignInPath", async () => {
  const port = freePort();
  const dev = await startDev(
    port,
    { STANDIN_PORT: String(freePort()) },
    "watching for file changes",
  );
  try {
    const logs = dev.logs();
    for (
      const name of [
        "WORKOS_API_KEY",
        "WORKOS_CLIENT_ID",
        "WORKOS_REDIRECT_URI",
        "WORKOS_COOKIE_PASSWORD",
      ]
    ) {
      assertStringIncludes(logs, name);
    }
    assertEquals(logs.includes(".env.example"), false, "an outside app has no .env.example");
    const app = `http://localhost:${port}`;
    const jar = new CookieJar();
    // Only the options make /account protected and /dashboard (a default) unprotected.
    const account = await request(`${app}/account`, jar);
    assertEquals(account.response.status, 302);
    assertEquals(account.response.headers.get("location"), "/sign-in?returnTo=%2Faccount");
    assertEquals((await request(`${app}/dashboard`, jar)).response.status, 404);
    const start = await request(`${app}/sign-in`, jar);
    const authorize = new URL(start.response.headers.get("location")!);
    const choice = await completeAtStandIn(authorize, { email: "dev@example.com" });
    const callback = await request(choice.headers.get("location")!, jar);
    assertEquals(callback.response.headers.get("location"), "/account", "afterSignInPath");
    const page = await request(`${app}/account`, jar);
    assertEquals(page.response.status, 200);
    assertStringIncludes(page.body, "dev@example.com");
  } finally {
    await dev.stop();
  }
});

Deno.test("astro dev: a busy STANDIN_PORT is named, with the variable", async () => {
  const standInPort = freePort();
  using _busy = Deno.listen({ hostname: "127.0.0.1", port: standInPort });
  const dev = await startDev(freePort(), { STANDIN_PORT: String(standInPort) }, "STANDIN_PORT");
  try {
    assertStringIncludes(dev.logs(), `port ${standInPort} (STANDIN_PORT) is in use`);
    assert(!dev.logs().includes("os error 98"), dev.logs());
  } finally {
    await dev.stop();
  }
});
