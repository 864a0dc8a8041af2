/**
 * Stand-in for `jsr:@std/http@^1.1.1/file-server`, which the Deno adapter's built server imports
 * to serve `dist/client/` and which cannot be fetched here (JSR is unreachable). `deno.json` maps
 * the specifier to this file. Only `serveFile` is used, so only `serveFile` exists.
 *
 * @module
 */

const CONTENT_TYPES: Record<string, string> = {
  ".css": "text/css; charset=UTF-8",
  ".gif": "image/gif",
  ".html": "text/html; charset=UTF-8",
  ".ico": "image/vnd.microsoft.icon",
  ".jpeg": "image/jpeg",
  ".jpg": "image/jpeg",
  ".js": "text/javascript; charset=UTF-8",
  ".json": "application/json",
  ".map": "application/json",
  ".mjs": "text/javascript; charset=UTF-8",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".txt": "text/plain; charset=UTF-8",
  ".wasm": "application/wasm",
  ".webp": "image/webp",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".xml": "application/xml",
};

/** Returns the content type for a file name, or `application/octet-stream`. */
export function contentTypeFor(path: string): string {
  const dot = path.lastIndexOf(".");
  const extension = dot === -1 ? "" : path.slice(dot).toLowerCase();
  return CONTENT_TYPES[extension] ?? "application/octet-stream";
}

function notFound(): Response {
  return new Response("Not Found", {
    status: 404,
    headers: { "content-type": "text/plain; charset=UTF-8" },
  });
}

/**
 * Serves one regular file. Directories, missing files and any path with a `..` segment answer
 * 404: the adapter joins the request path onto the client folder, and a decoded `%2F..%2F` must
 * not walk out of it.
 */
export async function serveFile(request: Request, filePath: string): Promise<Response> {
  if (filePath.split("/").includes("..")) return notFound();
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(filePath);
  } catch {
    return notFound();
  }
  if (!info.isFile) return notFound();

  const headers = new Headers({
    "content-type": contentTypeFor(filePath),
    "content-length": String(info.size),
  });
  if (info.mtime) headers.set("last-modified", info.mtime.toUTCString());
  if (request.method === "HEAD") return new Response(null, { status: 200, headers });

  const file = await Deno.open(filePath, { read: true });
  return new Response(file.readable, { status: 200, headers });
}
