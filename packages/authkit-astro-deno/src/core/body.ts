/**
 * Request bodies read with a bound: a form or webhook body is a few hundred bytes, and reading a
 * client's body whole before any check let one 200 MB post take a process from 87 MB to 704 MB
 * (S52). The bound is checked against `Content-Length` before reading, and again while reading,
 * since a chunked body declares no length.
 *
 * @module
 */
import { AuthError } from "./errors.ts";

/** The forms the app reads (switch organization, sign-out) carry a few short fields. */
export const MAX_FORM_BYTES = 8 * 1024;

/** The body's bytes, or null when it is larger than `maxBytes`; reads no further than that. */
export async function readBoundedBytes(
  request: Request,
  maxBytes: number,
): Promise<Uint8Array<ArrayBuffer> | null> {
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (!request.body) return new Uint8Array();
  if (!(declared <= maxBytes)) {
    await request.body.cancel().catch(() => {});
    return null;
  }
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (true) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/**
 * The request's form (urlencoded or multipart), or null when it is not a form. Throws
 * `payload_too_large` past `maxBytes`, before buffering more than that.
 */
export async function readBoundedForm(
  request: Request,
  maxBytes: number = MAX_FORM_BYTES,
): Promise<FormData | null> {
  const bytes = await readBoundedBytes(request, maxBytes).catch(() => new Uint8Array(0));
  if (bytes === null) throw new AuthError("payload_too_large");
  const contentType = request.headers.get("content-type") ?? "";
  // Parsed from the bounded copy: `Response.formData()` reads both encodings a browser sends.
  return await new Response(bytes, { headers: { "content-type": contentType } }).formData()
    .catch(() => null);
}
