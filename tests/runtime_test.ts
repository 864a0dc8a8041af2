/**
 * `server/runtime.ts` and its use at start: the built server names the Deno that runs it (in its
 * log and on `/healthz`) and refuses to start, naming the version, on a runtime that lacks a
 * feature it needs. The smoke checks under the oldest tested Deno are in `tests/smoke/`.
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import {
  describeRuntime,
  describeRuntimeProblem,
  findMissingFeatures,
  OLDEST_TESTED_DENO,
  REQUIRED_FEATURES,
} from "../packages/authkit-astro-deno/src/server/runtime.ts";
import { startStandIn } from "../packages/authkit-astro-deno/src/dev/standin/server.ts";
import { spawnDeno, waitForHealth } from "./support/built_server.ts";
import { appEnv, freePort, tempKvPath } from "./support/stack.ts";

const ENTRY = new URL("../dist/server/entry.mjs", import.meta.url).pathname;
const RUN = ["run", "--allow-net", "--allow-read", "--allow-env", "--allow-write"];

/** A stand-in for `globalThis` holding only the required features, as plain nested objects. */
function completeScope(): Record<string, unknown> {
  const scope: Record<string, unknown> = {};
  for (const { path } of REQUIRED_FEATURES) {
    const keys = path.split(".");
    let source: unknown = globalThis;
    let target = scope;
    for (const [index, key] of keys.entries()) {
      source = (source as Record<string, unknown>)[key];
      if (index === keys.length - 1) target[key] = source;
      else target = (target[key] ??= {}) as Record<string, unknown>;
    }
  }
  return scope;
}

/** `scope` with the feature at `path` deleted. */
function without(scope: Record<string, unknown>, path: string): Record<string, unknown> {
  const keys = path.split(".");
  let parent = scope;
  for (const key of keys.slice(0, -1)) parent = parent[key] as Record<string, unknown>;
  delete parent[keys.at(-1)!];
  return scope;
}

Deno.test("findMissingFeatures() finds nothing missing on the Deno running the tests", () => {
  assertEquals(findMissingFeatures(globalThis), []);
  assertEquals(findMissingFeatures(completeScope()), []);
  assertEquals(describeRuntimeProblem(globalThis, Deno.version.deno), undefined);
});

Deno.test("describeRuntimeProblem() names each missing feature and the running version", () => {
  for (const { path } of REQUIRED_FEATURES) {
    const problem = describeRuntimeProblem(without(completeScope(), path), "2.4.9");
    assert(problem, `nothing reported without ${path}`);
    assertStringIncludes(problem, `Deno 2.4.9 lacks "${path}"`);
    assertStringIncludes(problem, `tested on Deno ${OLDEST_TESTED_DENO} and newer`);
    assertEquals(findMissingFeatures(without(completeScope(), path)), [path]);
  }
});

Deno.test("findMissingFeatures() refuses a feature of the wrong kind and a missing parent", () => {
  const wrongKind = completeScope();
  (wrongKind.crypto as Record<string, unknown>).subtle = () => {};
  (wrongKind.Deno as Record<string, unknown>).serve = {};
  assertEquals(findMissingFeatures(wrongKind), ["Deno.serve", "crypto.subtle"]);
  const noErrors = without(completeScope(), "Deno.errors");
  assertEquals(findMissingFeatures(noErrors), ["Deno.errors.NotCapable"]);
  const problem = describeRuntimeProblem(without(noErrors, "Array.fromAsync"), "1.46.3");
  assertStringIncludes(problem!, 'Deno 1.46.3 lacks "Deno.errors.NotCapable", "Array.fromAsync"');
});

Deno.test("describeRuntime() states the Deno and V8 versions", () => {
  assertEquals(
    describeRuntime({ deno: "2.5.0", v8: "14.0.365.4-rusty", typescript: "5.9.2" }),
    "Runtime: Deno 2.5.0 (V8 14.0.365.4-rusty).",
  );
});

Deno.test("built server: logs the running Deno once at start and reports it on /healthz", async () => {
  const port = freePort();
  await using standIn = await startDisposableStandIn();
  await using kv = await tempKvPath();
  const env = { ...appEnv(standIn, new URL(`http://127.0.0.1:${port}`)), DENO_KV_PATH: kv.path };
  const server = spawnDeno([...RUN, ENTRY], port, env);
  try {
    await waitForHealth(server, port);
    const response = await fetch(`http://127.0.0.1:${port}/healthz`);
    const health = await response.json();
    assertEquals(health.deno, Deno.version.deno);
    assertEquals(health.status, "ok");
    const lines = server.logs().split("\n").filter((line) => line.startsWith("Runtime: Deno"));
    assertEquals(lines, [describeRuntime(Deno.version)]);
  } finally {
    await server.stop();
  }
});

Deno.test("built server: refuses to start on a Deno lacking a needed feature, naming the version", async () => {
  // A preload module runs before the entry and removes what an older runtime would not have.
  const dir = await Deno.makeTempDir({ prefix: "runtime-test-" });
  const preload = `${dir}/older_runtime.js`;
  await Deno.writeTextFile(preload, "delete Deno.unrefTimer;\ndelete Array.fromAsync;\n");
  try {
    await using standIn = await startDisposableStandIn();
    const port = freePort();
    const env = appEnv(standIn, new URL(`http://127.0.0.1:${port}`));
    const server = spawnDeno([...RUN, "--preload", preload, ENTRY], port, env);
    // A server that started anyway is the failure; do not leave it running.
    const guard = setTimeout(() => server.stop("SIGKILL"), 15_000);
    const status = await server.exited;
    clearTimeout(guard);
    const logs = server.logs();
    assertEquals(status.code, 1, logs);
    assertStringIncludes(
      logs,
      `Deno ${Deno.version.deno} lacks "Deno.unrefTimer", "Array.fromAsync", which this server needs.`,
    );
    assertStringIncludes(logs, describeRuntime(Deno.version));
    assert(!logs.includes("Listening on"), `started anyway:\n${logs}`);
    assert(!logs.includes("Shared state:"), `went on past the check:\n${logs}`);
    assert(!/Uncaught|^\s+at /m.test(logs), `a stack trace instead of one error:\n${logs}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

async function startDisposableStandIn() {
  const standIn = await startStandIn({
    apiKey: "sk_test_stack_key",
    clientId: "client_stack",
    redirectUris: ["http://127.0.0.1/auth/callback"],
    quiet: true,
  });
  return Object.assign(standIn, { [Symbol.asyncDispose]: () => standIn.close() });
}
