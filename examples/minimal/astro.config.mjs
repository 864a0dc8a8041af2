import { defineConfig } from "astro/config";
import deno from "@deno/astro-adapter";
import authkit from "@authkit-deno/astro";

export default defineConfig({
  output: "server",
  adapter: deno(),
  integrations: [authkit({ protectedRoutes: ["/account"] })],
});
