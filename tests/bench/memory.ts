/**
 * Memory with 100,000 distinct sessions, measured in a child process of its own (run with
 * `--v8-flags=--expose-gc` so the heap can be read after a full collection).
 *
 * Why not through the server: each new session costs an iron-session unseal and an RS256
 * verification (~0.5 ms together), so 100,000 of them would take most of a minute on one core,
 * plus the sealing on the client side. The only per-session state the server keeps is the
 * verified-session cache (the single-flight refresh map is only touched near expiry), so this
 * feeds that cache directly: the app's own composition root builds it (`createAuth`, so its
 * configured bound), each key is a distinct ~2 KB sealed-cookie value (the cache is keyed by the
 * seal itself), and every value is a distinct `AuthContext` the size of a real one (a fresh ~1 KB
 * access token each). No entry expires
 * during the run, so only the size bound can keep memory flat: the worst case.
 *
 * Prints one JSON line: the cache's size and the heap growth at the bound and after 100,000.
 *
 * @module
 */
import { createAuth } from "../../packages/authkit-astro-deno/src/auth.ts";
import { loadConfig } from "../../packages/authkit-astro-deno/src/core/config.ts";
import type { AuthContext } from "../../packages/authkit-astro-deno/src/session/resolve.ts";
import { round } from "./numbers.ts";

const SESSIONS = 100_000;
// A real access token from the stand-in is about this long; WorkOS's are similar.
const ACCESS_TOKEN_LENGTH = 1_000;
// The sealed `wos-session` value that carries it: about 2 KB (see README, "Performance").
const SEALED_COOKIE_LENGTH = 2_000;
const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("Run with --v8-flags=--expose-gc");

function heapMiB(): number {
  gc!();
  return Deno.memoryUsage().heapUsed / 2 ** 20;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Random base64url text of `length` characters. */
function randomText(length: number): string {
  const random = crypto.getRandomValues(new Uint8Array(length));
  return decoder.decode(random.map((byte) => BASE64URL.charCodeAt(byte & 63)));
}

const tokenTemplate = encoder.encode(randomText(ACCESS_TOKEN_LENGTH));
const sealTemplate = encoder.encode(`Fe26.2*1*${randomText(SEALED_COOKIE_LENGTH - 9)}`);

/**
 * A distinct copy of `template` for session `i`, as a fresh flat string: decoding bytes gives
 * each entry its own copy, where slicing or concatenating would share one buffer and flatter the
 * heap.
 */
function distinctText(template: Uint8Array, i: number, at: number): string {
  encoder.encodeInto(i.toString(36).padStart(8, "0"), template.subarray(at));
  return decoder.decode(template);
}

/** A distinct access token for session `i`. */
function accessToken(i: number): string {
  return distinctText(tokenTemplate, i, 0);
}

/** A distinct sealed cookie value for session `i`: the cache key. */
function sealedCookie(i: number): string {
  return distinctText(sealTemplate, i, "Fe26.2*1*".length);
}

/** A distinct, realistically sized entry for session `i`. */
function sampleAuthContext(i: number): AuthContext {
  return {
    user: {
      id: `user_${String(i).padStart(26, "0")}`,
      email: `user${i}@example.com`,
      firstName: "Ada",
      lastName: "Lovelace",
      profilePictureUrl: null,
    },
    sessionId: `session_${String(i).padStart(26, "0")}`,
    organizationId: "org_01EXAMPLE00000000000000000",
    role: "admin",
    roles: ["admin"],
    permissions: ["posts:read", "posts:write", "billing:manage"],
    entitlements: ["audit-logs", "sso"],
    featureFlags: ["new-dashboard"],
    impersonator: null,
    accessToken: accessToken(i),
    // The verified payload: its own object, whose strings the fields above share.
    claims: {
      iss: "https://api.workos.com/",
      sub: `user_${String(i).padStart(26, "0")}`,
      sid: `session_${String(i).padStart(26, "0")}`,
      exp: 1_900_000_000,
      org_id: "org_01EXAMPLE00000000000000000",
      role: "admin",
      roles: ["admin"],
      permissions: ["posts:read", "posts:write", "billing:manage"],
      entitlements: ["audit-logs", "sso"],
      feature_flags: ["new-dashboard"],
      auth_time: 1_899_999_700,
    },
    has: () => false, // the real ones are closures of the same size
    isRecent: () => false,
    expiresAt: 1_900_000_000,
    authTime: 1_899_999_700,
    credential: "cookie",
    profileKnown: true,
  };
}

const config = loadConfig({
  WORKOS_API_KEY: "sk_test_memory",
  WORKOS_CLIENT_ID: "client_memory",
  WORKOS_REDIRECT_URI: "http://127.0.0.1/auth/callback",
  WORKOS_COOKIE_PASSWORD: "memory-cookie-password-0123456789-abcdef",
});
const { cache } = createAuth(config);
const farFuture = Date.now() + 3_600_000;

const before = heapMiB();
let atBound = 0;
for (let i = 0; i < SESSIONS; i++) {
  cache.set(sealedCookie(i), sampleAuthContext(i), farFuture);
  if (i + 1 === cache.maxEntries) atBound = heapMiB() - before;
}
const after = heapMiB() - before;

console.log(JSON.stringify({
  sessions: SESSIONS,
  cacheBound: cache.maxEntries,
  cacheSize: cache.size,
  heapGrowthAtBoundMiB: round(atBound, 1),
  heapGrowthAfterAllMiB: round(after, 1),
  bytesPerEntry: round((atBound * 2 ** 20) / cache.maxEntries),
}));
