/**
 * A tiny browser-like HTTP client for tests of the built server: a cookie jar for the app's
 * origin and manual redirects, so each hop's status and headers can be checked.
 *
 * @module
 */
import type { Stack } from "./stack.ts";

/** What the built server's `/healthz` reports. */
export interface Health {
  status: string;
  deno: string;
  sharedState: string;
  sharedStateOps: { reads: number; writes: number; polls: number };
}

/** The built server's `/healthz` body; throws unless it answers 200. */
export async function readHealth(appUrl: URL): Promise<Health> {
  const response = await fetch(new URL("/healthz", appUrl));
  if (response.status !== 200) throw new Error(`/healthz answered ${response.status}`);
  return await response.json();
}

/** Cookies the app has set, as a browser would keep them (`Max-Age=0` deletes). */
export class CookieJar {
  #cookies = new Map<string, string>();

  /** Applies every `Set-Cookie` of `response`. */
  update(response: Response): void {
    for (const header of response.headers.getSetCookie()) {
      const [pair, ...attributes] = header.split(";");
      const name = pair.slice(0, pair.indexOf("="));
      const value = pair.slice(pair.indexOf("=") + 1);
      const deleted = attributes.some((a) => a.trim().toLowerCase() === "max-age=0");
      if (deleted || value === "") this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
  }

  /** The value of cookie `name`, if held. */
  get(name: string): string | undefined {
    return this.#cookies.get(name);
  }

  /** The names of the cookies held, oldest first. */
  names(): string[] {
    return [...this.#cookies.keys()];
  }

  /** Sets a cookie by hand (to plant or tamper with one). */
  set(name: string, value: string): void {
    this.#cookies.set(name, value);
  }

  /** The `Cookie` request header. */
  header(): string {
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }
}

/** GET (or `init.method`) `url` with the jar's cookies, no redirect following; body consumed. */
export async function request(
  url: URL | string,
  jar: CookieJar,
  init: RequestInit = {},
): Promise<{ response: Response; body: string }> {
  const headers = new Headers(init.headers);
  if (jar.header()) headers.set("cookie", jar.header());
  if (!headers.has("accept")) headers.set("accept", "text/html");
  const response = await fetch(url, { ...init, headers, redirect: "manual" });
  jar.update(response);
  return { response, body: await response.text() };
}

/**
 * Signs in through the stand-in the way a browser would: `/sign-in` → AuthKit page → pick
 * `userId` → callback. Returns the callback response (302 to `returnTo` with the session).
 */
export async function signIn(
  stack: Stack,
  jar: CookieJar,
  options: { userId?: string; returnTo?: string; choice?: Record<string, string> } = {},
): Promise<Response> {
  const signInUrl = new URL("/sign-in", stack.appUrl);
  if (options.returnTo) signInUrl.searchParams.set("returnTo", options.returnTo);
  const start = await request(signInUrl, jar);
  const authorizeUrl = new URL(start.response.headers.get("location")!);
  const complete = await completeAtStandIn(
    authorizeUrl,
    options.choice ?? { user_id: options.userId! },
  );
  return (await request(complete.headers.get("location")!, jar)).response;
}

/**
 * Plays the stand-in's hosted page: its forms carry the authorize query as hidden fields, so this
 * posts that query plus `choice` (`user_id`, `impersonation`, `email` or `cancel`). Returns the
 * stand-in's answer: normally a 302 to the callback.
 */
export async function completeAtStandIn(
  authorizeUrl: URL,
  choice: Record<string, string>,
): Promise<Response> {
  const form = new URLSearchParams(authorizeUrl.searchParams);
  for (const [name, value] of Object.entries(choice)) form.set(name, value);
  const response = await fetch(new URL("/user_management/authorize/complete", authorizeUrl), {
    method: "POST",
    body: form,
    redirect: "manual",
  });
  await response.body?.cancel();
  return response;
}
