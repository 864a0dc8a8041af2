/**
 * Deploy-like smoke test (`deno task smoke`): what Deno Deploy does with this repository, on one
 * machine. The build sees no secrets; the built entry is cached into a fresh `DENO_DIR` and
 * started with `--cached-only` and only the Production context's variables; a browser-like
 * client signs in, reaches the dashboard and signs out against the local AuthKit stand-in.
 *
 * The build always uses the Deno running this test (the pinned one); the built server runs under
 * the executable `SMOKE_DENO` names, if set, so the same checks measure an older release such as
 * the one Deno Deploy runs: `.ci/run` runs `SMOKE_DENO=<deno 2.5.0> deno task smoke`.
 *
 * Not named `*_test.ts`, so `deno task test` does not run it a second time.
 *
 * @module
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import {
  type StandIn,
  startStandIn,
} from "../../packages/authkit-astro-deno/src/dev/standin/server.ts";
import { CookieJar, readHealth, request, signIn } from "../support/http_client.ts";
import { freePort, type Stack } from "../support/stack.ts";
import {
  buildInto,
  cacheEntry,
  denoVersion,
  spawnServer,
  waitForHealth,
} from "../support/built_server.ts";

const ADA = "user_01ADA000000000000000000000";
const API_KEY = "sk_test_smoke_key";
const CLIENT_ID = "client_smoke";
/** The variables the app refuses to start without (src/lib/auth/config.ts). */
const REQUIRED = [
  "WORKOS_API_KEY",
  "WORKOS_CLIENT_ID",
  "WORKOS_REDIRECT_URI",
  "WORKOS_COOKIE_PASSWORD",
];

/** The `deno` binary that runs the built server, and its version. */
const RUNTIME = Deno.env.get("SMOKE_DENO") || Deno.execPath();
const RUNTIME_VERSION = await denoVersion(RUNTIME);
const SMOKE = `deploy smoke (runs on Deno ${RUNTIME_VERSION})`;

interface DeployLike {
  outDir: string;
  entry: string;
  denoDir: string;
}

const workDir = await Deno.makeTempDir({ prefix: "deploy-smoke-" });
// Several tests share one build; the directory goes when the test run ends, pass or fail.
globalThis.addEventListener("unload", () => Deno.removeSync(workDir, { recursive: true }));
let deployLike: Promise<DeployLike> | undefined;

/** Builds without secrets and caches the entry into a fresh DENO_DIR, once per run. */
function buildDeployLike(): Promise<DeployLike> {
  deployLike ??= (async () => {
    const outDir = `${workDir}/dist`;
    const denoDir = `${workDir}/deno_dir`;
    await buildInto(outDir); // hostEnv() only: no WORKOS_* variable reaches the build
    const entry = `${outDir}/server/entry.mjs`;
    await cacheEntry(entry, denoDir);
    return { outDir, entry, denoDir };
  })();
  return deployLike;
}

/** The Production context's variables, pointing the app at `standIn`. */
function productionEnv(standIn: StandIn, appUrl: URL): Record<string, string> {
  return {
    WORKOS_API_KEY: API_KEY,
    WORKOS_CLIENT_ID: CLIENT_ID,
    WORKOS_REDIRECT_URI: new URL("/auth/callback", appUrl).href,
    WORKOS_COOKIE_PASSWORD: randomHex(32),
    WORKOS_API_HOSTNAME: standIn.hostname,
    WORKOS_API_PORT: String(standIn.port),
    WORKOS_API_HTTPS: "false",
  };
}

Deno.test(`${SMOKE}: the app builds on Deno ${Deno.version.deno} with no secrets and caches into a fresh DENO_DIR`, async () => {
  const { entry, denoDir } = await buildDeployLike();
  assert((await Deno.stat(entry)).isFile, "dist/server/entry.mjs built");
  assert((await Array.fromAsync(Deno.readDir(denoDir))).length > 0, "DENO_DIR populated");
});

Deno.test(`${SMOKE}: --cached-only server opens Deno KV, signs in, shows the dashboard and signs out`, async () => {
  const { entry, denoDir } = await buildDeployLike();
  const port = freePort();
  const appUrl = new URL(`http://127.0.0.1:${port}`);
  await using standIn = await startDisposableStandIn(appUrl);
  const env = productionEnv(standIn, appUrl);
  const server = spawnServer({ entry, port, env, denoDir, deno: RUNTIME });
  try {
    await waitForHealth(server, port);
    // The default database, as on Deno Deploy (no DENO_KV_PATH); it lives in the fresh DENO_DIR.
    const health = await readHealth(appUrl);
    assertEquals([health.deno, health.sharedState], [RUNTIME_VERSION, "kv"], server.logs());
    assertStringIncludes(server.logs(), `Runtime: Deno ${RUNTIME_VERSION} `);
    assertStringIncludes(server.logs(), "Shared state: Deno KV (default database).");

    const stack: Stack = {
      appUrl,
      standIn,
      env,
      logs: server.logs,
      async [Symbol.asyncDispose]() {},
    };
    const jar = new CookieJar();

    const callback = await signIn(stack, jar, { userId: ADA });
    assertEquals(callback.status, 302);
    assertEquals(callback.headers.get("location"), "/dashboard");
    assert(jar.get("wos-session"), "session cookie set");

    const dashboard = await request(new URL("/dashboard", appUrl), jar);
    assertEquals(dashboard.response.status, 200);
    assertStringIncludes(dashboard.body, "Hello Ada Lovelace!");

    const signOut = await request(new URL("/sign-out", appUrl), jar, {
      method: "POST",
      headers: { origin: appUrl.origin },
    });
    assertEquals(signOut.response.status, 302);
    const logout = new URL(signOut.response.headers.get("location")!);
    // The logout redirect the operator registers in WorkOS: the app's origin + "/".
    assertEquals(logout.searchParams.get("return_to"), new URL("/", appUrl).href);
    assertEquals(jar.get("wos-session"), undefined);
    const back = await fetch(logout, { redirect: "manual" });
    await back.body?.cancel();
    assertEquals(back.headers.get("location"), new URL("/", appUrl).href);

    const after = await request(new URL("/dashboard", appUrl), jar);
    assertEquals(after.response.status, 302, "signed out");
    // The sign-out recorded the session's revocation in KV: a write that went through.
    assert((await readHealth(appUrl)).sharedStateOps.writes > 0, "a KV write on sign-out");
  } finally {
    await server.stop();
  }
  assertEquals(server.logs().match(/"event":"auth_failure"/g), null, server.logs());
});

Deno.test(`${SMOKE}: a missing secret at run time stops start-up with one error naming it`, async () => {
  const { entry, denoDir } = await buildDeployLike();
  const appUrl = new URL("http://127.0.0.1:9");
  await using standIn = await startDisposableStandIn(appUrl);
  for (const name of REQUIRED) {
    const env = productionEnv(standIn, appUrl);
    delete env[name];
    const server = spawnServer({ entry, port: freePort(), env, denoDir, deno: RUNTIME });
    // A server that started anyway is the failure; do not leave it running.
    const guard = setTimeout(() => server.stop("SIGKILL"), 15_000);
    const status = await server.exited;
    clearTimeout(guard);
    const logs = server.logs();
    assert(status.code !== 0, `exit code for missing ${name}: ${status.code}\n${logs}`);
    assertStringIncludes(logs, `${name} is not set`);
    assertEquals(logs.match(/Invalid auth configuration/g)?.length, 1, logs);
    assert(!/Uncaught|^\s+at /m.test(logs), `a stack trace instead of one error:\n${logs}`);
    assert(!logs.includes("Listening on"), `started without ${name}:\n${logs}`);
  }
});

Deno.test({
  name: "S36 deploy smoke: no secret value lands under dist/ even when set during the build",
  // A property of the build alone, which always uses this test's Deno: once per build is enough.
  ignore: RUNTIME !== Deno.execPath(),
  fn: checkNoSecretInBuild,
});

async function checkNoSecretInBuild(): Promise<void> {
  const clean = await buildDeployLike();
  const passwords = [randomHex(32), randomHex(32)];
  const secrets = {
    WORKOS_API_KEY: `sk_live_${randomHex(16)}`,
    WORKOS_CLIENT_ID: `client_${randomHex(12)}`,
    WORKOS_REDIRECT_URI: `https://app-${randomHex(8)}.example/auth/callback`,
    WORKOS_COOKIE_PASSWORD: JSON.stringify({ 2: passwords[0], 1: passwords[1] }),
  };
  const outDir = `${workDir}/dist-built-with-secrets`;
  await buildInto(outDir, secrets);
  const needles = [...Object.values(secrets), ...passwords];

  // The scanner must be able to see a value before its silence means anything.
  const planted = `${workDir}/planted.bin`;
  await Deno.writeFile(planted, new TextEncoder().encode(`\0x${passwords[0]}y`));
  assertEquals(await findNeedles(planted, needles), [passwords[0]]);

  const files = await listFiles(outDir);
  assert(files.length > 5, `scanned ${files.length} files`);
  for (const file of files) {
    assertEquals(await findNeedles(`${outDir}/${file}`, needles), [], `secret in dist/${file}`);
  }

  // Secrets or not, the build is the same: what Deno Deploy builds is what was tested here.
  assertEquals(files, await listFiles(clean.outDir));
  for (const file of files) {
    assertEquals(
      normalise(await readLatin1(`${outDir}/${file}`), outDir),
      normalise(await readLatin1(`${clean.outDir}/${file}`), clean.outDir),
      `dist/${file} differs between the two builds`,
    );
  }
}

/** The needles that occur in `path`. */
async function findNeedles(path: string, needles: string[]): Promise<string[]> {
  const text = await readLatin1(path);
  return needles.filter((needle) => text.includes(needle));
}

/** A file's bytes one character each, so binary files are scanned and compared too. */
async function readLatin1(path: string): Promise<string> {
  return new TextDecoder("latin1").decode(await Deno.readFile(path));
}

/** Every file under `dir`, as sorted relative paths. */
async function listFiles(dir: string, prefix = ""): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(`${dir}/${prefix}`)) {
    const path = `${prefix}${entry.name}`;
    if (entry.isDirectory) files.push(...await listFiles(dir, `${path}/`));
    else files.push(path);
  }
  return files.sort();
}

/** Drops what legitimately differs between two builds: the out dir and Astro's per-build key. */
function normalise(text: string, outDir: string): string {
  return text.replaceAll(outDir, "<outDir>").replace(/"key":"[^"]*"/, '"key":"<key>"');
}

async function startDisposableStandIn(appUrl: URL): Promise<StandIn & AsyncDisposable> {
  const standIn = await startStandIn({
    apiKey: API_KEY,
    clientId: CLIENT_ID,
    redirectUris: [new URL("/auth/callback", appUrl).href],
    quiet: true,
  });
  return Object.assign(standIn, { [Symbol.asyncDispose]: () => standIn.close() });
}

function randomHex(bytes: number): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16))
    .map((hex) => hex.padStart(2, "0")).join("");
}
