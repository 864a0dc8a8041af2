/**
 * The built server (`dist/server/entry.mjs`) running as its own process against the local
 * AuthKit stand-in, configured only through runtime environment variables, as in production.
 * Tests that use it need `deno task build` first (`deno task test` does that).
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { type StandIn, startStandIn } from "../../src/dev/authkit/server.ts";
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
}

/** A free loopback port (the OS picks, the listener is closed again). */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

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

/** Starts the stand-in and the built server; dispose to stop both. */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const port = freePort();
  const appUrl = new URL(`http://127.0.0.1:${port}`);
  const standIn = await startStandIn({
    apiKey: "sk_test_stack_key",
    clientId: "client_stack",
    redirectUris: [new URL("/auth/callback", appUrl).href],
    accessTokenTtlSeconds: options.accessTokenTtlSeconds,
    quiet: true,
  });
  const env = { ...appEnv(standIn, appUrl), ...options.env };
  const server = await startBuiltServer(port, env);
  return {
    appUrl,
    pid: server.pid,
    standIn,
    env,
    logs: server.logs,
    async [Symbol.asyncDispose]() {
      await server.stop();
      await standIn.close();
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
): Promise<BuiltServer> {
  const server = spawnServer({ entry: fileURLToPath(ENTRY), port, env });
  try {
    await waitForHealth(server, port);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return { pid: server.pid, logs: server.logs, stop: () => server.stop() };
}
