/**
 * The same scenarios against both upstreams the other suites use: the fake WorkOS API behind a
 * stubbed `fetch`, and the local AuthKit stand-in over real HTTP. If the two ever disagree about
 * what the app sees, one of them has drifted from WorkOS's contract.
 */
import { assert, assertEquals, assertMatch } from "@std/assert";
import { createAuth } from "../packages/authkit-astro-deno/src/auth.ts";
import { type AuthConfig, loadConfig } from "../packages/authkit-astro-deno/src/core/config.ts";
import type { AuthContext } from "../packages/authkit-astro-deno/src/session/resolve.ts";
import { startStandIn } from "../packages/authkit-astro-deno/src/dev/standin/server.ts";
import { fakeDateNow } from "../packages/authkit-astro-deno/tests/support/clock.ts";
import {
  FAKE_ORGANIZATIONS,
  installFakeWorkOS,
  json,
  testConfig,
  USER,
} from "../packages/authkit-astro-deno/tests/support/fake_workos.ts";
import {
  cookieHeader,
  getSetCookie,
  getStateCookie,
  requestWithCookies,
} from "../packages/authkit-astro-deno/tests/support/flow.ts";
import { completeAtStandIn } from "./support/http_client.ts";

const ADA = "user_01ADA000000000000000000000";

/** What a scenario needs from an upstream. */
interface Upstream extends AsyncDisposable {
  config: AuthConfig;
  userId: string;
  /** Plays the hosted sign-in page: approves the authorize URL, returns the callback URL. */
  approve(authorizeUrl: URL): Promise<string>;
  /** Makes the authenticate endpoint answer 500 from now on. */
  breakAuthenticate(): void;
  /** The user's second organization, where the role is `member`. */
  otherOrganization: string;
}

async function stubbedFetch(): Promise<Upstream> {
  const fake = await installFakeWorkOS();
  const other = FAKE_ORGANIZATIONS.beta;
  // WorkOS scopes a refresh with `organization_id` to that membership.
  fake.onAuthenticate = (body) =>
    fake.successfulAuthentication(
      body.organization_id === other.id
        ? { org_id: other.id, role: other.role, roles: [other.role], permissions: ["posts:read"] }
        : {},
    );
  return {
    config: testConfig(),
    userId: USER.id,
    otherOrganization: other.id,
    approve: (authorizeUrl) => {
      const callback = new URL(authorizeUrl.searchParams.get("redirect_uri")!);
      callback.searchParams.set("code", `code_${crypto.randomUUID()}`);
      callback.searchParams.set("state", authorizeUrl.searchParams.get("state")!);
      return Promise.resolve(callback.href);
    },
    breakAuthenticate: () => void (fake.onAuthenticate = () => json(500, { message: "boom" })),
    [Symbol.asyncDispose]: () => Promise.resolve(fake[Symbol.dispose]()),
  };
}

async function localStandIn(): Promise<Upstream> {
  const redirectUri = "http://localhost:4321/auth/callback";
  const standIn = await startStandIn({
    apiKey: "sk_test_agreement",
    clientId: "client_agreement",
    redirectUris: [redirectUri],
    quiet: true,
  });
  return {
    config: loadConfig({
      WORKOS_API_KEY: "sk_test_agreement",
      WORKOS_CLIENT_ID: "client_agreement",
      WORKOS_REDIRECT_URI: redirectUri,
      WORKOS_COOKIE_PASSWORD: "agreement-cookie-password-0123456789-abc",
      WORKOS_API_HOSTNAME: standIn.hostname,
      WORKOS_API_PORT: String(standIn.port),
      WORKOS_API_HTTPS: "false",
    }),
    userId: ADA,
    otherOrganization: "org_01DIFFERENCE00000000000000",
    async approve(authorizeUrl) {
      const response = await completeAtStandIn(authorizeUrl, { user_id: ADA });
      return response.headers.get("location")!;
    },
    breakAuthenticate: () => standIn.setFault("authenticate", "error500"),
    [Symbol.asyncDispose]: () => standIn.close(),
  };
}

/** Signs in through `upstream`; returns the auth layer and the session cookie pair. */
async function signedIn(upstream: Upstream) {
  const auth = createAuth(upstream.config);
  const start = await auth.signIn(new Request("http://localhost:4321/sign-in"));
  const callbackUrl = await upstream.approve(new URL(start.headers.get("location")!));
  const callback = await auth.callback(
    requestWithCookies(callbackUrl, [getStateCookie(start)!.pair]),
  );
  assertEquals(callback.status, 302);
  return { auth, cookie: getSetCookie(callback, "wos-session")!.pair };
}

function dashboard(cookie: string): Request {
  return requestWithCookies("/dashboard", [cookie]);
}

for (
  const [name, connect] of [["stubbed fetch", stubbedFetch], ["stand-in", localStandIn]] as const
) {
  Deno.test(`agreement (${name}): sign-in yields a verified session with WorkOS's claims`, async () => {
    await using upstream = await connect();
    const { auth, cookie } = await signedIn(upstream);
    const resolution = await auth.resolveSession(dashboard(cookie));
    assertEquals(resolution.kind, "signed-in");
    const session = (resolution as { auth: AuthContext }).auth;
    assertEquals(session.user.id, upstream.userId);
    assertMatch(session.sessionId, /^session_/);
    assertEquals(session.role, "admin");
    assert(session.permissions.includes("posts:write"));
  });

  Deno.test(`agreement (${name}): an expired token is refreshed and the cookie re-sealed`, async () => {
    using clock = fakeDateNow();
    await using upstream = await connect();
    const { auth, cookie } = await signedIn(upstream);
    clock.advance(6 * 60_000); // past the five-minute access token
    const resolution = await auth.resolveSession(dashboard(cookie));
    assertEquals(resolution.kind, "signed-in");
    const setCookie = (resolution as { setCookies?: string[] }).setCookies?.[0] ?? "";
    assert(setCookie.startsWith("wos-session="), "re-sealed");
    const again = await auth.resolveSession(dashboard(cookieHeader([setCookie])));
    assertEquals(again.kind, "signed-in");
  });

  Deno.test(`agreement (${name}): a failing refresh keeps the session as unavailable`, async () => {
    using clock = fakeDateNow();
    await using upstream = await connect();
    const { auth, cookie } = await signedIn(upstream);
    upstream.breakAuthenticate();
    clock.advance(6 * 60_000);
    const resolution = await auth.resolveSession(dashboard(cookie));
    assertEquals(resolution.kind, "unavailable");
  });

  Deno.test(`agreement (${name}): sign-out goes to the API's logout URL with sid and return_to`, async () => {
    await using upstream = await connect();
    const { auth, cookie } = await signedIn(upstream);
    const response = await auth.signOut(
      requestWithCookies("/sign-out", [cookie], {
        method: "POST",
        headers: { origin: "http://localhost:4321" },
      }),
    );
    const logout = new URL(response.headers.get("location")!);
    assertEquals(logout.origin, upstream.config.apiBaseUrl.origin);
    assertEquals(logout.pathname, "/user_management/sessions/logout");
    assertMatch(logout.searchParams.get("session_id")!, /^session_/);
    assertEquals(logout.searchParams.get("return_to"), "http://localhost:4321/");
  });

  Deno.test(`agreement (${name}): the switcher lists both organizations and a switch re-scopes the session`, async () => {
    await using upstream = await connect();
    const { auth, cookie } = await signedIn(upstream);
    const resolution = await auth.resolveSession(dashboard(cookie));
    const session = (resolution as { auth: AuthContext }).auth;
    const view = await auth.viewOrganizations(session);
    assertEquals(view.organizations?.map((o) => [o.role, o.current]), [
      ["admin", true],
      ["member", false],
    ]);
    assert(view.organizations?.every((o) => o.name), "every organization has its name");
    assertEquals(view.auth?.organizationName, view.organizations?.[0].name);

    const response = await auth.switchOrganization(
      requestWithCookies("/auth/switch-organization", [cookie], {
        method: "POST",
        headers: {
          origin: "http://localhost:4321",
          "content-type": "application/x-www-form-urlencoded",
        },
        body: new URLSearchParams({ organizationId: upstream.otherOrganization }),
      }),
    );
    assertEquals(response.status, 303);
    const switched = await auth.resolveSession(
      dashboard(getSetCookie(response, "wos-session")!.pair),
    );
    const after = (switched as { auth: AuthContext }).auth;
    assertEquals([after.organizationId, after.role], [upstream.otherOrganization, "member"]);
    assertEquals(after.permissions, ["posts:read"]);
  });
}
