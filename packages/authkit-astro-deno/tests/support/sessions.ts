/**
 * Sessions as the callback would build them, for the seal and cookie tests.
 *
 * @module
 */
import type { AuthConfig } from "../../src/core/config.ts";
import { createSession, type Session } from "../../src/session/session.ts";
import type { Authentication } from "../../src/workos/calls.ts";

/** A code exchange's result for Ada, with opaque placeholder tokens unless overridden. */
export function sampleAuthentication(overrides: Partial<Authentication> = {}): Authentication {
  return {
    user: {
      id: "user_01ADA",
      email: "ada@example.com",
      firstName: "Ada",
      lastName: "Lovelace",
      profilePictureUrl: null,
    },
    organizationId: "org_01ACME",
    impersonator: null,
    accessToken: `header.${"a".repeat(600)}.signature`,
    refreshToken: "refresh_01SAMPLE",
    ...overrides,
  };
}

/** A fresh session for `config`, signed in at `nowMs`. */
export function sampleSession(
  config: AuthConfig,
  nowMs: number,
  overrides: Partial<Authentication> = {},
): Session {
  return createSession(sampleAuthentication(overrides), config, nowMs);
}
