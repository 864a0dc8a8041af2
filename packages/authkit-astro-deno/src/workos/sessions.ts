/**
 * A user's sessions at WorkOS: `GET /user_management/users/{id}/sessions` over plain `fetch`
 * (v6 has no `listSessions`; it arrived in v7.62), in the wire shape of WORKOS-CONTRACT.md.
 *
 * @module
 */
import type { AuthConfig } from "../core/config.ts";
import { AuthError } from "../core/errors.ts";
import { UPSTREAM_TIMEOUT_MS } from "./client.ts";
import { getJson } from "./rest.ts";

/** One of the user's active sessions, as the sessions page shows it. */
export interface UserSession {
  id: string;
  /** When it began (the sign-in), ISO 8601. */
  createdAt: string;
  expiresAt: string | null;
  /** How the user signed in (`password`, `sso`, `oauth`, `impersonation`, …). */
  authMethod: string | null;
  ipAddress: string | null;
  userAgent: string | null;
  organizationId: string | null;
}

/** The largest page WorkOS lists; a user with more active sessions sees the newest 100. */
export const SESSIONS_PAGE_SIZE = 100;

interface WireSession {
  object?: unknown;
  id?: unknown;
  user_id?: unknown;
  status?: unknown;
  created_at?: unknown;
  expires_at?: unknown;
  auth_method?: unknown;
  ip_address?: unknown;
  user_agent?: unknown;
  organization_id?: unknown;
}

/**
 * The user's active sessions, newest first. Entries of another user, or not active, are dropped
 * whatever the server sent. Rejects with an `AuthError`.
 */
export async function listUserSessions(
  config: AuthConfig,
  userId: string,
  timeoutMs = UPSTREAM_TIMEOUT_MS,
): Promise<UserSession[]> {
  const query = new URLSearchParams({ limit: String(SESSIONS_PAGE_SIZE), order: "desc" });
  const path = `/user_management/users/${encodeURIComponent(userId)}/sessions?${query}`;
  const data = (await getJson(config, path, timeoutMs) as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) throw new AuthError("upstream_invalid_response");
  return (data as WireSession[])
    .filter((s) =>
      s?.user_id === userId && s.status === "active" && isNonEmpty(s.id) && isNonEmpty(s.created_at)
    )
    .map((s) => ({
      id: s.id as string,
      createdAt: s.created_at as string,
      expiresAt: stringOrNull(s.expires_at),
      authMethod: stringOrNull(s.auth_method),
      ipAddress: stringOrNull(s.ip_address),
      userAgent: stringOrNull(s.user_agent),
      organizationId: stringOrNull(s.organization_id),
    }))
    .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
}

function isNonEmpty(value: unknown): value is string {
  return typeof value === "string" && value !== "";
}

function stringOrNull(value: unknown): string | null {
  return isNonEmpty(value) ? value : null;
}
