/**
 * WorkOS's API key validation over plain `fetch` (`@workos-inc/node` v6 has no `apiKeys`):
 * `POST /api_keys/validations` with `{"value": "<key>"}`, authorized by the app's own WorkOS API
 * key, answers `{"api_key": {…}}` for a live key and `{"api_key": null}` for an unknown or
 * deleted one (WORKOS-CONTRACT.md, "API keys").
 *
 * The key's value goes into the request body only: never a URL, a log line or a cause.
 *
 * @module
 */
import type { AuthConfig } from "../core/config.ts";
import { AuthError } from "../core/errors.ts";

/** Who an API key belongs to: an organization, or a user within an organization. */
export interface ApiKeyOwner {
  type: "organization" | "user";
  id: string;
  /** A user-owned key's organization. */
  organizationId?: string;
}

/** A live API key, as WorkOS describes it (never its value). */
export interface ApiKey {
  id: string;
  name: string;
  owner: ApiKeyOwner;
  /** What WorkOS shows of the value, e.g. `sk_…3456`: safe to log and display. */
  obfuscatedValue: string;
  permissions: string[];
}

/**
 * Asks WorkOS whether `value` is a live key. Resolves to the key, or null when WorkOS says it is
 * not one; rejects with an `AuthError` when WorkOS could not say (network, timeout, non-2xx,
 * a body of another shape).
 */
export async function validateApiKey(
  config: AuthConfig,
  value: string,
  timeoutMs: number,
): Promise<ApiKey | null> {
  let response: Response;
  try {
    response = await fetch(new URL("/api_keys/validations", config.apiBaseUrl), {
      method: "POST",
      headers: {
        authorization: `Bearer ${config.apiKey}`,
        "content-type": "application/json",
        accept: "application/json",
      },
      body: JSON.stringify({ value }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const timedOut = (error as { name?: unknown })?.name === "TimeoutError";
    // The cause keeps only the error's class: a fetch error's message may quote the request.
    const cause = { name: (error as { name?: unknown })?.name ?? "Error" };
    throw new AuthError(timedOut ? "upstream_timeout" : "upstream_unavailable", { cause });
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new AuthError("upstream_unavailable", { cause: { status: response.status } });
  }
  const body = await response.json().catch(() => undefined);
  if (body === undefined || body === null || !("api_key" in body)) {
    throw new AuthError("upstream_invalid_response");
  }
  if (body.api_key === null) return null;
  const key = readApiKey(body.api_key);
  if (!key) throw new AuthError("upstream_invalid_response");
  return key;
}

/** The wire object, checked field by field; null when it is not an API key's shape. */
export function readApiKey(wire: unknown): ApiKey | null {
  const k = wire as Record<string, unknown> | null;
  if (typeof k?.id !== "string" || !/^api_key_[A-Za-z0-9]{1,64}$/.test(k.id)) return null;
  const owner = k.owner as Record<string, unknown> | null;
  if (owner?.type !== "organization" && owner?.type !== "user") return null;
  if (typeof owner.id !== "string") return null;
  const organizationId = typeof owner.organization_id === "string"
    ? owner.organization_id
    : undefined;
  const permissions = Array.isArray(k.permissions)
    ? k.permissions.filter((p): p is string => typeof p === "string")
    : [];
  return {
    id: k.id,
    name: typeof k.name === "string" ? k.name : "",
    owner: { type: owner.type, id: owner.id, ...(organizationId && { organizationId }) },
    obfuscatedValue: typeof k.obfuscated_value === "string" ? k.obfuscated_value : "",
    permissions,
  };
}

/** The organization a key acts for: its owner, or a user-owned key's organization. */
export function keyOrganization(key: ApiKey): string | null {
  if (key.owner.type === "organization") return key.owner.id;
  return key.owner.organizationId ?? null;
}
