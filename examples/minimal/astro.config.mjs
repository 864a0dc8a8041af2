import { defineConfig } from "astro/config";
import deno from "@deno/astro-adapter";
import preact from "@astrojs/preact";
import authkit from "@authkit-deno/astro";

export default defineConfig({
  output: "server",
  adapter: deno(),
  integrations: [
    authkit({ protectedRoutes: ["/account"] }),
    preact(), // only for the island that reads $auth (src/components/WhoAmI.tsx)
  ],
});
