/**
 * Which Deno runs the server, and whether it has what the server needs. The platform chooses
 * the Deno version, not this repository (Deno Deploy's runtime reference said 2.5.0 in 2026), so
 * a missing feature must stop the process at start with the version named, not fail later at
 * the first request that happens to use it.
 *
 * @module
 */

/** The oldest Deno the built server is tested on: `.ci/run` runs the smoke checks under it. */
export const OLDEST_TESTED_DENO = "2.5.0";

/** A global the server calls, found by its dotted path from `globalThis`, and why it matters. */
export interface RuntimeFeature {
  path: string;
  kind: "function" | "object";
  usedFor: string;
}

/**
 * What the built server uses beyond plain JavaScript. `Deno.openKv` is absent on purpose: without
 * it the shared state falls back to memory and says so (`shared-state/`), which is not fatal.
 */
export const REQUIRED_FEATURES: readonly RuntimeFeature[] = [
  { path: "Deno.serve", kind: "function", usedFor: "the adapter's HTTP server" },
  { path: "Deno.addSignalListener", kind: "function", usedFor: "draining on SIGINT/SIGTERM" },
  { path: "Deno.unrefTimer", kind: "function", usedFor: "the revocation poll" },
  // kv.ts tells a missing permission from other failures with `instanceof` (Deno 2.0+); on an
  // older runtime that `instanceof undefined` would throw on the first KV error instead.
  { path: "Deno.errors.NotCapable", kind: "function", usedFor: "KV permission errors" },
  { path: "Array.fromAsync", kind: "function", usedFor: "reading the revocation feed" },
  { path: "AbortSignal.timeout", kind: "function", usedFor: "WorkOS call timeouts" },
  { path: "crypto.subtle", kind: "object", usedFor: "session seals and token checks" },
  { path: "crypto.randomUUID", kind: "function", usedFor: "request ids" },
];

/** The paths of `features` that `scope` lacks (or holds with the wrong type). */
export function findMissingFeatures(
  scope: object,
  features: readonly RuntimeFeature[] = REQUIRED_FEATURES,
): string[] {
  return features.filter((feature) => !hasKind(lookUp(scope, feature.path), feature.kind))
    .map((feature) => feature.path);
}

function hasKind(value: unknown, kind: RuntimeFeature["kind"]): boolean {
  if (kind === "function") return typeof value === "function";
  return typeof value === "object" && value !== null;
}

/**
 * The one start-up error for a runtime that lacks a feature, naming the running version, or
 * `undefined` when nothing is missing.
 */
export function describeRuntimeProblem(scope: object, version: string): string | undefined {
  const missing = findMissingFeatures(scope);
  if (missing.length === 0) return undefined;
  const names = missing.map((path) => `"${path}"`).join(", ");
  return `Deno ${version} lacks ${names}, which this server needs. ` +
    `It is tested on Deno ${OLDEST_TESTED_DENO} and newer (see docs/deploy.md).`;
}

/** The start-up line that says which Deno runs, so an operator sees the platform's version. */
export function describeRuntime(version: typeof Deno.version): string {
  return `Runtime: Deno ${version.deno} (V8 ${version.v8}).`;
}

function lookUp(scope: object, path: string): unknown {
  let value: unknown = scope;
  for (const key of path.split(".")) {
    if (value === null || value === undefined) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}
