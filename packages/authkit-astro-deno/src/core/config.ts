/**
 * Configuration, read once from the runtime environment and validated all at once.
 *
 * Secrets never come from `import.meta.env`: Astro replaces it at build time, which either bakes
 * the secret into `dist/` or bakes in `undefined`. Everything here reads the live environment.
 *
 * @module
 */
import { parseRedirectUris, type RedirectOrigin } from "./redirect-origins.ts";
import { type AuthRoutes, resolveRoutes, type RouteOptions } from "./routes.ts";

/** The placeholder in `.env.example`; a deployment still using it is refused. */
export const EXAMPLE_COOKIE_PASSWORD = "replace-me-with-at-least-32-random-characters";

const MIN_PASSWORD_LENGTH = 32;
const DEFAULT_SESSION_MAX_AGE_SECONDS = 7 * 24 * 60 * 60;

/** Everything the auth layer needs, derived once at start. */
export interface AuthConfig {
  apiKey: string;
  clientId: string;
  redirectUri: URL;
  /** The origins `WORKOS_REDIRECT_URI` allows: its one URL, or a list with wildcards (S71). */
  redirectOrigins: readonly RedirectOrigin[];
  /** iron-session's password map: new seals use the highest id, older ids still open. */
  cookiePasswords: Record<number, string>;
  /** Origin of the WorkOS API, e.g. `https://api.workos.com`. */
  apiBaseUrl: URL;
  /** Options for `new WorkOS()` (v6 spells the API host this way). */
  apiHostname: string;
  apiPort?: number;
  apiHttps: boolean;
  /** `iss` values accepted in access tokens. */
  issuers: string[];
  /** Absolute session lifetime, counted from sign-in and enforced inside the seal. */
  sessionMaxAgeSeconds: number;
  /** `Secure` cookies whenever the app is served over https. */
  secureCookies: boolean;
  cookieDomain?: string;
  /** Verifies `POST /webhooks/workos`; without it the route answers 404. */
  webhookSecret?: string;
  /**
   * Deno KV (`DENO_KV_PATH`): a local file, or the `https://` URL of a self-hosted `denokv` server
   * (its token in `DENO_KV_ACCESS_TOKEN`, read by Deno). Unset: the default database (Deno
   * Deploy's).
   */
  kvPath?: string;
  /** Where each auth route lives and what is protected (the integration's options). */
  routes: AuthRoutes;
  /**
   * Whether shared state was asked for (`DENO_KV_PATH` set, or running on Deno Deploy, which sets
   * `DENO_DEPLOYMENT_ID`): falling back to memory then makes `/healthz` answer 503.
   */
  sharedStateRequired: boolean;
}

/** A variable-by-variable list of what is wrong with the environment. */
export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid auth configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
    this.problems = problems;
  }
}

type Env = Record<string, string | undefined>;

/**
 * Builds the config from an environment and the integration's route options, reporting every
 * problem in one `ConfigError`.
 */
export function loadConfig(env: Env, routeOptions: RouteOptions = {}): AuthConfig {
  const problems: string[] = [];
  const required = (name: string): string => {
    const value = env[name]?.trim();
    if (!value) problems.push(`${name} is not set`);
    return value ?? "";
  };

  const apiKey = required("WORKOS_API_KEY");
  const clientId = required("WORKOS_CLIENT_ID");
  const redirectValue = required("WORKOS_REDIRECT_URI");
  const cookiePasswords = parseCookiePasswords(required("WORKOS_COOKIE_PASSWORD"), problems);
  const api = parseApiLocation(env, problems);
  const sessionMaxAgeSeconds = parsePositiveInt(
    env.WORKOS_SESSION_MAX_AGE,
    "WORKOS_SESSION_MAX_AGE",
    DEFAULT_SESSION_MAX_AGE_SECONDS,
    problems,
  );
  const routes = resolveRoutes(routeOptions, problems);
  const redirect = parseRedirectUris(redirectValue, routes.callback, problems);
  if (problems.length > 0) throw new ConfigError(problems);

  const issuers = env.WORKOS_ISSUER?.trim()
    ? env.WORKOS_ISSUER.split(",").map((issuer) => issuer.trim()).filter(Boolean)
    : defaultIssuers(api.baseUrl, clientId);
  return {
    apiKey,
    clientId,
    redirectUri: redirect!.redirectUri,
    redirectOrigins: redirect!.origins,
    cookiePasswords,
    apiBaseUrl: api.baseUrl,
    apiHostname: api.hostname,
    apiPort: api.port,
    apiHttps: api.https,
    issuers,
    sessionMaxAgeSeconds,
    secureCookies: redirect!.redirectUri.protocol === "https:",
    cookieDomain: env.WORKOS_COOKIE_DOMAIN?.trim() || undefined,
    webhookSecret: env.WORKOS_WEBHOOK_SECRET?.trim() || undefined,
    kvPath: env.DENO_KV_PATH?.trim() || undefined,
    routes,
    sharedStateRequired: Boolean(env.DENO_KV_PATH?.trim() || env.DENO_DEPLOYMENT_ID?.trim()),
  };
}

/**
 * WorkOS documents `iss` as the API origin but also issues `{origin}/user_management/{clientId}`;
 * accept both for the configured API, and nothing else (set `WORKOS_ISSUER` for a custom domain).
 */
export function defaultIssuers(apiBaseUrl: URL, clientId: string): string[] {
  const origin = apiBaseUrl.origin;
  return [origin, `${origin}/user_management/${clientId}`];
}

/**
 * Accepts one password, or iron-session's rotation form as JSON: `{"2":"new…","1":"old…"}`.
 * Values are never echoed in errors.
 */
export function parseCookiePasswords(value: string, problems: string[]): Record<number, string> {
  if (!value) return {};
  let passwords: Record<number, string>;
  if (value.startsWith("{")) {
    try {
      passwords = parsePasswordMap(JSON.parse(value));
    } catch {
      problems.push(
        'WORKOS_COOKIE_PASSWORD looks like JSON but is not a map of numeric ids to passwords, e.g. {"2":"…","1":"…"}',
      );
      return {};
    }
  } else {
    passwords = { 1: value };
  }
  for (const [id, password] of Object.entries(passwords)) {
    const label = value.startsWith("{")
      ? `WORKOS_COOKIE_PASSWORD (id ${id})`
      : "WORKOS_COOKIE_PASSWORD";
    if (password.length < MIN_PASSWORD_LENGTH) {
      problems.push(`${label} must be at least ${MIN_PASSWORD_LENGTH} characters long`);
    } else if (password === EXAMPLE_COOKIE_PASSWORD) {
      problems.push(`${label} is the example value from .env.example; generate your own`);
    }
  }
  return passwords;
}

function parsePasswordMap(parsed: unknown): Record<number, string> {
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new TypeError();
  const entries = Object.entries(parsed);
  if (entries.length === 0) throw new TypeError();
  const map: Record<number, string> = {};
  for (const [id, password] of entries) {
    if (!/^\d+$/.test(id) || typeof password !== "string") throw new TypeError();
    map[Number(id)] = password;
  }
  return map;
}

function parseApiLocation(env: Env, problems: string[]) {
  const hostname = env.WORKOS_API_HOSTNAME?.trim() || "api.workos.com";
  const httpsValue = env.WORKOS_API_HTTPS?.trim().toLowerCase();
  if (httpsValue && httpsValue !== "true" && httpsValue !== "false") {
    problems.push(`WORKOS_API_HTTPS must be "true" or "false": received "${httpsValue}"`);
  }
  const https = httpsValue !== "false";
  const port = env.WORKOS_API_PORT?.trim()
    ? parsePositiveInt(env.WORKOS_API_PORT, "WORKOS_API_PORT", 0, problems)
    : undefined;
  if (port !== undefined && port > 65535) problems.push("WORKOS_API_PORT must be at most 65535");
  // An out-of-range port is reported above; leave it out here so it is not blamed on the host.
  const urlPort = port && port <= 65535 ? `:${port}` : "";
  let baseUrl = new URL("https://api.workos.com");
  try {
    baseUrl = new URL(`${https ? "https" : "http"}://${hostname}${urlPort}`);
  } catch {
    problems.push(`WORKOS_API_HOSTNAME is not a valid host name: received "${hostname}"`);
  }
  return { hostname, port, https, baseUrl };
}

function parsePositiveInt(
  value: string | undefined,
  name: string,
  fallback: number,
  problems: string[],
): number {
  if (value === undefined || value.trim() === "") return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0) {
    problems.push(`${name} must be a positive whole number: received "${value}"`);
    return fallback;
  }
  return number;
}
