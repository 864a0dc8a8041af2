import { fileURLToPath } from "node:url";
import { defineConfig } from "astro/config";
import deno from "@deno/astro-adapter";

const STARTUP_MODULE = fileURLToPath(new URL("./src/startup.ts", import.meta.url));

/**
 * The adapter's server loads middleware lazily, on the first request. Importing `src/startup.ts`
 * from the server entry validates the configuration when the process starts instead.
 */
function validateConfigAtStart() {
  return {
    name: "validate-config-at-start",
    apply: "build",
    transform(code, id) {
      if (!id.includes("@deno/astro-adapter/src/server.ts")) return null;
      return { code: `import ${JSON.stringify(STARTUP_MODULE)};\n${code}`, map: null };
    },
  };
}

export default defineConfig({
  output: "server",
  // Host and port are fixed at build time by the adapter; override at run time with
  // DENO_SERVE_ADDRESS=tcp:HOST:PORT (read by Deno.serve itself).
  adapter: deno({ port: 8085, hostname: "0.0.0.0" }),
  vite: { plugins: [validateConfigAtStart()] },
});
