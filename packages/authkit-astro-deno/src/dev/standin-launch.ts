/**
 * Starting the stand-in from an app's point of view, shared by the dev hook (`local-authkit.ts`)
 * and the command (`standin/main.ts`): which port, and the variables that point an app at it.
 *
 * A busy port is the common failure (a second `astro dev`, a stand-in left running): the default
 * port moves on to the next free one and says so; a port the user chose with `STANDIN_PORT` is
 * theirs, so a busy one is an error that names it and the variable.
 *
 * @module
 */
import { type StandIn, type StandInOptions, startStandIn } from "./standin/server.ts";

/** Where the stand-in listens unless `STANDIN_PORT` says otherwise. */
export const STANDIN_PORT = 8787;
/** Ports tried after a busy default one: 8788, 8789, … */
export const STANDIN_PORT_ATTEMPTS = 10;
/** The credentials the stand-in accepts when the app brings none. */
export const LOCAL_API_KEY = "sk_test_local_standin";
export const LOCAL_CLIENT_ID = "client_local_standin";

/** The port to try first, and whether the user chose it; or why `STANDIN_PORT` is unusable. */
export function standInPort(
  env: Record<string, string | undefined>,
  defaultPort = STANDIN_PORT,
): { port: number; chosen: boolean } | { problem: string } {
  const value = env.STANDIN_PORT;
  if (value === undefined || value === "") return { port: defaultPort, chosen: false };
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 1 || port > 65535) {
    return { problem: `STANDIN_PORT "${value}" is not a port number (1-65535)` };
  }
  return { port, chosen: true };
}

/**
 * Starts the stand-in on the port `env` names (or the default, moving on past busy ones).
 * Rejects with a message naming the port and `STANDIN_PORT` when none is free.
 */
export async function listenStandIn(
  options: Omit<StandInOptions, "port">,
  env: Record<string, string | undefined>,
  defaultPort = STANDIN_PORT,
): Promise<StandIn> {
  const first = standInPort(env, defaultPort);
  if ("problem" in first) throw new Error(`AuthKit stand-in cannot start: ${first.problem}.`);
  const attempts = first.chosen ? 1 : STANDIN_PORT_ATTEMPTS;
  for (let port = first.port; port < first.port + attempts; port++) {
    try {
      return await startStandIn({ ...options, port });
    } catch (error) {
      if (!(error instanceof Deno.errors.AddrInUse)) throw error;
    }
  }
  const last = first.port + attempts - 1;
  throw new Error(
    first.chosen
      ? `AuthKit stand-in cannot start: port ${first.port} (STANDIN_PORT) is in use. ` +
        "Stop what listens there, or set STANDIN_PORT to a free port."
      : `AuthKit stand-in cannot start: ports ${first.port}-${last} are in use. ` +
        "Set STANDIN_PORT to a free port.",
  );
}

/** What an app needs to use the stand-in: the four required variables and the API location. */
export function standInEnv(standIn: StandIn, app: {
  apiKey: string;
  clientId: string;
  redirectUri: string;
  cookiePassword?: string;
  webhookSecret?: string;
}): Record<string, string> {
  return {
    WORKOS_API_KEY: app.apiKey,
    WORKOS_CLIENT_ID: app.clientId,
    WORKOS_REDIRECT_URI: app.redirectUri,
    // A fresh one per run unless given: sessions of the last run simply end.
    WORKOS_COOKIE_PASSWORD: app.cookiePassword ?? crypto.randomUUID() + crypto.randomUUID(),
    WORKOS_API_HOSTNAME: standIn.hostname,
    WORKOS_API_PORT: String(standIn.port),
    WORKOS_API_HTTPS: "false",
    ...(app.webhookSecret ? { WORKOS_WEBHOOK_SECRET: app.webhookSecret } : {}),
  };
}
