/**
 * `WorkOS-Signature: t=<ms>,v1=<hex>` checked over the bytes WorkOS signed (S57): the HMAC-SHA256,
 * keyed by the endpoint secret, of `"<t>."` followed by the raw request body. The v6 SDK's
 * `verifyHeader` hashes `JSON.stringify(JSON.parse(body))` instead, which differs from the raw
 * body whenever WorkOS serialises JSON differently (spaces, `\u` escapes, key order), and then
 * every retry of that delivery fails and its revocation is lost. The SDK is not on this path.
 *
 * @module
 */

/** How old (or how far ahead) a signature's timestamp may be: the SDK's default. */
export const WEBHOOK_TOLERANCE_MS = 180_000;

const HEADER = /^t=(\d{1,16}),v1=([0-9a-f]{64})$/;

/**
 * Whether `sigHeader` signs `body` with `secret` at a timestamp within the tolerance of `now`, on
 * both sides (the SDK only refuses old timestamps, and would take `t=abc`, NaN, as fresh).
 */
export async function verifyWebhookSignature(
  body: Uint8Array,
  sigHeader: string,
  secret: string,
  now: number,
): Promise<boolean> {
  const match = HEADER.exec(sigHeader.trim().toLowerCase());
  if (!match) return false;
  const [, timestamp, hex] = match;
  if (Math.abs(now - Number(timestamp)) > WEBHOOK_TOLERANCE_MS) return false;
  const prefix = new TextEncoder().encode(`${timestamp}.`);
  const signed = new Uint8Array(prefix.byteLength + body.byteLength);
  signed.set(prefix);
  signed.set(body, prefix.byteLength);
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const expected = new Uint8Array(await crypto.subtle.sign("HMAC", key, signed));
  return timingSafeEqual(expected, hexToBytes(hex));
}

/** Compares every byte whatever differs first, so the time taken reveals no prefix of the MAC. */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  let difference = 0;
  for (let i = 0; i < a.byteLength; i++) difference |= a[i] ^ b[i];
  return difference === 0;
}

function hexToBytes(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}
