/**
 * `src/serve.ts`: the run-time listen address (`PORT`, `HOST`, `DENO_SERVE_ADDRESS`) and the
 * `Cookie` header limit in front of Astro (S42), as functions and on the built server.
 */
import { assert, assertEquals, assertThrows } from "@std/assert";
import {
  MAX_COOKIE_HEADER_BYTES,
  refuseOversizedCookies,
  resolveListenAddress,
} from "../packages/authkit-astro-deno/src/server/serve.ts";
import { MAX_SEAL_LENGTH } from "../packages/authkit-astro-deno/src/session/session-cookie.ts";
import { spawnDeno, waitForHealth } from "./support/built_server.ts";
import { appEnv, freePort } from "./support/stack.ts";
import { startStandIn } from "../packages/authkit-astro-deno/src/dev/standin/server.ts";

const DEFAULTS = { port: 8085, hostname: "0.0.0.0" };

Deno.test("resolveListenAddress() honours PORT and HOST at run time, and DENO_SERVE_ADDRESS wins", () => {
  const cases: [string, Record<string, string>, { port: number; hostname: string }][] = [
    ["nothing set", {}, DEFAULTS],
    ["PORT", { PORT: "3000" }, { port: 3000, hostname: "0.0.0.0" }],
    ["PORT and HOST", { PORT: " 8080 ", HOST: "127.0.0.1" }, { port: 8080, hostname: "127.0.0.1" }],
    ["HOST only", { HOST: "::" }, { port: 8085, hostname: "::" }],
    ["empty values", { PORT: "", HOST: " " }, DEFAULTS],
    ["PORT 0 (any free port)", { PORT: "0" }, { port: 0, hostname: "0.0.0.0" }],
    ["DENO_SERVE_ADDRESS wins", { DENO_SERVE_ADDRESS: "tcp:0.0.0.0:80", PORT: "3000" }, DEFAULTS],
  ];
  for (const [name, env, expected] of cases) {
    assertEquals(resolveListenAddress(env, DEFAULTS), expected, name);
  }
});

Deno.test("resolveListenAddress() refuses a malformed PORT, naming it", () => {
  for (const port of ["abc", "80a", "-1", "65536", "1e3", "3000.5", "99999999"]) {
    const error = assertThrows(() => resolveListenAddress({ PORT: port }, DEFAULTS));
    assert(String(error).includes(`PORT must be a whole number`), port);
    assert(String(error).includes(`"${port}"`), port);
  }
});

Deno.test("S42 refuseOversizedCookies() answers 431 before the app runs, and only past the limit", async () => {
  // The limit leaves room for a session at its bound plus the state and other cookies.
  assert(MAX_COOKIE_HEADER_BYTES > MAX_SEAL_LENGTH + 3 * 1_000);
  let calls = 0;
  const handler = refuseOversizedCookies(() => {
    calls++;
    return new Response("app");
  });
  const info = {} as Deno.ServeHandlerInfo<Deno.NetAddr>;
  const withCookie = (length: number) =>
    new Request("http://localhost/", { headers: { cookie: `a=${"x".repeat(length - 2)}` } });
  const cases: [string, Request, number][] = [
    ["no cookie", new Request("http://localhost/"), 200],
    ["at the limit", withCookie(MAX_COOKIE_HEADER_BYTES), 200],
    ["one byte over", withCookie(MAX_COOKIE_HEADER_BYTES + 1), 431],
    ["30 KB", withCookie(30_000), 431],
  ];
  for (const [name, request, status] of cases) {
    const response = await handler(request, info);
    assertEquals(response.status, status, name);
    const body = await response.text();
    if (status === 431) assert(!body.includes("xxxx"), "nothing of the request is echoed");
  }
  assertEquals(calls, 2);
});

Deno.test("built server: listens on PORT and HOST at run time, stops on a malformed PORT; DENO_SERVE_ADDRESS wins over them", async () => {
  const standIn = await startStandIn({
    apiKey: "sk_test_stack_key",
    clientId: "client_stack",
    redirectUris: ["http://127.0.0.1/auth/callback"],
    quiet: true,
  });
  try {
    await runOnPortAndAddress(appEnv(standIn, new URL("http://127.0.0.1")));
  } finally {
    await standIn.close();
  }
});

async function runOnPortAndAddress(env: Record<string, string>): Promise<void> {
  const entry = new URL("../dist/server/entry.mjs", import.meta.url).pathname;
  const args = ["run", "--allow-net", "--allow-read", "--allow-env", entry];
  // spawnDeno sets DENO_SERVE_ADDRESS to its port: an empty value removes it again.
  const byPort = freePort();
  const portOnly = spawnDeno(args, byPort, {
    ...env,
    PORT: String(byPort),
    HOST: "127.0.0.1",
    DENO_SERVE_ADDRESS: "",
  });
  try {
    await waitForHealth(portOnly, byPort);
    assert(portOnly.logs().includes(`Server running on port ${byPort}`), portOnly.logs());
  } finally {
    await portOnly.stop();
  }
  const malformed = spawnDeno(args, freePort(), { ...env, PORT: "80a", DENO_SERVE_ADDRESS: "" });
  const status = await malformed.exited;
  assert(!status.success, "a malformed PORT stops the server at start");
  assert(malformed.logs().includes('PORT must be a whole number from 0 to 65535: received "80a"'));
  const byAddress = freePort();
  const wrongPort = freePort();
  const both = spawnDeno(args, byAddress, { ...env, PORT: String(wrongPort), HOST: "127.0.0.1" });
  try {
    await waitForHealth(both, byAddress);
    await assertRejectsConnection(wrongPort);
  } finally {
    await both.stop();
  }
}

async function assertRejectsConnection(port: number): Promise<void> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/healthz`);
    await response.body?.cancel();
  } catch {
    return;
  }
  throw new Error(`something answered on port ${port}`);
}
