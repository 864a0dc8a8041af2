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

/** A free loopback port (the OS picks, the listener is closed again). */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}
