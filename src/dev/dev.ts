/**
 * `deno task dev`: Astro's dev server, against real WorkOS when it is configured (environment or
 * `.env`), and otherwise against the local AuthKit stand-in, so sign-in works with no account.
 *
 * Only this launcher knows about the stand-in; the app reads the same variables either way, and
 * the built server never falls back to it.
 *
 * @module
 */
import { parse } from "dotenv";
import {
  type StandIn,
  startStandIn,
} from "../../packages/authkit-astro-deno/src/dev/standin/server.ts";
import { loadSeed } from "../../packages/authkit-astro-deno/src/dev/standin/seed.ts";

const APP_PORT = 4321;
const STANDIN_PORT = Number(Deno.env.get("STANDIN_PORT") ?? 8787);
const APP_URL = `http://localhost:${APP_PORT}`;

const dotenv = await readDotenv(new URL("../../.env", import.meta.url));
const configured = { ...dotenv, ...Deno.env.toObject() };

let standIn: StandIn | undefined;
let env: Record<string, string>;
if (configured.WORKOS_API_KEY) {
  env = configured;
  console.log(`\n  Using WorkOS at ${configured.WORKOS_API_HOSTNAME ?? "api.workos.com"}.\n`);
} else {
  const redirectUri = `${APP_URL}/auth/callback`;
  // A fresh secret per run, shared by the stand-in (signer) and the app (verifier).
  const webhookSecret = crypto.randomUUID();
  standIn = await startStandIn({
    port: STANDIN_PORT,
    apiKey: "sk_test_local_standin",
    clientId: "client_local_standin",
    redirectUris: [redirectUri],
    webhook: { url: `${APP_URL}/webhooks/workos`, secret: webhookSecret },
  });
  env = {
    ...configured,
    WORKOS_API_KEY: "sk_test_local_standin",
    WORKOS_CLIENT_ID: "client_local_standin",
    WORKOS_REDIRECT_URI: redirectUri,
    // A fresh password per run: sessions from the last run simply end.
    WORKOS_COOKIE_PASSWORD: crypto.randomUUID() + crypto.randomUUID(),
    WORKOS_API_HOSTNAME: standIn.hostname,
    WORKOS_API_PORT: String(standIn.port),
    WORKOS_API_HTTPS: "false",
    WORKOS_WEBHOOK_SECRET: webhookSecret,
  };
  await printBanner(standIn);
}

const astro = new Deno.Command(Deno.execPath(), {
  args: ["task", "dev:astro", "--port", String(APP_PORT)],
  env,
  stdin: "inherit",
  stdout: "inherit",
  stderr: "inherit",
}).spawn();

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(signal, () => {
    try {
      astro.kill(signal);
    } catch { /* already gone */ }
  });
}
const status = await astro.status;
await standIn?.close();
Deno.exit(status.code);

async function readDotenv(url: URL): Promise<Record<string, string>> {
  try {
    return parse(await Deno.readTextFile(url));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return {};
    throw error;
  }
}

async function printBanner(standIn: StandIn): Promise<void> {
  const seed = await loadSeed();
  const users = seed.users.map((user) =>
    `      ${user.firstName} ${user.lastName} <${user.email}>`
  );
  console.log(`
  ┌──────────────────────────────────────────────────────────────────────────┐
    No WorkOS configuration found: using the local AuthKit stand-in.

    Open            ${APP_URL}  and choose "Sign in"
    Stand-in        ${standIn.url.href}
    Admin           ${new URL("/admin/sessions", standIn.url).href}
                    (revoke a session: the app hears session.revoked)
    Seeded users (or type any email):
${users.join("\n")}

    To use real WorkOS: cp .env.example .env, fill in your keys, register
    ${APP_URL}/auth/callback as a redirect URI, and run deno task dev again.
  └──────────────────────────────────────────────────────────────────────────┘
`);
}
