/**
 * iron-session sealing with a `kind` tag, so a seal made for one purpose (the sign-in state)
 * can never be opened as another (the session): SECURITY-CASES S18.
 *
 * @module
 */
import { sealData, unsealData } from "iron-session";

/** An opened seal and whether it was made with an older password than the newest. */
export interface Opened<T> {
  value: T;
  sealedWithOldPassword: boolean;
}

/** Seals `value` under the newest password, expiring after `ttlSeconds` inside the seal. */
export function seal(
  kind: string,
  value: object,
  passwords: Record<number, string>,
  ttlSeconds: number,
): Promise<string> {
  return sealData({ ...value, kind }, { password: passwords, ttl: ttlSeconds });
}

/**
 * Opens a seal of `kind`, returning null for anything else. iron-session returns `{}` for a bad
 * seal (tampered, truncated, expired, unknown password); the `kind` check and `isValid` turn that
 * and any seal of another shape into "nothing here".
 */
export async function unseal<T>(
  kind: string,
  sealed: string,
  passwords: Record<number, string>,
  isValid: (value: unknown) => value is T,
): Promise<Opened<T> | null> {
  let value: unknown;
  try {
    value = await unsealData(sealed, { password: passwords });
  } catch {
    return null; // v9 catches its own errors, but a seal is input: never let it throw past here
  }
  if (typeof value !== "object" || value === null) return null;
  const { kind: sealedKind, ...rest } = value as { kind?: unknown };
  if (sealedKind !== kind || !isValid(rest)) return null;
  return { value: rest, sealedWithOldPassword: sealPasswordId(sealed) !== newestId(passwords) };
}

// An iron seal reads `Fe26.2*<password id>*…`; the id is covered by the seal's HMAC, so once the
// seal has opened it can be trusted.
function sealPasswordId(sealed: string): string {
  return sealed.split("*")[1] ?? "";
}

function newestId(passwords: Record<number, string>): string {
  return String(Math.max(...Object.keys(passwords).map(Number)));
}
