/**
 * WorkOS reads over plain `fetch` with the API key, for what a page view may need (memberships,
 * organizations, a user's sessions): loading `@workos-inc/node` takes ~65 ms, which a fresh
 * instance's first signed-in page would otherwise pay. Everything that changes a session still
 * goes through the SDK.
 *
 * @module
 */
import type { AuthConfig } from "../core/config.ts";
import { AuthError } from "../core/errors.ts";

/**
 * `GET {api}{path}` with the API key, bounded in time. A non-2xx answer, a network failure or a
 * body that is not JSON becomes an `AuthError` whose cause carries only the status.
 */
export async function getJson(
  config: AuthConfig,
  path: string,
  timeoutMs: number,
): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(new URL(path, config.apiBaseUrl), {
      headers: { authorization: `Bearer ${config.apiKey}`, accept: "application/json" },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const code = (error as { name?: unknown })?.name === "TimeoutError"
      ? "upstream_timeout"
      : "upstream_unavailable";
    throw new AuthError(code, { cause: error });
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new AuthError("upstream_unavailable", { cause: { status: response.status } });
  }
  try {
    return await response.json();
  } catch (error) {
    throw new AuthError("upstream_invalid_response", { cause: error });
  }
}
