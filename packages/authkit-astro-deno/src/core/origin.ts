/**
 * Same-origin checks for routes a page on another site must not drive or read.
 *
 * @module
 */

/**
 * Whether `request` was sent by a page of `appOrigin` itself. Browsers send `Sec-Fetch-Site` on
 * every request (Fetch Metadata) and `Origin` on every POST and cross-origin fetch; either one
 * saying anything else refuses, and a request with neither (not a current browser) is refused
 * too. `same-site` is refused: a sibling subdomain is another application.
 */
export function isSameOriginRequest(request: Request, appOrigin: string): boolean {
  const site = request.headers.get("sec-fetch-site");
  const origin = request.headers.get("origin");
  if (site !== null && site !== "same-origin") return false;
  if (origin !== null && origin !== appOrigin) return false;
  return site === "same-origin" || origin === appOrigin;
}
