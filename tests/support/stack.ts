/**
 * The built server (`dist/server/entry.mjs`) running as its own process against the local
 * AuthKit stand-in, configured only through runtime environment variables, as in production.
 * Tests that use it need `deno task build` first (`deno task test` does that).
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import {
  type StandIn,
  startStandIn,
} from "../../packages/authkit-astro-deno/src/dev/standin/server.ts";
import type { Seed } from "../../packages/authkit-astro-deno/src/dev/standin/seed.ts";
import type { WebhookTarget } from "../../packages/authkit-astro-deno/src/dev/standin/webhooks.ts";
import { freePort, tempKvPath } from "../../packages/authkit-astro-deno/tests/support/kv.ts";
import { spawnServer, waitForHealth } from "./built_server.ts";

const ENTRY = new URL("../../dist/server/entry.mjs", import.meta.url);

/** A running app + stand-in pair. */
export interface Stack extends AsyncDisposable {
  appUrl: URL;
  /** The built server's process id (to read its memory), when it runs as its own process. */
  pid?: number;
  standIn: StandIn;
  env: Record<string, string>;
  /** Everything the app wrote to stderr so far (its logs). */
  logs(): string;
}

/** Options for `startStack`. */
export interface StackOptions {
  accessTokenTtlSeconds?: number;
  env?: Record<string, string>;
  /** The built entry to run (default: this app's `dist/server/entry.mjs`). */
  entry?: URL;
  /** The stand-in's users and organizations (default: its `seed.json`). */
  seed?: Seed;
}

/** The second app's built entry (`examples/minimal`, built by `deno task test`). */
export const MINIMAL_EXAMPLE_ENTRY = new URL(
  "../../examples/minimal/dist/server/entry.mjs",
  import.meta.url,
);

export { freePort, tempKvPath };

/** Runtime environment for the app against `standIn`. */
export function appEnv(standIn: StandIn, appUrl: URL): Record<string, string> {
  return {
    WORKOS_API_KEY: "sk_test_stack_key",
    WORKOS_CLIENT_ID: "client_stack",
    WORKOS_REDIRECT_URI: new URL("/auth/callback", appUrl).href,
    WORKOS_COOKIE_PASSWORD: "stack-cookie-password-0123456789-abcdef",
    WORKOS_API_HOSTNAME: standIn.hostname,
    WORKOS_API_PORT: String(standIn.port),
    WORKOS_API_HTTPS: "false",
  };
}

/** A quiet stand-in that accepts the app at `appUrl` (and sends it `webhook`s, if given). */
function startStackStandIn(
  appUrl: URL,
  options: StackOptions,
  webhook?: WebhookTarget,
): Promise<StandIn> {
  return startStandIn({
    apiKey: "sk_test_stack_key",
    clientId: "client_stack",
    redirectUris: [new URL("/auth/callback", appUrl).href],
    accessTokenTtlSeconds: options.accessTokenTtlSeconds,
    seed: options.seed,
    quiet: true,
    webhook,
  });
}

/** Starts the stand-in and the built server; dispose to stop both. */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const port = freePort();
  const appUrl = new URL(`http://127.0.0.1:${port}`);
  const standIn = await startStackStandIn(appUrl, options);
  // Its own KV file: the default database is shared by every run of the same entry point.
  const kv = await tempKvPath();
  const env = { ...appEnv(standIn, appUrl), DENO_KV_PATH: kv.path, ...options.env };
  const server = await startBuiltServer(port, env, options.entry);
  return {
    appUrl,
    pid: server.pid,
    standIn,
    env,
    logs: server.logs,
    async [Symbol.asyncDispose]() {
      await server.stop();
      await standIn.close();
      await kv[Symbol.asyncDispose]();
    },
  };
}

/** A running built server process. */
export interface BuiltServer {
  pid: number;
  logs(): string;
  stop(): Promise<Deno.CommandStatus>;
}

/**
 * Runs `dist/server/entry.mjs` with exactly the permissions `deno task start` grants and only
 * `env` (plus PATH/HOME/DENO_DIR), on `port`. Resolves once it answers `/healthz`.
 */
export async function startBuiltServer(
  port: number,
  env: Record<string, string>,
  entry: URL = ENTRY,
): Promise<BuiltServer> {
  const server = spawnServer({ entry: fileURLToPath(entry), port, env });
  try {
    await waitForHealth(server, port);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return { pid: server.pid, logs: server.logs, stop: () => server.stop() };
}

/** Two built servers side by side on one Deno KV file, as two instances behind one origin. */
export interface Instances extends AsyncDisposable {
  standIn: StandIn;
  /** The instance WorkOS's redirect URI and webhook endpoint name (the public origin). */
  a: Stack;
  b: Stack;
}

/**
 * Starts the stand-in and two built servers sharing one `DENO_KV_PATH`, the way Deno Deploy runs
 * isolates sharing one database. The stand-in sends signed webhooks to instance `a`.
 */
export async function startInstances(options: StackOptions = {}): Promise<Instances> {
  const ports = [freePort(), freePort()];
  const [urlA, urlB] = ports.map((port) => new URL(`http://127.0.0.1:${port}`));
  const webhookSecret = "whsec_instances_0123456789";
  const standIn = await startStackStandIn(urlA, options, {
    url: new URL("/webhooks/workos", urlA).href,
    secret: webhookSecret,
  });
  const kv = await tempKvPath();
  const env = {
    ...appEnv(standIn, urlA),
    DENO_KV_PATH: kv.path,
    WORKOS_WEBHOOK_SECRET: webhookSecret,
    ...options.env,
  };
  const servers: BuiltServer[] = [];
  const dispose = async () => {
    for (const server of servers) await server.stop();
    await standIn.close();
    await kv[Symbol.asyncDispose]();
  };
  try {
    for (const port of ports) servers.push(await startBuiltServer(port, env));
  } catch (error) {
    await dispose();
    throw error;
  }
  const stack = (appUrl: URL, server: BuiltServer): Stack => ({
    appUrl,
    standIn,
    env,
    logs: server.logs,
    [Symbol.asyncDispose]: () => Promise.resolve(), // the pair is disposed together
  });
  return {
    standIn,
    a: stack(urlA, servers[0]),
    b: stack(urlB, servers[1]),
    [Symbol.asyncDispose]: dispose,
  };
}
