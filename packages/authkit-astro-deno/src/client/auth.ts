/**
 * `$auth`: who is signed in, for browser code. A nanostores atom, so `@nanostores/react`,
 * `/preact`, `/vue` and Svelte's store protocol read it unchanged.
 *
 * ```ts
 * import { $auth } from "@authkit-deno/astro/client";
 * $auth.subscribe((auth) => {
 *   // undefined: not known yet; null: signed out; else the public part of the session
 *   if (auth) console.log(auth.user.email, auth.has({ permission: "posts:write" }));
 * });
 * ```
 *
 * Where the value comes from, in order: the page's `<AuthState />` (read when this module loads,
 * so an island hydrates with it and no request is made); else one `GET` of the state route, made
 * when the store is first read and then held for the page. After a `<ClientRouter />` navigation
 * (`astro:after-swap`) and a back/forward-cache restore it is read again the same way. It never
 * holds a token: `getAccessToken()` is the only way to one.
 *
 * @module
 */
import { atom, onMount, type ReadableAtom } from "nanostores";
import { installedOptions } from "../astro/installed-options.ts";
import { type AccessCheck, hasAccess } from "../session/access.ts";
import { AUTH_STATE_ELEMENT_ID, type PublicAuthData } from "../session/public-auth.ts";

export { AUTH_STATE_ELEMENT_ID };
export type { AccessCheck, PublicAuthData };

/** The public part of the session, with `has()` over its claims (as the server's). */
export interface PublicAuth extends PublicAuthData {
  has(check: AccessCheck): boolean;
}

/** `undefined` until known, `null` when signed out. */
export type AuthValue = PublicAuth | null | undefined;

const STATE_ROUTE = installedOptions().routes.authState ?? "/auth/state";
const NOT_EMBEDDED = Symbol("not embedded");

/** The little of the DOM this module uses (it is type-checked without the DOM library). */
interface PageDocument {
  getElementById(id: string): { textContent: string | null } | null;
  addEventListener(type: string, listener: () => void): void;
}

/** Adds `has()` to state read from the page or the route, frozen; null for anything else. */
export function toAuthValue(data: unknown): PublicAuth | null {
  if (typeof data !== "object" || data === null) return null;
  const state = data as PublicAuthData;
  if (typeof state.user?.id !== "string" || !Array.isArray(state.roles)) return null;
  return Object.freeze({ ...state, has: (check: AccessCheck) => hasAccess(state, check) });
}

/** The state `<AuthState />` wrote into `doc`, or `NOT_EMBEDDED`. */
function readEmbedded(doc?: PageDocument): AuthValue | typeof NOT_EMBEDDED {
  const element = doc?.getElementById(AUTH_STATE_ELEMENT_ID);
  if (!element) return NOT_EMBEDDED;
  try {
    return toAuthValue(JSON.parse(element.textContent ?? ""));
  } catch {
    return undefined; // unreadable: unknown, never "signed in"
  }
}

const page = (globalThis as { document?: PageDocument }).document;
const embedded: AuthValue | typeof NOT_EMBEDDED = readEmbedded(page);

const store = atom<AuthValue>(embedded === NOT_EMBEDDED ? undefined : embedded);

/**
 * The signed-in user's public state for this page (see the module's documentation). Read-only:
 * only the page's state and the state route set it.
 */
export const $auth: ReadableAtom<AuthValue> = store;

let asked = embedded !== NOT_EMBEDDED; // per page load: one request at most
let used = false;

/** Asks the state route; a failure leaves the value unknown. */
async function fetchState(): Promise<void> {
  try {
    const response = await fetch(STATE_ROUTE, {
      credentials: "same-origin",
      headers: { accept: "application/json" },
      cache: "no-store",
    });
    if (!response.ok) return void (await response.body?.cancel());
    const body = await response.json() as { auth?: unknown };
    store.set(body.auth === null ? null : toAuthValue(body.auth) ?? undefined);
  } catch { /* offline or aborted: still unknown */ }
}

/** Takes the page's `<AuthState />`, or asks the route once for this page. */
function load(): void {
  const state = readEmbedded(page);
  if (state !== NOT_EMBEDDED) store.set(state);
  else if (!asked) {
    asked = true;
    void fetchState();
  }
}

if (page) {
  onMount(store, () => {
    used = true;
    load();
  });
  // A new page without a full load: read its state again (a prerendered page asks again).
  const reload = () => {
    asked = false;
    if (used) load();
  };
  page.addEventListener("astro:after-swap", reload);
  addEventListener(
    "pageshow",
    (event) => (event as Event & { persisted?: boolean }).persisted && reload(),
  );
}
