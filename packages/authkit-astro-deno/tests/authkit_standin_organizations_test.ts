/**
 * Contract tests of the stand-in's organization endpoints with the real `@workos-inc/node` v6
 * client: memberships, organizations, and the refresh grant with `organization_id`.
 */
import {
  GenericServerException,
  NotFoundException,
  UnauthorizedException,
  type WorkOS,
} from "@workos-inc/node";
import { decodeJwt } from "jose";
import { assertEquals, assertRejects } from "@std/assert";
import {
  ADA,
  API_KEY,
  CLIENT_ID,
  clientFor,
  GRACE,
  oauthError,
  ORG,
  signIn,
  withStandIn,
} from "./support/standin.ts";

const DIFFERENCE = "org_01DIFFERENCE00000000000000";

function refreshInto(workos: WorkOS, refreshToken: string, organizationId: string) {
  return workos.post<Record<string, unknown>>("/user_management/authenticate", {
    grant_type: "refresh_token",
    client_id: CLIENT_ID,
    client_secret: API_KEY,
    refresh_token: refreshToken,
    organization_id: organizationId,
  });
}

Deno.test("stand-in: listOrganizationMemberships() gives Ada's two memberships in the v6 shape", async () => {
  await withStandIn(async ({ standIn, workos }) => {
    const list = await workos.userManagement.listOrganizationMemberships({ userId: ADA });
    assertEquals(list.listMetadata, { before: null, after: null });
    assertEquals(
      list.data.map(({ object, userId, organizationId, role, status }) => ({
        object,
        userId,
        organizationId,
        role,
        status,
      })),
      [
        {
          object: "organization_membership",
          userId: ADA,
          organizationId: ORG,
          role: { slug: "admin" },
          status: "active",
        },
        {
          object: "organization_membership",
          userId: ADA,
          organizationId: DIFFERENCE,
          role: { slug: "member" },
          status: "active",
        },
      ],
    );
    for (const membership of list.data) {
      assertEquals(/^om_01[0-9A-Z]{24}$/.test(membership.id), true, membership.id);
      assertEquals(typeof membership.createdAt, "string");
      assertEquals(typeof membership.updatedAt, "string");
    }
    const grace = await workos.userManagement.listOrganizationMemberships({ userId: GRACE });
    assertEquals(grace.data.map((m) => [m.organizationId, m.role.slug]), [[ORG, "member"]]);
    assertEquals(standIn.counts().memberships, 2);
  });
});

Deno.test("stand-in: the memberships list honours statuses and carries organization_name on the wire", async () => {
  await withStandIn(async ({ standIn }) => {
    const url = new URL("/user_management/organization_memberships", standIn.url);
    const headers = { authorization: `Bearer ${API_KEY}` };
    url.search = `user_id=${ADA}&statuses=active`;
    const active = await (await fetch(url, { headers })).json();
    assertEquals(active.object, "list");
    assertEquals(
      active.data.map((m: Record<string, unknown>) => m.organization_name),
      ["Analytical Engines Ltd", "Difference Engine Society"],
    );
    url.search = `user_id=${ADA}&statuses=pending,inactive`;
    assertEquals((await (await fetch(url, { headers })).json()).data, []);
    url.search = `user_id=${ADA}&statuses=bogus`;
    const bogus = await fetch(url, { headers });
    await bogus.body?.cancel();
    assertEquals(bogus.status, 422);
  });
});

Deno.test("stand-in: getOrganization() gives the name; an unknown id throws NotFoundException", async () => {
  await withStandIn(async ({ standIn, workos }) => {
    const organization = await workos.organizations.getOrganization(DIFFERENCE);
    assertEquals([organization.id, organization.name], [DIFFERENCE, "Difference Engine Society"]);
    await assertRejects(
      () => workos.organizations.getOrganization("org_01NOPE"),
      NotFoundException,
    );
    assertEquals(standIn.counts().organizations, 2);
  });
});

Deno.test("stand-in: the organization endpoints need the API key", async () => {
  await withStandIn(async ({ standIn }) => {
    const stranger = clientFor(standIn, "sk_test_wrong");
    await assertRejects(
      () => stranger.userManagement.listOrganizationMemberships({ userId: ADA }),
      UnauthorizedException,
    );
    await assertRejects(() => stranger.organizations.getOrganization(ORG), UnauthorizedException);
    const anonymous = await fetch(new URL(`/organizations/${ORG}`, standIn.url));
    await anonymous.body?.cancel();
    assertEquals(anonymous.status, 401);
  });
});

Deno.test("stand-in: a refresh with organization_id re-scopes the token to that membership", async () => {
  await withStandIn(async (fixture) => {
    const { workos, standIn } = fixture;
    const code = await signIn(fixture);
    const session = await workos.userManagement.authenticateWithCode({ clientId: CLIENT_ID, code });
    assertEquals(decodeJwt(session.accessToken).org_id, ORG);

    const { data } = await refreshInto(workos, session.refreshToken, DIFFERENCE);
    const claims = decodeJwt(String(data.access_token));
    assertEquals([claims.org_id, claims.role], [DIFFERENCE, "member"]);
    assertEquals(claims.permissions, ["posts:read"]);
    assertEquals(claims.sid, decodeJwt(session.accessToken).sid, "the same session");
    assertEquals(data.organization_id, DIFFERENCE);

    // A plain refresh afterwards stays in the organization switched to.
    const plain = await workos.userManagement.authenticateWithRefreshToken({
      clientId: CLIENT_ID,
      refreshToken: String(data.refresh_token),
    });
    assertEquals(decodeJwt(plain.accessToken).org_id, DIFFERENCE);
    assertEquals(standIn.counts().authenticate, 3);
  });
});

Deno.test("stand-in: a refresh into an organization the user is not in is a 403 that spends nothing", async () => {
  await withStandIn(async (fixture) => {
    const { workos } = fixture;
    const code = await signIn(fixture, { user_id: GRACE });
    const session = await workos.userManagement.authenticateWithCode({ clientId: CLIENT_ID, code });
    const refused = await assertRejects(
      () => refreshInto(workos, session.refreshToken, DIFFERENCE),
      GenericServerException,
    ) as GenericServerException;
    assertEquals(refused.status, 403);
    assertEquals((refused.rawData as { code?: string }).code, "organization_membership_required");
    // The refresh token still works: the refusal did not spend it.
    const { data } = await refreshInto(workos, session.refreshToken, ORG);
    assertEquals(decodeJwt(String(data.access_token)).org_id, ORG);
    // And once spent, it is dead, organization or not.
    const spent = await oauthError(() => refreshInto(workos, session.refreshToken, ORG));
    assertEquals(spent.error, "invalid_grant");
  });
});

Deno.test("stand-in: authorize with organization_id offers only its members and signs in into it", async () => {
  await withStandIn(async (fixture) => {
    const { workos } = fixture;
    const code = await signIn(fixture, { user_id: ADA }, { organization_id: DIFFERENCE });
    const session = await workos.userManagement.authenticateWithCode({ clientId: CLIENT_ID, code });
    assertEquals(session.organizationId, DIFFERENCE);
    assertEquals(decodeJwt(session.accessToken).role, "member");
  });
});

Deno.test("stand-in: authorize refuses an unknown organization_id, and a non-member inside a known one", async () => {
  await withStandIn(async ({ standIn, workos }) => {
    const base = new URL(workos.userManagement.getAuthorizationUrl({
      provider: "authkit",
      clientId: CLIENT_ID,
      redirectUri: "http://localhost:4321/auth/callback",
      state: "s",
      organizationId: "org_01NOPE",
    }));
    const unknown = await fetch(base);
    await unknown.body?.cancel();
    assertEquals(unknown.status, 400);

    base.searchParams.set("organization_id", DIFFERENCE);
    const form = new URLSearchParams(base.searchParams);
    form.set("user_id", GRACE);
    const complete = await fetch(new URL("/user_management/authorize/complete", standIn.url), {
      method: "POST",
      body: form,
      redirect: "manual",
    });
    assertEquals(complete.status, 400);
    assertEquals((await complete.text()).includes("not a member"), true);
  });
});
