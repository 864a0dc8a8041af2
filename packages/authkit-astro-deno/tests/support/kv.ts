/**
 * Deno KV and ports for tests: a KV file of its own per test, and a free loopback port.
 *
 * @module
 */

/** A Deno KV file of its own in a fresh temp folder, removed on dispose. */
export async function tempKvPath(): Promise<{ path: string } & AsyncDisposable> {
  const dir = await Deno.makeTempDir({ prefix: "authkit-kv-" });
  return {
    path: `${dir}/kv.sqlite3`,
    [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }),
  };
}

/**
 * Ports handed out for servers that bind later: below Linux's ephemeral range (32768 and up by
 * default). A port the OS picked for `port: 0` and that was closed again can be picked again for
 * the next `port: 0` listener (the stand-in, started between choosing the app's port and binding
 * it), and the app then fails with AddrInUse; seen once in CI.
 */
const PORT_RANGE = { first: 20_000, last: 32_000 };

/** A free loopback port outside the ephemeral range (checked by binding it, then released). */
export function freePort(): number {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = PORT_RANGE.first +
      Math.floor(Math.random() * (PORT_RANGE.last - PORT_RANGE.first));
    try {
      Deno.listen({ hostname: "127.0.0.1", port }).close();
      return port;
    } catch (error) {
      if (!(error instanceof Deno.errors.AddrInUse)) throw error;
    }
  }
  throw new Error("No free port found in 100 tries");
}
