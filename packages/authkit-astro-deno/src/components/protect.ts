/**
 * What `<Protect>` asks `has()`, read from its props. Astro adds `data-astro-cid-*` props to a
 * component used inside one with scoped styles; those are its own, not part of the check. Any
 * other unknown prop is a misspelt key (`permision`): null, so the slot is not shown.
 *
 * @module
 */
import type { AccessCheck } from "../session/access.ts";

const KEYS = ["role", "permission", "entitlement", "featureFlag"] as const;

/** The check in `props`, or null when a prop is neither a check key nor Astro's own. */
export function checkFromProps(props: Record<string, unknown>): AccessCheck | null {
  const check: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(props)) {
    if ((KEYS as readonly string[]).includes(key)) check[key] = value;
    else if (!key.startsWith("data-astro-")) return null;
  }
  return check as AccessCheck;
}
