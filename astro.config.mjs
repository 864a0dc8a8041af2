import { defineConfig } from "astro/config";
import deno from "@deno/astro-adapter";
import authkit from "@authkit-deno/astro";

export default defineConfig({
  output: "server",
  // The defaults; at run time PORT and HOST override them, and DENO_SERVE_ADDRESS=tcp:HOST:PORT
  // (read by Deno.serve itself) overrides everything (the integration's server extension).
  adapter: deno({ port: 8085, hostname: "0.0.0.0" }),
  // The sign-in hooks: an invitation check and an audit line (src/auth-hooks.ts).
  integrations: [authkit({ hooks: "./src/auth-hooks.ts" })],
});
