/**
 * The stand-in's organization admin page (`/admin/organizations`), standing in for the WorkOS
 * dashboard and the API Keys widget an organization's admins use: each organization's members,
 * with a role to change and a "Remove" button, and its API keys, with "Delete" and a form that
 * creates one (its value shown once). Every action sends the webhook WorkOS would.
 *
 * @module
 */
import { createApiKey, deleteApiKey, type StoredApiKey } from "./api-keys.ts";
import { changeRole, removeMember } from "./members.ts";
import { escapeHtml, renderDocument } from "./page.ts";
import type { SeedOrganization } from "./seed.ts";
import type { StandInState } from "./state.ts";

/** The page, and where its forms post. */
export const ADMIN_ORGANIZATIONS_PATH = "/admin/organizations";
export const ADMIN_ORGANIZATIONS_ACTION_PATH = "/admin/organizations/action";

/** `GET /admin/organizations`. */
export function handleOrganizationsPage(standIn: StandInState): Response {
  return renderOrganizationsPage(standIn);
}

/**
 * `POST /admin/organizations/action`: `action` is `change_role`, `remove_member`, `create_key` or
 * `delete_key`. A new key's page shows its value once; the others go back to the page (303).
 */
export async function handleOrganizationsAction(
  standIn: StandInState,
  request: Request,
): Promise<Response> {
  const form = await request.formData().catch(() => undefined);
  const field = (name: string) => {
    const value = form?.get(name);
    return typeof value === "string" ? value : "";
  };
  const organizationId = field("organization_id");
  switch (field("action")) {
    case "change_role":
      await changeRole(standIn, field("user_id"), organizationId, field("role"));
      break;
    case "remove_member":
      await removeMember(standIn, field("user_id"), organizationId);
      break;
    case "delete_key":
      deleteApiKey(standIn, field("api_key_id"));
      break;
    case "create_key": {
      if (!standIn.seed.organizations.some((o) => o.id === organizationId)) break;
      const permissions = form?.getAll("permissions").filter((p) => typeof p === "string") ?? [];
      const name = field("name").trim() || "Unnamed key";
      const { key, value } = await createApiKey(standIn, organizationId, name, permissions);
      return renderOrganizationsPage(standIn, { key, value });
    }
  }
  return new Response(null, { status: 303, headers: { location: ADMIN_ORGANIZATIONS_PATH } });
}

function renderOrganizationsPage(
  standIn: StandInState,
  created?: { key: StoredApiKey; value: string },
): Response {
  const notice = created
    ? `<p class="badge" id="new-key-notice">New key “${escapeHtml(created.key.name)}”: copy it ` +
      `now, it is not shown again.</p><input id="new-key-value" readonly aria-label="New API key" ` +
      `value="${escapeHtml(created.value)}">`
    : "";
  const sections = standIn.seed.organizations.map((org) => organizationSection(standIn, org));
  const body = `
<p class="badge">Local AuthKit stand-in · admin · <a href="/admin/sessions">Sessions</a></p>
<h1>Organizations</h1>${notice}
${sections.join("\n")}`;
  return renderDocument("Organizations", body);
}

function organizationSection(standIn: StandInState, org: SeedOrganization): string {
  const hidden = (name: string, value: string) =>
    `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;
  const form = (fields: string, button: string) =>
    `<form method="post" action="${ADMIN_ORGANIZATIONS_ACTION_PATH}">` +
    `${hidden("organization_id", org.id)}${fields}${button}</form>`;
  const roles = standIn.seed.roles.map((r) => r.slug);
  const members = standIn.seed.memberships.filter((m) => m.organizationId === org.id).map((m) => {
    const user = standIn.users.get(m.userId);
    const name = user ? `${user.firstName} ${user.lastName}` : m.userId;
    const id = `${m.userId}-${org.id}`;
    const options = roles.map((slug) =>
      `<option${slug === m.role ? " selected" : ""}>${escapeHtml(slug)}</option>`
    ).join("");
    return `<li><p>${escapeHtml(name)} <small>(${escapeHtml(m.role)})</small></p>` +
      form(
        `${hidden("action", "change_role")}${hidden("user_id", m.userId)}` +
          `<label for="role-${escapeHtml(id)}">Role of ${escapeHtml(name)}</label>` +
          `<select id="role-${escapeHtml(id)}" name="role">${options}</select>`,
        `<button type="submit" id="change-role-${escapeHtml(id)}">Change role</button>`,
      ) +
      form(
        `${hidden("action", "remove_member")}${hidden("user_id", m.userId)}`,
        `<button type="submit" id="remove-${escapeHtml(id)}">Remove ${escapeHtml(name)}</button>`,
      ) + "</li>";
  });
  const keys = [...standIn.apiKeys.values()].filter((k) => k.organizationId === org.id).map((k) =>
    `<li>` + form(
      `${hidden("action", "delete_key")}${hidden("api_key_id", k.id)}`,
      `<button type="submit" id="delete-${escapeHtml(k.id)}">Delete ${escapeHtml(k.name)} ` +
        `<small>${escapeHtml(k.obfuscatedValue)} · ${escapeHtml(k.permissions.join(", "))}` +
        `</small></button>`,
    ) + `</li>`
  );
  const permissions = [...new Set(standIn.seed.roles.flatMap((r) => r.permissions))].slice(0, 12)
    .map((p) =>
      `<label><input type="checkbox" name="permissions" value="${escapeHtml(p)}"> ` +
      `${escapeHtml(p)}</label>`
    ).join("");
  const create = form(
    `${hidden("action", "create_key")}<label for="key-name-${org.id}">Key name</label>` +
      `<input id="key-name-${org.id}" name="name" required>${permissions}`,
    `<button type="submit" id="create-key-${org.id}" class="primary">Create API key</button>`,
  );
  return `<section aria-labelledby="${org.id}"><h2 id="${org.id}">${escapeHtml(org.name)}</h2>
<h3>Members</h3><ul role="list">${members.join("\n")}</ul>
<h3>API keys</h3><ul role="list">${keys.join("\n") || "<li>None yet.</li>"}</ul>
${create}</section>`;
}
