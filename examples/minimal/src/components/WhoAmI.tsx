// A Preact island that reads $auth. `client:only` renders it first in the browser, where $auth
// already holds <AuthState />'s value (or, on a prerendered page, resolves once asked).
import { useStore } from "@nanostores/preact";
import { $auth } from "@authkit-deno/astro/client";

export default function WhoAmI() {
  const auth = useStore($auth);
  if (auth === undefined) return <p id="island-user" aria-busy="true">Checking who you are…</p>;
  if (auth === null) return <p id="island-user">Island: signed out.</p>;
  const admin = auth.has({ role: "admin" }) ? " (admin)" : "";
  return <p id="island-user">Island: {auth.user.email}{admin} in {auth.organizationName}.</p>;
}
