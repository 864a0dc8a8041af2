/**
 * S36: secrets never reach the build output, even when they are set while building (Astro
 * inlines `import.meta.env` at build time; this app reads `Deno.env` at run time instead).
 */
import { assert, assertEquals } from "@std/assert";

const ROOT = new URL("../", import.meta.url);

async function* filesUnder(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) yield* filesUnder(path);
    else if (entry.isFile) yield path;
  }
}

Deno.test("S36 a build with every secret set leaves none of their values under dist/", async () => {
  const outDir = await Deno.makeTempDir({ prefix: "dist-secrets-" });
  const secrets = {
    WORKOS_API_KEY: `sk_test_BUILDSECRET_${crypto.randomUUID()}`,
    WORKOS_CLIENT_ID: `client_BUILDSECRET_${crypto.randomUUID()}`,
    WORKOS_COOKIE_PASSWORD: `BUILDSECRET-password-${crypto.randomUUID()}`,
  };
  try {
    const build = await new Deno.Command(Deno.execPath(), {
      args: ["task", "build", "--outDir", outDir],
      cwd: ROOT.pathname,
      env: { ...secrets, WORKOS_REDIRECT_URI: "https://app.example.com/auth/callback" },
      stdout: "null",
      stderr: "piped",
    }).output();
    assertEquals(build.code, 0, new TextDecoder().decode(build.stderr));

    let scanned = 0;
    for await (const path of filesUnder(outDir)) {
      const text = new TextDecoder().decode(await Deno.readFile(path));
      for (const [name, value] of Object.entries(secrets)) {
        assert(!text.includes(value), `${name} found in ${path.slice(outDir.length)}`);
      }
      scanned++;
    }
    assert(scanned > 10, `expected a real build, scanned ${scanned} files`);
  } finally {
    await Deno.remove(outDir, { recursive: true });
  }
});
