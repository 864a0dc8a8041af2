/**
 * The stand-in as an outside app starts it: the port it takes (a busy default moves on, a busy
 * chosen one is an error naming it and `STANDIN_PORT`), the command's options, and the variables
 * it writes for a built server.
 */
import { assert, assertEquals, assertRejects, assertStringIncludes } from "@std/assert";
import { fileURLToPath } from "node:url";
import { parseCommand } from "../src/dev/standin/main.ts";
import { listenStandIn, STANDIN_PORT_ATTEMPTS, standInPort } from "../src/dev/standin-launch.ts";
import { freePort } from "./support/kv.ts";

const OPTIONS = {
  apiKey: "sk_test_x",
  clientId: "client_x",
  redirectUris: ["http://localhost:4321/auth/callback"],
  quiet: true,
};
const MAIN = fileURLToPath(new URL("../src/dev/standin/main.ts", import.meta.url));

Deno.test("standInPort() takes STANDIN_PORT when set, else 8787, and names a bad value", () => {
  assertEquals(standInPort({}), { port: 8787, chosen: false });
  assertEquals(standInPort({ STANDIN_PORT: "" }), { port: 8787, chosen: false });
  assertEquals(standInPort({ STANDIN_PORT: "9001" }), { port: 9001, chosen: true });
  for (const bad of ["0", "70000", "80a", "-1", " 1"]) {
    const result = standInPort({ STANDIN_PORT: bad });
    assert("problem" in result, bad);
    assertStringIncludes(result.problem, `STANDIN_PORT "${bad}"`);
  }
});

Deno.test("listenStandIn(): a busy chosen port is an error naming the port and STANDIN_PORT", async () => {
  const port = freePort();
  using _busy = Deno.listen({ hostname: "127.0.0.1", port });
  const error = await assertRejects(() => listenStandIn(OPTIONS, { STANDIN_PORT: String(port) }));
  assertStringIncludes((error as Error).message, `port ${port} (STANDIN_PORT) is in use`);
});

Deno.test("listenStandIn(): a busy default port moves on to the next free one", async () => {
  // The default's logic on a port of this test's own: STANDIN_PORT unset, 8787 busy.
  const taken = freePort();
  using _busy = Deno.listen({ hostname: "127.0.0.1", port: taken });
  const started = await listenStandIn(OPTIONS, {}, taken).catch((error) => error);
  assert(!(started instanceof Error), String(started));
  try {
    assert(started.port > taken && started.port < taken + STANDIN_PORT_ATTEMPTS, `${started.port}`);
  } finally {
    await started.close();
  }
});

Deno.test("parseCommand() reads --app-url, --callback, --webhook and --env-file, and refuses bad ones", () => {
  assertEquals(parseCommand([]), {
    appUrl: new URL("http://localhost:8085"),
    callback: "/auth/callback",
    webhook: "/webhooks/workos",
    envFile: undefined,
  });
  const given = parseCommand([
    "--app-url",
    "http://127.0.0.1:9000",
    "--callback",
    "/oauth",
    "--env-file",
    "x.env",
  ]);
  assert("appUrl" in given);
  assertEquals([given.appUrl.href, given.callback, given.envFile], [
    "http://127.0.0.1:9000/",
    "/oauth",
    "x.env",
  ]);
  assertEquals(parseCommand(["--help"]), { help: true });
  for (const bad of [["--app-url", "ftp://x"], ["--callback", "oauth"], ["--nope"]]) {
    assert("problem" in parseCommand(bad), bad.join(" "));
  }
});

Deno.test("the command writes the variables a built server needs, and its stand-in answers", async () => {
  const dir = await Deno.makeTempDir();
  const envFile = `${dir}/standin.env`;
  const port = freePort();
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net",
      "--allow-read",
      "--allow-env",
      "--allow-write",
      MAIN,
      "--app-url",
      "http://localhost:9999",
      "--env-file",
      envFile,
    ],
    env: { STANDIN_PORT: String(port) },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  try {
    let text = "";
    for (let i = 0; i < 200 && !text; i++) {
      text = await Deno.readTextFile(envFile).catch(() => "");
      if (!text) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const env = Object.fromEntries(text.trim().split("\n").map((line) => line.split(/=(.*)/s, 2)));
    assertEquals(env.WORKOS_REDIRECT_URI, "http://localhost:9999/auth/callback");
    assertEquals([env.WORKOS_API_HOSTNAME, env.WORKOS_API_PORT, env.WORKOS_API_HTTPS], [
      "127.0.0.1",
      String(port),
      "false",
    ]);
    assert(env.WORKOS_COOKIE_PASSWORD.length >= 32);
    assert(env.WORKOS_API_KEY && env.WORKOS_CLIENT_ID && env.WORKOS_WEBHOOK_SECRET);
    const jwks = await fetch(`http://127.0.0.1:${port}/sso/jwks/${env.WORKOS_CLIENT_ID}`);
    assertEquals((await jwks.json()).keys.length, 1);
    assertEquals(((await Deno.stat(envFile)).mode ?? 0) & 0o777, 0o600);
  } finally {
    child.kill();
    const { stdout } = await child.output();
    assertStringIncludes(new TextDecoder().decode(stdout), "WORKOS_API_PORT=");
    await Deno.remove(dir, { recursive: true });
  }
});
