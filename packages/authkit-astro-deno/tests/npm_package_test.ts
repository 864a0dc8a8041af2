/**
 * The package as npm carries it: `npm pack` in the package's folder (its `prepack` builds
 * `dist/` from `src/`), then the tarball installed into a folder outside this repository and
 * imported by plain Deno and by Node, with no Vite in between.
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { rewriteImports } from "../scripts/build-npm.ts";

const PACKAGE = fileURLToPath(new URL("../", import.meta.url));
const manifest = JSON.parse(await Deno.readTextFile(join(PACKAGE, "package.json")));

async function run(command: string, args: string[], cwd: string): Promise<string> {
  const { success, stdout, stderr } = await new Deno.Command(command, { args, cwd }).output();
  const text = new TextDecoder().decode(stdout);
  if (!success) {
    throw new Error(
      `${command} ${args.join(" ")} failed:\n${text}${new TextDecoder().decode(stderr)}`,
    );
  }
  return text;
}

/** Packs the package once for every test here; the folder holds the tarball and an app. */
let packing: Promise<{ dir: string; app: string; files: string[] }> | undefined;
const packed = () => packing ??= pack();

async function pack() {
  const dir = await Deno.makeTempDir({ prefix: "authkit-npm-pack-" });
  const [report] = JSON.parse(
    await run("npm", ["pack", "--json", "--pack-destination", dir], PACKAGE),
  );
  const files: string[] = report.files.map((file: { path: string }) => file.path);
  const app = join(dir, "app");
  await Deno.mkdir(app);
  await Deno.writeTextFile(join(app, "package.json"), JSON.stringify({ type: "module" }));
  // astro is a peer the app brings; these imports need none of it.
  await run("npm", [
    "install",
    "--legacy-peer-deps",
    "--prefer-offline",
    "--no-audit",
    "--no-fund",
    join(dir, report.filename),
  ], app);
  return { dir, app, files };
}

Deno.test("the tarball holds dist/, the README and the license: no tests, no TypeScript source", async () => {
  const { files } = await packed();
  assert(files.includes("README.md") && files.includes("LICENSE"));
  assertEquals(files.filter((path) => /^(src|tests|scripts)\//.test(path)), []);
  assertEquals(
    files.filter((path) => !/^(dist\/|README\.md$|LICENSE$|package\.json$)/.test(path)),
    [],
  );
  assert(files.includes("dist/components/UserButton.astro"), ".astro components ship as source");
  assert(files.includes("dist/dev/standin/seed.json"));
  assertEquals(files.filter((path) => path.endsWith(".source-digest")), []);
});

Deno.test("every export of package.json is in the tarball, each TypeScript entry with its .d.ts", async () => {
  const { files } = await packed();
  for (const [entry, target] of Object.entries(manifest.exports)) {
    if (typeof target === "string") {
      assert(files.includes(target.slice(2)), `${entry}: ${target}`);
      continue;
    }
    const { types, default: code } = target as { types: string; default?: string };
    assert(files.includes(types.slice(2)), `${entry}: ${types}`);
    if (code) assert(files.includes(code.slice(2)), `${entry}: ${code}`);
  }
  // Every compiled module has its declarations beside it.
  for (const js of files.filter((path) => path.endsWith(".js"))) {
    assert(files.includes(js.replace(/\.js$/, ".d.ts")), `${js} has no .d.ts`);
  }
  // Nothing in dist/ still imports a .ts file (Deno and Node would refuse it under node_modules).
  const { app } = await packed();
  const root = join(app, "node_modules/@authkit-deno/astro/");
  for (const path of files.filter((path) => /\.(js|d\.ts|astro)$/.test(path))) {
    const text = await Deno.readTextFile(join(root, path));
    assertEquals(text.match(/from\s+["']\.{1,2}\/[^"']*(?<!\.d)\.ts["']/g), null, path);
  }
});

Deno.test("plain deno run and node import /server and /client from the installed tarball", async () => {
  const { app } = await packed();
  await Deno.writeTextFile(
    join(app, "try.mjs"),
    `import { requireAuth, getSignInUrl, requireRecentAuth, listSessions, requireActionAuth } from "@authkit-deno/astro/server";
import { getAccessToken, createAccessTokenClient } from "@authkit-deno/astro/client";
console.log([requireAuth, getSignInUrl, requireRecentAuth, listSessions, requireActionAuth, getAccessToken,
  createAccessTokenClient].map((f) => typeof f).join(","));
`,
  );
  const expected = "function,function,function,function,function,function,function\n";
  assertEquals(
    await run(Deno.execPath(), ["run", "--allow-read", "--allow-env", "try.mjs"], app),
    expected,
  );
  assertEquals(await run("node", ["try.mjs"], app), expected);
});

Deno.test("the declarations type-check an outside app's use of the package", async () => {
  const { app } = await packed();
  await Deno.writeTextFile(
    join(app, "use.ts"),
    `/// <reference types="@authkit-deno/astro/types" />
import type { SignedInContext } from "@authkit-deno/astro/server";
import { getSignInUrl } from "@authkit-deno/astro/server";
const auth: App.Locals["auth"] = null as SignedInContext | null;
const link: string = getSignInUrl({ returnTo: "/account" });
// @ts-expect-error: has() takes an AccessCheck, not a string
auth?.has("admin");
export { link };
`,
  );
  const out = await run(Deno.execPath(), ["check", "use.ts"], app).catch((error) => String(error));
  assertEquals(out.includes("error"), false, out);
});

Deno.test("rewriteImports() turns relative .ts specifiers into .js, and leaves the rest", () => {
  assertEquals(rewriteImports(`import a from "./a.ts";`), `import a from "./a.js";`);
  assertEquals(rewriteImports(`import("../b/c.ts").X`), `import("../b/c.js").X`);
  assertEquals(
    rewriteImports(`/// <reference path="./locals.d.ts" />`),
    `/// <reference path="./locals.d.ts" />`,
  );
  assertEquals(rewriteImports(`import x from "pkg/a.ts";`), `import x from "pkg/a.ts";`);
  assertStringIncludes(rewriteImports(`from '../x.ts'`), `'../x.js'`);
});

Deno.test({
  name: "(cleanup) the packed tarball's folder",
  fn: async () => await Deno.remove((await packed()).dir, { recursive: true }),
});
