/**
 * A static file cannot be guarded: a prerendered page is written out once, at build time, and
 * served from `dist/client/` to everyone, without the middleware (S65). So the build refuses one
 * under a protected prefix instead of shipping it:
 * - `findProtectedPrerenders` over Astro's routes (`astro:routes:resolved`): a prerendered page
 *   or endpoint whose pattern is under a prefix, named with its file and the prefix;
 * - `findProtectedStaticFiles` over the written client folder (`astro:build:generated`): what
 *   routes alone cannot show, a dynamic prerendered route's generated path (`/[...slug]` making
 *   `/dashboard/x`) or a `public/` file under a prefix.
 *
 * @module
 */
import type { IntegrationResolvedRoute } from "astro";
import { fileURLToPath } from "node:url";
import { type AuthRoutes, isProtectedPath } from "../core/routes.ts";

/** The prefix `path` falls under, or null (same rule as the guard's `isProtectedPath`). */
function protectingPrefix(path: string, routes: AuthRoutes): string | null {
  if (!isProtectedPath(path, routes)) return null;
  const lower = path.toLowerCase();
  return routes.protected.find((prefix) => lower === prefix || lower.startsWith(`${prefix}/`)) ??
    routes.protected[0];
}

/** One line per prerendered route under a protected prefix; empty when there is none. */
export function findProtectedPrerenders(
  resolved: readonly Pick<IntegrationResolvedRoute, "pattern" | "entrypoint" | "isPrerendered">[],
  routes: AuthRoutes,
): string[] {
  const problems: string[] = [];
  for (const route of resolved) {
    if (!route.isPrerendered) continue;
    const prefix = protectingPrefix(route.pattern, routes);
    if (prefix !== null) {
      problems.push(
        `${route.entrypoint} (${route.pattern}) is prerendered under the protected prefix ` +
          `"${prefix}"`,
      );
    }
  }
  return problems;
}

/** One line per file written under `clientDir` whose URL path is under a protected prefix. */
export async function findProtectedStaticFiles(
  clientDir: URL,
  routes: AuthRoutes,
): Promise<string[]> {
  const problems: string[] = [];
  const root = fileURLToPath(clientDir).replace(/\/$/, "");
  for await (const path of filesUnder(root)) {
    const urlPath = path.slice(root.length);
    const prefix = protectingPrefix(urlPath, routes);
    if (prefix !== null) {
      problems.push(`${urlPath} is a static file under the protected prefix "${prefix}"`);
    }
  }
  return problems;
}

/** The error the build stops with, naming every problem. */
export function staticOutputError(problems: string[]): Error {
  return new Error(
    "authkit(): a static file cannot be guarded, and these would be served to everyone:\n" +
      problems.map((problem) => `  - ${problem}`).join("\n") +
      "\nRender them on demand (`export const prerender = false`) or move them out of the " +
      "protected prefix.",
  );
}

async function* filesUnder(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) yield* filesUnder(path);
    else yield path;
  }
}
