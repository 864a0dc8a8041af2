#!/usr/bin/env -S deno run --allow-net --allow-read --allow-env --allow-write
/**
 * The AuthKit stand-in as a command, to try a built server locally with no WorkOS account:
 *
 * ```sh
 * deno run -A npm:@authkit-deno/astro/standin --env-file .env.standin
 * deno run -A --env-file=.env.standin dist/server/entry.mjs
 * ```
 *
 * It prints (and with `--env-file`, writes) the variables that point the app at it. The app's
 * own `WORKOS_API_KEY`, `WORKOS_CLIENT_ID`, `WORKOS_REDIRECT_URI` and `WORKOS_COOKIE_PASSWORD`
 * are used when set; otherwise local ones, with the redirect URI built from `--app-url` (default
 * `http://localhost:8085`, the built server's address) and `--callback` (default
 * `/auth/callback`). It listens on `STANDIN_PORT` (default 8787, or the next free one).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { loadSeed } from "./seed.ts";
import { listenStandIn, LOCAL_API_KEY, LOCAL_CLIENT_ID, standInEnv } from "../standin-launch.ts";

const USAGE = `Usage: deno run -A npm:@authkit-deno/astro/standin [options]

  --app-url URL     the app's origin (default http://localhost:8085, the built server's)
  --callback PATH   the integration's callback route (default /auth/callback)
  --webhook PATH    the integration's webhook route (default /webhooks/workos)
  --env-file PATH   also write the variables there (KEY=value lines), for
                    deno run --env-file=PATH dist/server/entry.mjs
  STANDIN_PORT      where to listen (default 8787, or the next free port)`;

if (import.meta.main) await main(Deno.args);

/** Starts the stand-in and prints the app's variables, or exits naming what is wrong. */
export async function main(args: string[]): Promise<void> {
  const parsed = parseCommand(args);
  if ("help" in parsed) return console.log(USAGE);
  if ("problem" in parsed) {
    console.error(`${parsed.problem}\n\n${USAGE}`);
    Deno.exit(2);
  }
  const env = Deno.env.toObject();
  const redirectUri = env.WORKOS_REDIRECT_URI ?? new URL(parsed.callback, parsed.appUrl).href;
  const webhookSecret = crypto.randomUUID();
  const app = {
    apiKey: env.WORKOS_API_KEY ?? LOCAL_API_KEY,
    clientId: env.WORKOS_CLIENT_ID ?? LOCAL_CLIENT_ID,
    redirectUri,
    cookiePassword: env.WORKOS_COOKIE_PASSWORD,
    webhookSecret,
  };
  const standIn = await listenStandIn({
    ...app,
    redirectUris: redirectUri.split(",").map((uri) => uri.trim()),
    webhook: {
      url: new URL(parsed.webhook, new URL(redirectUri.split(",")[0])).href,
      secret: webhookSecret,
    },
  }, env).catch((error: Error) => {
    console.error(error.message);
    Deno.exit(1);
  });
  const lines = Object.entries(standInEnv(standIn, app)).map(([name, value]) => `${name}=${value}`);
  if (parsed.envFile) {
    await Deno.writeTextFile(parsed.envFile, `${lines.join("\n")}\n`, { mode: 0o600 });
  }
  const users = (await loadSeed()).users.map((user) =>
    `  ${user.firstName} ${user.lastName} <${user.email}>`
  );
  console.error(`AuthKit stand-in listening on ${standIn.url.origin} (Ctrl-C stops it).
Seeded users (or type any email):
${users.join("\n")}
Admin page: ${new URL("/admin/sessions", standIn.url).href}
Start the built server with these variables${
    parsed.envFile ? ` (written to ${parsed.envFile})` : ""
  }:`);
  console.log(lines.join("\n"));
}

/** The command's options, or the first problem with them. */
export function parseCommand(args: string[]):
  | { appUrl: URL; callback: string; webhook: string; envFile?: string }
  | { problem: string }
  | { help: true } {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        "app-url": { type: "string", default: "http://localhost:8085" },
        callback: { type: "string", default: "/auth/callback" },
        webhook: { type: "string", default: "/webhooks/workos" },
        "env-file": { type: "string" },
        help: { type: "boolean" },
      },
    }));
  } catch (error) {
    return { problem: (error as Error).message };
  }
  if (values.help) return { help: true };
  const appUrl = URL.parse(values["app-url"]);
  if (!appUrl || !/^https?:$/.test(appUrl.protocol)) {
    return { problem: `--app-url "${values["app-url"]}" is not an http(s) URL` };
  }
  for (const name of ["callback", "webhook"] as const) {
    if (!values[name].startsWith("/")) {
      return { problem: `--${name} "${values[name]}" is not a path` };
    }
  }
  return {
    appUrl,
    callback: values.callback,
    webhook: values.webhook,
    envFile: values["env-file"],
  };
}
