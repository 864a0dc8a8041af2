/**
 * Local sign-in with no WorkOS account, for `astro dev`: when neither the environment nor the
 * project's `.env` sets `WORKOS_API_KEY`, start the AuthKit stand-in and point the app at it.
 *
 * Only the integration module imports this one, and only its dev hook (`astro:server:start`)
 * calls it: the integration runs in Astro's config process, never in the server bundle, so no
 * stand-in code reaches `dist/`, and the built server never falls back to it: it still refuses to
 * start without real configuration. (The import is static because Astro closes the module
 * runner that loaded the config before the dev server starts: a dynamic import there fails.)
 *
 * @module
 */
import { parse } from "dotenv";
import type { AuthRoutes } from "../core/routes.ts";
import { loadSeed } from "./standin/seed.ts";
import type { StandIn } from "./standin/server.ts";
import { listenStandIn, LOCAL_API_KEY, LOCAL_CLIENT_ID, standInEnv } from "./standin-launch.ts";

/** What `startLocalAuthKit` decided. */
export type LocalAuthKit =
  | { kind: "workos"; env: Record<string, string>; apiHost: string }
  | { kind: "standin"; env: Record<string, string>; standIn: StandIn; banner: string };

/**
 * Reads the environment and `<root>/.env`; with a WorkOS key, returns them merged (the process
 * environment wins); without one, starts the stand-in and returns the variables that point the
 * app at it: fresh secrets per run, so sessions of the last run simply end.
 */
export async function startLocalAuthKit(options: {
  root: URL;
  appUrl: URL;
  routes: AuthRoutes;
  env: Record<string, string>;
}): Promise<LocalAuthKit> {
  const configured = { ...await readDotenv(new URL(".env", options.root)), ...options.env };
  if (configured.WORKOS_API_KEY) {
    const apiHost = configured.WORKOS_API_HOSTNAME ?? "api.workos.com";
    return { kind: "workos", env: configured, apiHost };
  }
  const redirectUri = new URL(options.routes.callback, options.appUrl).href;
  // A fresh secret per run, shared by the stand-in (signer) and the app (verifier).
  const webhookSecret = crypto.randomUUID();
  const standIn = await listenStandIn({
    apiKey: LOCAL_API_KEY,
    clientId: LOCAL_CLIENT_ID,
    redirectUris: [redirectUri],
    webhook: { url: new URL(options.routes.webhook, options.appUrl).href, secret: webhookSecret },
  }, configured);
  const env = {
    ...configured,
    ...standInEnv(standIn, {
      apiKey: LOCAL_API_KEY,
      clientId: LOCAL_CLIENT_ID,
      redirectUri,
      webhookSecret,
    }),
  };
  return { kind: "standin", env, standIn, banner: await describe(standIn, options) };
}

async function readDotenv(url: URL): Promise<Record<string, string>> {
  try {
    return parse(await Deno.readTextFile(url));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return {};
    throw error;
  }
}

async function describe(standIn: StandIn, options: { appUrl: URL; routes: AuthRoutes }) {
  const seed = await loadSeed();
  const users = seed.users.map((user) =>
    `      ${user.firstName} ${user.lastName} <${user.email}>`
  );
  const callback = new URL(options.routes.callback, options.appUrl).href;
  return `
  ┌──────────────────────────────────────────────────────────────────────────┐
    No WorkOS configuration found: using the local AuthKit stand-in.

    Open            ${options.appUrl.href}  and choose "Sign in"
    Stand-in        ${standIn.url.href}
    Admin           ${new URL("/admin/sessions", standIn.url).href}
                    (revoke a session: the app hears session.revoked)
    Seeded users (or type any email):
${users.join("\n")}

    To use real WorkOS, set these in the environment or .env, and restart:
      WORKOS_API_KEY          sk_… (WorkOS dashboard → API Keys)
      WORKOS_CLIENT_ID        client_…
      WORKOS_REDIRECT_URI     ${callback}
                              (register it in WorkOS → Redirects)
      WORKOS_COOKIE_PASSWORD  32 characters or more, random
  └──────────────────────────────────────────────────────────────────────────┘
`;
}
