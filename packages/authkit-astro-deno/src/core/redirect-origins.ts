/**
 * Which origins sign-in may return to, and which origin a request speaks for (S71).
 *
 * `WORKOS_REDIRECT_URI` is the callback URL, or a comma-separated list of them: the first exact
 * (the production URL), the others may hold one `*` in the host's left-most label, as WorkOS's
 * wildcard redirect URIs do. Deno Deploy serves each revision at
 * `https://<app>-<revision>.<org>.deno.net` and each branch at `https://<app>--<branch>.<org>.deno.net`,
 * so `https://<app>-*.<org>.deno.net/auth/callback` covers every preview. The `*` stands for one or
 * more letters, digits or hyphens, never a dot: it cannot reach a deeper or another domain.
 *
 * A request's own origin (its `Host`, as the server received it) is used for its callback URL, its
 * sign-out return and its same-origin checks only when it matches an entry; any other origin gets
 * the first entry's, so a forged `Host` is never reflected into a redirect. `X-Forwarded-Host` is
 * never read.
 *
 * @module
 */

/** One allowed origin: exact, or with a `*` inside its host's left-most label. */
export interface RedirectOrigin {
  /** `https:` or `http:`. */
  readonly protocol: string;
  /** As `URL.port` has it: empty for the scheme's default port. */
  readonly port: string;
  /** The host's labels; the first may hold one `*`. */
  readonly labels: readonly string[];
}

/** The parsed variable: the first URL (used when a request's origin is not allowed) and all. */
export interface RedirectUris {
  readonly redirectUri: URL;
  readonly origins: readonly RedirectOrigin[];
}

/** A host label the `*` may stand in: letters, digits, hyphens (hosts are lower-cased by `URL`). */
const LABEL_PART = "[a-z0-9-]+";

/**
 * Parses `WORKOS_REDIRECT_URI`, reporting each bad entry in `problems`: every entry an absolute
 * http(s) URL whose path is `callbackPath`, with no query, fragment or credentials, the same
 * scheme as the first; at most one `*`, in the left-most label of a host with at least two labels
 * after it (or `localhost`); none in the first entry.
 */
export function parseRedirectUris(
  value: string,
  callbackPath: string,
  problems: string[],
): RedirectUris | undefined {
  const entries = value.split(",").map((entry) => entry.trim()).filter(Boolean);
  const before = problems.length;
  const parsed = entries.map((entry, index) => parseEntry(entry, index, callbackPath, problems));
  if (problems.length > before || parsed.length === 0) return undefined;
  const urls = parsed as URL[];
  for (const url of urls.slice(1)) {
    if (url.protocol !== urls[0].protocol) {
      problems.push(
        `WORKOS_REDIRECT_URI entries must all use ${urls[0].protocol.slice(0, -1)} (cookies are ` +
          `Secure or not for all of them): received "${url.href}"`,
      );
    }
  }
  if (problems.length > before) return undefined;
  return Object.freeze({ redirectUri: urls[0], origins: Object.freeze(urls.map(originPattern)) });
}

/** The origin part of a redirect URI, its `*` kept. */
export function originPattern(url: URL): RedirectOrigin {
  return Object.freeze({
    protocol: url.protocol,
    port: url.port,
    labels: Object.freeze(url.hostname.split(".")),
  });
}

function parseEntry(
  entry: string,
  index: number,
  callbackPath: string,
  problems: string[],
): URL | undefined {
  const url = URL.parse(entry);
  if (!url) {
    problems.push(`WORKOS_REDIRECT_URI must be an absolute URL: received "${entry}"`);
    return undefined;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    problems.push(`WORKOS_REDIRECT_URI must use http or https: received "${url.protocol}"`);
    return undefined;
  }
  if (url.pathname !== callbackPath) {
    // AuthKit sends the browser to the redirect URI: a path no route answers fails every sign-in.
    problems.push(
      `WORKOS_REDIRECT_URI must end in the callback route "${callbackPath}": received "${url.pathname}"`,
    );
  }
  if (url.search || url.hash || url.username || url.password) {
    problems.push(`WORKOS_REDIRECT_URI entries take no query, fragment or credentials: "${entry}"`);
  }
  const problem = wildcardProblem(url.hostname, index);
  if (problem) problems.push(`WORKOS_REDIRECT_URI "${entry}": ${problem}`);
  return url;
}

/** Why the host's `*` is not allowed where it is, or undefined when it is fine (or absent). */
function wildcardProblem(hostname: string, index: number): string | undefined {
  const stars = hostname.split("*").length - 1;
  if (stars === 0) return undefined;
  if (index === 0) return "the first entry must be exact (it is used for every other origin)";
  if (stars > 1) return "at most one * is allowed";
  const [first, ...rest] = hostname.split(".");
  if (!first.includes("*")) return "the * must be in the left-most label of the host";
  // `*.com` or `*.co.uk`-like hosts would take in other people's sites.
  if (rest.length < 2 && rest.join(".") !== "localhost") {
    return "the * needs at least two labels after it (such as *.example.com)";
  }
  return undefined;
}

/** Whether `origin` (a `URL.origin`) is one `entry` allows. */
export function matchesRedirectOrigin(origin: string, entry: RedirectOrigin): boolean {
  const url = URL.parse(origin);
  if (!url || url.protocol !== entry.protocol || url.port !== entry.port) return false;
  const labels = url.hostname.split(".");
  if (labels.length !== entry.labels.length) return false;
  return labels.every((label, index) => matchesLabel(label, entry.labels[index]));
}

function matchesLabel(label: string, pattern: string): boolean {
  if (!pattern.includes("*")) return label === pattern;
  const [prefix, suffix] = pattern.split("*").map(escapeRegExp);
  return new RegExp(`^${prefix}${LABEL_PART}${suffix}$`).test(label);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Whether `uri` is allowed by the registered redirect URI `registered`, which may hold a `*`, as
 * WorkOS compares them: the same path and query, an origin the pattern allows. For the stand-in.
 */
export function matchesRedirectUri(registered: string, uri: string): boolean {
  const pattern = URL.parse(registered);
  const url = URL.parse(uri);
  if (!pattern || !url || pattern.pathname !== url.pathname || pattern.search !== url.search) {
    return false;
  }
  return matchesRedirectOrigin(url.origin, originPattern(pattern));
}

/** Whether `origin` is the origin of one of the `registered` redirect URIs (wildcards allowed). */
export function isRegisteredOrigin(registered: readonly string[], origin: string): boolean {
  return registered.some((uri) => {
    const pattern = URL.parse(uri);
    return pattern !== null && matchesRedirectOrigin(origin, originPattern(pattern));
  });
}

/**
 * The origin `request` speaks for: its own when an allowed entry matches it, else the first
 * entry's. Callback URLs, sign-out returns and same-origin checks are built from this.
 */
export function requestAppOrigin(
  request: Request,
  config: { redirectUri: URL; redirectOrigins: readonly RedirectOrigin[] },
): string {
  const own = URL.parse(request.url)?.origin;
  if (own && config.redirectOrigins.some((entry) => matchesRedirectOrigin(own, entry))) return own;
  return config.redirectUri.origin;
}
