/**
 * Opening the shared state at start: Deno KV at `DENO_KV_PATH` (a file, or a self-hosted `denokv`
 * URL), Deno Deploy's attached database, or, when none can be opened, the in-process store with
 * one clear log line, and `degraded` set when shared state was configured (`/healthz` says so,
 * in words that name no host or path).
 *
 * @module
 */
import { logSink } from "../core/log.ts";
import { createKvSharedState } from "./kv.ts";
import { createMemorySharedState, type SharedState, type SharedStateMode } from "./store.ts";

/**
 * Opens KV at `path` (a local file; unset: the default database, on Deno Deploy the one attached
 * to the app), falling back to the in-process store with one clear log line when KV is not
 * enabled or cannot be opened. Returns at once; `ready` settles when the choice is made.
 */
export function openSharedState(
  path: string | undefined,
  options: { required?: boolean } = {},
): SharedState {
  let store: SharedState | undefined;
  let degraded: string | undefined;
  const ready = open(path).then((opened) => {
    store = opened.store;
    // Configured but not in use: revocations and refresh claims no longer cross instances.
    if (options.required && opened.fallbackReason) degraded = opened.fallbackReason;
  });
  const use = async () => {
    await ready;
    return store!;
  };
  return {
    get mode(): SharedStateMode {
      return store?.mode ?? "opening";
    },
    get degraded() {
      return degraded;
    },
    ready,
    get stats() {
      return store?.stats ?? { reads: 0, writes: 0, polls: 0 };
    },
    claimRefresh: async (key, ttlMs) => (await use()).claimRefresh(key, ttlMs),
    holdRefresh: async (key, ttlMs) => (await use()).holdRefresh(key, ttlMs),
    settleRefresh: async (key, outcome, ttlMs) => (await use()).settleRefresh(key, outcome, ttlMs),
    readRefresh: async (key) => (await use()).readRefresh(key),
    revoke: async (revocation) => (await use()).revoke(revocation),
    isRevoked: async (sid) => (await use()).isRevoked(sid),
    revocationsSince: async (sinceMs) => (await use()).revocationsSince(sinceMs),
    revokeForEvent: async (eventId, ttlMs, revocation) =>
      (await use()).revokeForEvent(eventId, ttlMs, revocation),
    changeUserForEvent: async (eventId, ttlMs, event) =>
      (await use()).changeUserForEvent(eventId, ttlMs, event),
    sessionStatus: async (sid, userId) => (await use()).sessionStatus(sid, userId),
    close: () => void ready.then(() => store!.close()),
  };
}

/**
 * `path` goes to `Deno.openKv` exactly as given: a file, or the `https://` URL of a self-hosted
 * `denokv` server, whose access token Deno itself reads from `DENO_KV_ACCESS_TOKEN`.
 */
async function open(
  path: string | undefined,
): Promise<{ store: SharedState; fallbackReason?: string }> {
  if (typeof Deno.openKv !== "function") {
    return fallBack(
      'Deno KV is not enabled (add "unstable": ["kv"] to deno.json)',
      PUBLIC_REASONS.notEnabled,
    );
  }
  try {
    return { store: createKvSharedState(await Deno.openKv(path)) };
  } catch (error) {
    const where = path ? `"${describeKvPath(path)}"` : "the default database";
    return fallBack(
      `Deno KV at ${where} could not be opened (${errorName(error)})`,
      PUBLIC_REASONS.notOpened,
    );
  }
}

/**
 * What `/healthz` may say about a fallback (S64): what failed, from a fixed set. A public probe
 * names no host, path, URL or error text: those go to the log line only.
 */
export const PUBLIC_REASONS = {
  notEnabled: "Deno KV is not enabled: fell back to memory",
  notOpened: "Deno KV could not be opened: fell back to memory",
} as const;

/** A KV path fit for logs: a URL loses any credentials and query it carries. */
export function describeKvPath(path: string): string {
  const url = /^https?:\/\//i.test(path) ? URL.parse(path) : null;
  return url ? `${url.protocol}//${url.host}${url.pathname}` : path;
}

function fallBack(
  reason: string,
  publicReason: string,
): { store: SharedState; fallbackReason: string } {
  logSink.write(JSON.stringify({
    time: new Date().toISOString(),
    level: "warn",
    event: "shared_state_fallback",
    message: `${reason}: using in-process state, correct for a single instance only`,
  }));
  return { store: createMemorySharedState(), fallbackReason: publicReason };
}

function errorName(error: unknown): string {
  if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) {
    return "no permission: grant --allow-read and --allow-write for the path";
  }
  return error instanceof Error ? error.name : "unknown error";
}
