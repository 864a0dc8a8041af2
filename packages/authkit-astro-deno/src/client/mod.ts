/**
 * The browser entry, `@authkit-deno/astro/client`: `$auth` (who is signed in, for islands and
 * scripts) and `getAccessToken()` (a token for API calls). Bundled by Astro into the pages that
 * import it; its only dependency is nanostores.
 *
 * @module
 */
export {
  $auth,
  type AccessCheck,
  AUTH_STATE_ELEMENT_ID,
  type AuthValue,
  type PublicAuth,
  type PublicAuthData,
} from "./auth.ts";
export {
  type AccessTokenClient,
  type AccessTokenClientOptions,
  clearAccessToken,
  createAccessTokenClient,
  getAccessToken,
} from "./access-token.ts";
