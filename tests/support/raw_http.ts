/**
 * One HTTP/1.1 request over a plain TCP connection, its request-target sent byte for byte. `fetch`
 * (like a browser) normalises a URL before sending it (`/./x` → `/x`, `%2e` segments resolved);
 * an attacker's client does not, and the server must be tested with what an attacker sends.
 *
 * @module
 */

/** A parsed answer: status, headers (lower-case names), the body decoded from its framing. */
export interface RawResponse {
  status: number;
  headers: Headers;
  body: string;
}

/** Sends `GET target` (the exact bytes of `target`) to `origin` with `headers`; reads it all. */
export function rawGet(
  origin: URL,
  target: string,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  return rawRequest(origin, { target, host: origin.host, headers });
}

/**
 * Sends one request to `origin` with the `Host` given, which need not be `origin`'s: `fetch` always
 * sends the URL's own, and a proxy or an attacker need not (S71).
 */
export async function rawRequest(
  origin: URL,
  request: {
    method?: string;
    target: string;
    host: string;
    headers?: Record<string, string>;
    body?: string;
  },
): Promise<RawResponse> {
  const body = new TextEncoder().encode(request.body ?? "");
  const method = request.method ?? "GET";
  const lines = [
    `${method} ${request.target} HTTP/1.1`,
    `Host: ${request.host}`,
    "Connection: close",
  ];
  if (body.length > 0) lines.push(`Content-Length: ${body.length}`);
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    lines.push(`${name}: ${value}`);
  }
  const connection = await Deno.connect({
    hostname: origin.hostname,
    port: Number(origin.port),
  });
  try {
    const head = new TextEncoder().encode(`${lines.join("\r\n")}\r\n\r\n`);
    await writeAll(connection, new Uint8Array([...head, ...body]));
    return parse(await readAll(connection));
  } catch (error) {
    throw new Error(`${method} ${request.target} failed`, { cause: error });
  } finally {
    connection.close();
  }
}

async function writeAll(connection: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.length) written += await connection.write(bytes.subarray(written));
}

async function readAll(connection: Deno.Conn): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  const buffer = new Uint8Array(16 * 1024);
  for (;;) {
    const read = await connection.read(buffer);
    if (read === null) break;
    parts.push(buffer.slice(0, read));
  }
  const all = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    all.set(part, offset);
    offset += part.length;
  }
  return all;
}

function parse(bytes: Uint8Array): RawResponse {
  const text = new TextDecoder().decode(bytes);
  const end = text.indexOf("\r\n\r\n");
  if (end < 0) throw new Error(`An incomplete HTTP answer: ${JSON.stringify(text.slice(0, 200))}`);
  const [statusLine, ...headerLines] = text.slice(0, end).split("\r\n");
  const status = Number(statusLine.split(" ")[1]);
  const headers = new Headers();
  for (const line of headerLines) {
    const colon = line.indexOf(":");
    headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  const raw = text.slice(end + 4);
  const chunked = headers.get("transfer-encoding")?.toLowerCase().includes("chunked");
  return { status, headers, body: chunked ? dechunk(raw) : raw };
}

/** A chunked body (RFC 9112 §7.1) joined; sizes count bytes, so this reads them as bytes. */
function dechunk(raw: string): string {
  const bytes = new TextEncoder().encode(raw);
  const chunks: number[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = indexOfCrlf(bytes, offset);
    if (lineEnd < 0) throw new Error("A chunked body without a chunk size line");
    const size = parseInt(new TextDecoder().decode(bytes.subarray(offset, lineEnd)), 16);
    if (!Number.isFinite(size)) throw new Error("A chunked body with a bad chunk size");
    if (size === 0) return new TextDecoder().decode(new Uint8Array(chunks));
    const start = lineEnd + 2;
    chunks.push(...bytes.subarray(start, start + size));
    offset = start + size + 2;
  }
}

function indexOfCrlf(bytes: Uint8Array, from: number): number {
  for (let i = from; i < bytes.length - 1; i++) {
    if (bytes[i] === 13 && bytes[i + 1] === 10) return i;
  }
  return -1;
}
