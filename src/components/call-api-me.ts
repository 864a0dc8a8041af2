/// <reference lib="dom" />
/**
 * Browser code of the dashboard's two API demos: calls `/api/me` with a bearer credential (an
 * access token or an organization API key) and no cookie, as a script outside the site would,
 * and shows the answer in `output`.
 *
 * @module
 */

/**
 * Fetches `/api/me` with `credential` as `Authorization: Bearer` and writes what came back; with
 * no credential, writes `missing` instead.
 */
export async function showApiMe(
  output: HTMLElement,
  credential: () => Promise<string | null>,
  missing: string,
): Promise<void> {
  output.hidden = false;
  output.textContent = "Loading…";
  try {
    const bearer = await credential();
    if (!bearer) {
      output.textContent = missing;
      return;
    }
    const response = await fetch("/api/me", {
      headers: { authorization: `Bearer ${bearer}`, accept: "application/json" },
      credentials: "omit", // the credential alone, never the session cookie
    });
    const body = await response.json();
    output.textContent = `HTTP ${response.status}\n${JSON.stringify(body, null, 2)}`;
  } catch (error) {
    output.textContent = `Failed: ${error instanceof Error ? error.message : error}`;
  }
}
