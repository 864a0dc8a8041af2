/**
 * Browser code's access token, from `GET /auth/access-token` (S60). No dependencies: it runs in
 * the page, bundled by Astro from a `<script>`.
 *
 * ```ts
 * import { getAccessToken } from "authkit-astro-deno/client/access-token";
 * const token = await getAccessToken(); // null when signed out
 * await fetch("/api/me", { headers: { authorization: `Bearer ${token}` } });
 * ```
 *
 * The token is kept in this module's memory only (never in storage a script injected later could
 * read at leisure), reused until its refresh margin, and one fetch is shared by concurrent
 * callers.
 *
 * @module
 */

/** Asked for again this long before `expiresAt`: the server refreshes within the same margin. */
export const CLIENT_REFRESH_MARGIN_SECONDS = 60;

/** Seams for tests and special set-ups. */
export interface AccessTokenClientOptions {
  /** Default `/auth/access-token`. */
  endpoint?: string;
  fetch?: typeof fetch;
  now?: () => number;
}

/** One page's token source. */
export interface AccessTokenClient {
  /** The token, from memory or the server; null when signed out. Rejects on other failures. */
  getAccessToken(): Promise<string | null>;
  /** Forgets the token (after sign-out, or a 401 from an API that took it). */
  clearAccessToken(): void;
}

/** Builds a token source; `getAccessToken` below is the page's default one. */
export function createAccessTokenClient(
  options: AccessTokenClientOptions = {},
): AccessTokenClient {
  const endpoint = options.endpoint ?? "/auth/access-token";
  const now = options.now ?? (() => Date.now());
  let held: { token: string; expiresAt: number } | null = null;
  let pending: Promise<string | null> | null = null;

  async function request(): Promise<Response> {
    const doFetch = options.fetch ?? globalThis.fetch;
    return await doFetch(endpoint, {
      credentials: "same-origin",
      headers: { accept: "application/json" },
      cache: "no-store",
    });
  }

  async function load(): Promise<string | null> {
    let response = await request();
    // Once more on 401: a concurrent request may have just replaced the cookie (a refresh).
    if (response.status === 401) {
      await response.body?.cancel();
      response = await request();
    }
    if (response.status === 401) {
      await response.body?.cancel();
      held = null;
      return null;
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(`Access token request failed with status ${response.status}`);
    }
    const body = await response.json() as { accessToken?: unknown; expiresAt?: unknown };
    if (typeof body.accessToken !== "string" || typeof body.expiresAt !== "number") {
      throw new Error("Access token response is malformed");
    }
    held = { token: body.accessToken, expiresAt: body.expiresAt };
    return held.token;
  }

  return {
    getAccessToken() {
      const nowSeconds = now() / 1000;
      if (held && held.expiresAt - CLIENT_REFRESH_MARGIN_SECONDS > nowSeconds) {
        return Promise.resolve(held.token);
      }
      pending ??= load().finally(() => (pending = null));
      return pending;
    },
    clearAccessToken() {
      held = null;
    },
  };
}

const pageClient = createAccessTokenClient();

/** The access token for this page's browser code; null when signed out. */
export function getAccessToken(): Promise<string | null> {
  return pageClient.getAccessToken();
}

/** Forgets the page's token. */
export function clearAccessToken(): void {
  pageClient.clearAccessToken();
}
