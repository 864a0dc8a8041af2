/**
 * Organization API keys, as WorkOS serves them (WORKOS-CONTRACT.md, "API keys"): create (the
 * value is returned once, then only its obfuscated form), list, delete (which sends
 * `api_key.revoked`), and `POST /api_keys/validations`, which an app calls with a key a client
 * presented. Every call needs the app's API key as a bearer token.
 *
 * @module
 */
import { base64url } from "jose";
import { jsonResponse } from "./http.ts";
import type { StandInState, StoredApiKey } from "./state.ts";

export type { StoredApiKey };
import { randomId } from "./tokens.ts";

/** `/organizations/{id}/api_keys`. */
export const ORGANIZATION_API_KEYS_PATH = /^\/organizations\/([^/]+)\/api_keys$/;
/** `/api_keys/{id}`. */
export const API_KEY_PATH = /^\/api_keys\/(api_key_[A-Za-z0-9]+)$/;

/** Creates a key for `organizationId`; returns it with its value, which is never shown again. */
export async function createApiKey(
  standIn: StandInState,
  organizationId: string,
  name: string,
  permissions: string[],
): Promise<{ key: StoredApiKey; value: string }> {
  const value = `sk_${base64url.encode(crypto.getRandomValues(new Uint8Array(30)))}`;
  const at = new Date(standIn.now()).toISOString();
  const key: StoredApiKey = {
    id: randomId("api_key"),
    name,
    organizationId,
    permissions,
    valueHash: await sha256(value),
    obfuscatedValue: `sk_…${value.slice(-4)}`,
    createdAt: at,
    lastUsedAt: null,
  };
  standIn.apiKeys.set(key.id, key);
  standIn.webhooks?.send("api_key.created", apiKeyResponse(key));
  return { key, value };
}

/** Deletes a key; a configured webhook endpoint hears `api_key.revoked`. False if unknown. */
export function deleteApiKey(standIn: StandInState, id: string): boolean {
  const key = standIn.apiKeys.get(id);
  if (!key) return false;
  standIn.apiKeys.delete(id);
  standIn.webhooks?.send("api_key.revoked", apiKeyResponse(key));
  return true;
}

/** `POST|GET /organizations/{id}/api_keys`. */
export async function handleOrganizationApiKeys(
  standIn: StandInState,
  request: Request,
): Promise<Response> {
  if (!isAuthorized(standIn, request)) return jsonResponse(401, { message: "Unauthorized" });
  const [, organizationId] = new URL(request.url).pathname.match(ORGANIZATION_API_KEYS_PATH)!;
  if (!standIn.seed.organizations.some((o) => o.id === organizationId)) {
    return jsonResponse(404, { code: "entity_not_found", message: "Organization not found." });
  }
  if (request.method === "GET") {
    const data = [...standIn.apiKeys.values()]
      .filter((key) => key.organizationId === organizationId).map(apiKeyResponse);
    return jsonResponse(200, {
      object: "list",
      data,
      list_metadata: { before: null, after: null },
    });
  }
  const body = await request.json().catch(() => undefined);
  const permissions = body?.permissions ?? [];
  if (
    typeof body?.name !== "string" || body.name.trim() === "" ||
    !Array.isArray(permissions) || !permissions.every((p: unknown) => typeof p === "string")
  ) {
    return jsonResponse(422, { code: "invalid_request_parameters", message: "Invalid key." });
  }
  const { key, value } = await createApiKey(standIn, organizationId, body.name, permissions);
  return jsonResponse(201, { ...apiKeyResponse(key), value });
}

/** `DELETE /api_keys/{id}`. */
export function handleDeleteApiKey(standIn: StandInState, request: Request): Response {
  if (!isAuthorized(standIn, request)) return jsonResponse(401, { message: "Unauthorized" });
  const [, id] = new URL(request.url).pathname.match(API_KEY_PATH)!;
  if (!deleteApiKey(standIn, id)) {
    return jsonResponse(404, { code: "entity_not_found", message: "API key not found." });
  }
  return new Response(null, { status: 204 });
}

/** `POST /api_keys/validations` `{"value"}` → `{"api_key": {…} | null}`. */
export async function handleValidateApiKey(
  standIn: StandInState,
  request: Request,
): Promise<Response> {
  if (!isAuthorized(standIn, request)) return jsonResponse(401, { message: "Unauthorized" });
  const body = await request.json().catch(() => undefined);
  if (typeof body?.value !== "string") {
    return jsonResponse(422, {
      code: "invalid_request_parameters",
      message: '"value" is required.',
    });
  }
  const hash = await sha256(body.value);
  const key = [...standIn.apiKeys.values()].find((candidate) => candidate.valueHash === hash);
  if (!key) return jsonResponse(200, { api_key: null });
  key.lastUsedAt = new Date(standIn.now()).toISOString();
  return jsonResponse(200, { api_key: apiKeyResponse(key) });
}

/** The wire object, as WorkOS lists and validates keys (no value). */
export function apiKeyResponse(key: StoredApiKey): Record<string, unknown> {
  return {
    object: "api_key",
    id: key.id,
    owner: { type: "organization", id: key.organizationId },
    name: key.name,
    obfuscated_value: key.obfuscatedValue,
    permissions: key.permissions,
    created_at: key.createdAt,
    updated_at: key.createdAt,
    last_used_at: key.lastUsedAt,
  };
}

function isAuthorized(standIn: StandInState, request: Request): boolean {
  return request.headers.get("authorization") === `Bearer ${standIn.apiKey}`;
}

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
