/**
 * The local AuthKit stand-in is a dev-only part of the integration: nothing of it may reach the
 * server that `deno task build` produces (that server refuses to start without real WorkOS
 * configuration: `tests/serve_test.ts`, `tests/smoke/`).
 */
import { assert, assertEquals } from "@std/assert";

/** Strings that exist only in the stand-in's and the dev launcher's sources. */
const STANDIN_MARKERS = [
  "sk_test_local_standin",
  "/admin/sessions",
  "No WorkOS configuration found",
];
const SOURCES = new URL("../packages/authkit-astro-deno/src/dev/", import.meta.url);
const BUILDS = [
  new URL("../dist/", import.meta.url),
  new URL("../examples/minimal/dist/", import.meta.url),
];

async function readAllUnder(dir: URL): Promise<string> {
  let text = "";
  for await (const entry of Deno.readDir(dir)) {
    const url = new URL(entry.name + (entry.isDirectory ? "/" : ""), dir);
    if (entry.isDirectory) text += await readAllUnder(url);
    else if (/\.(m?js|ts|json|html)$/.test(entry.name)) text += await Deno.readTextFile(url);
  }
  return text;
}

Deno.test("the built servers carry no stand-in code (this app's and the minimal example's)", async () => {
  const sources = await readAllUnder(SOURCES);
  for (const marker of STANDIN_MARKERS) assert(sources.includes(marker), `control: ${marker}`);
  for (const build of BUILDS) {
    const output = await readAllUnder(build);
    assert(output.length > 10_000, `${build.pathname} holds a build`);
    const found = STANDIN_MARKERS.filter((marker) => output.includes(marker));
    assertEquals(found, [], build.pathname);
  }
});
