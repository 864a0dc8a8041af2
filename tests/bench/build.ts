/**
 * Builds this project for the benchmark, into a private directory, in one of two variants:
 *
 * - `app`: what `deno task build` produces (same `astro.config.mjs`, same sources), plus the
 *   bench's component pages at `/__bench/<fixture>` (`fixtures/integration.ts`), a route of their
 *   own that no other page's routing or rendering depends on.
 * - `no-auth`: the same build with the auth layer cut out at build time, for the cold-start
 *   comparison (with the same component pages). A Vite plugin, added here and nowhere in the product, resolves the
 *   integration's middleware entry (`packages/authkit-astro-deno/src/astro/middleware.ts`) to
 *   `no_auth_middleware.ts` and its `server/startup.ts` (the config check the integration adds
 *   to the server entry) to an empty module. Nothing in `src/` or the
 *   product config learns about it, so production cannot be switched into this mode.
 *
 * Private output directories keep the benchmark from racing with a `deno task build` that
 * someone runs meanwhile, and from ever measuring a stale `dist/`. The built entry is then run
 * with `--config <project>/deno.json`, because Deno finds the import map (which maps the
 * adapter's `jsr:` imports to local shims) next to the entry point, and this one is elsewhere.
 *
 * Usage: `deno run -A tests/bench/build.ts <outDir> app|no-auth`
 *
 * @module
 */
import { build } from "astro";
import { fileURLToPath as fromFileUrl } from "node:url";

import { PROJECT_ROOT } from "../support/built_server.ts";
import { benchPages } from "./fixtures/integration.ts";

export { PROJECT_ROOT };
/** The build variants the benchmark compares. */
export type Variant = "app" | "no-auth";

// The app resolves the package through `node_modules`, to the JavaScript `build:package` writes
// into `dist/`; the source paths stay for a run against the TypeScript (`package-files.ts`).
const PACKAGE = `${PROJECT_ROOT}packages/authkit-astro-deno/`;
const MIDDLEWARE = [`${PACKAGE}src/astro/middleware.ts`, `${PACKAGE}dist/astro/middleware.js`];
const STARTUP = [`${PACKAGE}src/server/startup.ts`, `${PACKAGE}dist/server/startup.js`];
const NO_AUTH_MIDDLEWARE = fromFileUrl(new URL("./no_auth_middleware.ts", import.meta.url));
const EMPTY_MODULE = "\0bench-empty-startup";

/**
 * Builds `variant` into `outDir` in a child process (Astro's build API keeps global state), after
 * the package's JavaScript (`deno task build:package`, skipped when `src/` is unchanged).
 */
export async function buildVariant(outDir: string, variant: Variant): Promise<void> {
  const pkg = await new Deno.Command(Deno.execPath(), {
    args: ["task", "build:package"],
    cwd: PROJECT_ROOT,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (pkg.code !== 0) {
    throw new Error(`build:package failed:\n${new TextDecoder().decode(pkg.stderr)}`);
  }
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", fromFileUrl(import.meta.url), outDir, variant],
    cwd: PROJECT_ROOT,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (code !== 0) {
    throw new Error(`Build of "${variant}" failed:\n${new TextDecoder().decode(stderr)}`);
  }
}

/** Replaces the auth middleware and the start-up config check, for the `no-auth` variant. */
function cutOutAuth() {
  return {
    name: "bench-cut-out-auth",
    enforce: "pre" as const,
    resolveId(source: string) {
      if (MIDDLEWARE.includes(source)) return NO_AUTH_MIDDLEWARE;
      if (STARTUP.includes(source)) return EMPTY_MODULE;
      return null;
    },
    load(id: string) {
      return id === EMPTY_MODULE ? "export {};" : null;
    },
  };
}

if (import.meta.main) {
  const [outDir, variant] = Deno.args;
  if (!outDir || (variant !== "app" && variant !== "no-auth")) {
    console.error("Usage: build.ts <outDir> app|no-auth");
    Deno.exit(2);
  }
  await build({
    root: PROJECT_ROOT,
    outDir,
    logLevel: "error",
    // Inline integrations are added to the config file's, not put in their place.
    integrations: [benchPages()],
    vite: variant === "no-auth" ? { plugins: [cutOutAuth()] } : {},
  });
}
