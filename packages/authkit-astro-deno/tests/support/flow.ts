/**
 * Helpers for handler-level tests: drive `/sign-in` → callback through the real auth layer (with
 * the fake WorkOS behind `fetch`), and read and send cookies the way a browser would.
 *
 * @module
 */
import type { Auth } from "../../src/auth.ts";
import { logSink } from "../../src/core/log.ts";
import { type FakeWorkOS, USER } from "./fake_workos.ts";

/** The app's origin in `testConfig()`. */
export const APP = "http://localhost:4321";

/** The stored (camelCase) user a sign-in as `USER` yields. */
export const STORED_USER = {
  id: USER.id,
  email: USER.email,
  firstName: USER.first_name,
  lastName: USER.last_name,
  profilePictureUrl: USER.profile_picture_url,
};

/** One parsed `Set-Cookie`: its value and its attributes, names lower-cased. */
export interface SetCookie {
  name: string;
  value: string;
  /** `name=value`, ready for a `Cookie` header. */
  pair: string;
  attributes: Record<string, string | true>;
}

/** Parses a `Set-Cookie` value. */
export function parseSetCookie(header: string): SetCookie {
  const [pair, ...rest] = header.split(";").map((part) => part.trim());
  const eq = pair.indexOf("=");
  const attributes: Record<string, string | true> = {};
  for (const attribute of rest) {
    const i = attribute.indexOf("=");
    if (i === -1) attributes[attribute.toLowerCase()] = true;
    else attributes[attribute.slice(0, i).toLowerCase()] = attribute.slice(i + 1);
  }
  return { name: pair.slice(0, eq), value: pair.slice(eq + 1), pair, attributes };
}

/** The `Set-Cookie` of `response` for cookie `name`, if any. */
export function getSetCookie(response: Response, name: string): SetCookie | undefined {
  return response.headers.getSetCookie().map(parseSetCookie).find((c) => c.name === name);
}

/**
 * The state cookie `response` sets (`wos-auth-state.<tag>`, one per flow, `__Host-` prefixed on
 * https), or the deletion of one.
 */
export function getStateCookie(response: Response): SetCookie | undefined {
  return response.headers.getSetCookie().map(parseSetCookie)
    .find((c) => /^(__Host-)?wos-auth-state\./.test(c.name));
}

/** A `Cookie` header value from `Set-Cookie` values or `name=value` pairs; deleted ones dropped. */
export function cookieHeader(cookies: string[]): string {
  return cookies.map(parseSetCookie)
    .filter((c) => c.attributes["max-age"] !== "0")
    .map((c) => c.pair)
    .join("; ");
}

/** A request to `path` (or an absolute URL) that carries `cookies`. */
export function requestWithCookies(
  path: string,
  cookies: string[] = [],
  init: RequestInit = {},
): Request {
  const headers = new Headers(init.headers);
  const cookie = cookieHeader(cookies);
  if (cookie) headers.set("cookie", cookie);
  // Concatenated, not `new URL(path, APP)`: that would read `//dashboard` as another host.
  return new Request(/^https?:/.test(path) ? path : APP + path, { ...init, headers });
}

/** A started sign-in: the authorize URL, its `state`, and the state cookie's `name=value`. */
export interface StartedFlow {
  response: Response;
  authorizeUrl: URL;
  state: string;
  stateCookie: string;
}

/** Runs `GET /sign-in` (with an optional `returnTo`). */
export async function startSignIn(auth: Auth, returnTo?: string): Promise<StartedFlow> {
  const url = new URL("/sign-in", APP);
  if (returnTo !== undefined) url.searchParams.set("returnTo", returnTo);
  const response = await auth.signIn(new Request(url));
  const authorizeUrl = new URL(response.headers.get("location")!);
  const stateCookie = getStateCookie(response)!.pair;
  return { response, authorizeUrl, state: authorizeUrl.searchParams.get("state")!, stateCookie };
}

/** The callback request WorkOS would send the browser to, with `params` and `cookies`. */
export function callbackRequest(params: Record<string, string>, cookies: string[]): Request {
  return requestWithCookies(`/auth/callback?${new URLSearchParams(params)}`, cookies);
}

/** What a completed sign-in leaves behind. */
export interface SignedIn {
  callback: Response;
  /** `wos-session=…`, ready for a `Cookie` header. */
  sessionCookie: string;
}

/**
 * Runs `/sign-in` then the callback; the fake answers the exchange with a token carrying
 * `opts.claims`. Throws unless a session cookie was set.
 */
export async function signInAndCallback(
  auth: Auth,
  fake: FakeWorkOS,
  opts: { claims?: Record<string, unknown>; returnTo?: string; cookies?: string[] } = {},
): Promise<SignedIn> {
  const flow = await startSignIn(auth, opts.returnTo);
  const previous = fake.onAuthenticate;
  fake.onAuthenticate = () => fake.successfulAuthentication(opts.claims);
  try {
    const callback = await auth.callback(
      callbackRequest({ code: "code_ok", state: flow.state }, [
        flow.stateCookie,
        ...(opts.cookies ?? []),
      ]),
    );
    const session = getSetCookie(callback, "wos-session");
    if (!session) throw new Error(`Sign-in failed: callback answered ${callback.status}`);
    return { callback, sessionCookie: session.pair };
  } finally {
    fake.onAuthenticate = previous;
  }
}

/** Captures auth-failure log lines until disposed. */
export function captureLogs(): { lines: string[] } & Disposable {
  const original = logSink.write;
  const lines: string[] = [];
  logSink.write = (line) => void lines.push(line);
  return {
    lines,
    [Symbol.dispose]() {
      logSink.write = original;
    },
  };
}

/** A settable clock for `createAuth({ now })`, starting at the real time. */
export function createClock(): { now: () => number; ms: number; advance(seconds: number): void } {
  const clock = {
    ms: Date.now(),
    now: () => clock.ms,
    advance(seconds: number) {
      clock.ms += seconds * 1000;
    },
  };
  return clock;
}

/** The number of refresh-token exchanges the fake has seen. */
export function refreshCalls(fake: FakeWorkOS): Record<string, unknown>[] {
  return fake.calls.authenticate.filter((body) => body.grant_type === "refresh_token");
}
