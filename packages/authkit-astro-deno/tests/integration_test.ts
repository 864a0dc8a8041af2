import { assertEquals, assertStringIncludes, assertThrows } from "@std/assert";
import type { AstroIntegration } from "astro";
import { extendServerModule } from "../src/astro/adapter.ts";
import authkit from "../src/mod.ts";

type Setup = NonNullable<AstroIntegration["hooks"]["astro:config:setup"]>;

/** Runs the integration's `astro:config:setup` with recording stand-ins for Astro's callbacks. */
async function setUp(integration: AstroIntegration, adapter?: string, command = "build") {
  const seen = {
    middleware: [] as { entrypoint: string | URL; order: string }[],
    routes: [] as { pattern: string; entrypoint: string | URL; prerender?: boolean }[],
    plugins: [] as string[],
    warnings: [] as string[],
  };
  const setup = integration.hooks["astro:config:setup"] as Setup;
  await setup(
    {
      config: { adapter: adapter ? { name: adapter } : undefined },
      command,
      addMiddleware: (middleware: { entrypoint: string | URL; order: string }) =>
        seen.middleware.push(middleware),
      injectRoute: (route: { pattern: string; entrypoint: string | URL; prerender?: boolean }) =>
        seen.routes.push(route),
      updateConfig: (config: { vite: { plugins: { name: string }[] } }) =>
        seen.plugins.push(...config.vite.plugins.map((plugin) => plugin.name)),
      logger: { warn: (message: string) => seen.warnings.push(message) },
    } as unknown as Parameters<Setup>[0],
  );
  return seen;
}

Deno.test("authkit() adds the middleware first and injects every route, never prerendered", async () => {
  const seen = await setUp(authkit(), "@deno/astro-adapter");
  assertEquals(seen.middleware.map((m) => m.order), ["pre"]);
  assertStringIncludes(String(seen.middleware[0].entrypoint), "/astro/middleware.ts");
  assertEquals(seen.routes.map((route) => route.pattern), [
    "/sign-in",
    "/sign-up",
    "/auth/callback",
    "/sign-out",
    "/webhooks/workos",
    "/auth/access-token",
    "/auth/sessions/revoke",
    "/auth/state",
    "/auth/switch-organization",
    "/healthz",
  ]);
  assertEquals(seen.routes.every((route) => route.prerender === false), true);
  assertEquals(seen.plugins, [
    "authkit-deno:options",
    "authkit-deno:hooks",
    "authkit-deno:extend-adapter-server",
  ]);
  assertEquals(seen.warnings, []);
});

Deno.test("authkit() options move the routes, and switch off organizations and the probe", async () => {
  const seen = await setUp(
    authkit({ signIn: "/login", callback: "/oauth", organizations: false, healthPath: false }),
    "@deno/astro-adapter",
  );
  assertEquals(seen.routes.map((route) => route.pattern), [
    "/login",
    "/sign-up",
    "/oauth",
    "/sign-out",
    "/webhooks/workos",
    "/auth/access-token",
    "/auth/sessions/revoke",
    "/auth/state",
  ]);
});

Deno.test("authkit() with another adapter runs without the extension and says so once", async () => {
  const seen = await setUp(authkit(), "@astrojs/node");
  assertEquals(seen.plugins, ["authkit-deno:options", "authkit-deno:hooks"]);
  assertEquals(seen.warnings.length, 1);
  assertStringIncludes(seen.warnings[0], "@astrojs/node");
  assertEquals((await setUp(authkit(), "@astrojs/node", "dev")).warnings, [], "only at build");
});

Deno.test("authkit() refuses a bad route option when the config loads", () => {
  assertThrows(() => authkit({ signOut: "https://evil.example/" }), Error, "signOut");
});

const ADAPTER_SERVER = `export async function stop() {}
export function start(options) {
  const localPath = new URL("./" + app.removeBase(url.pathname), clientRoot);
  const port = options.port ?? 8085;
  const hostname = options.hostname ?? "0.0.0.0";
  _server = Deno.serve({ port, hostname }, handler);
}`;

Deno.test("the adapter extension adds the start-up check, the listen rewrite and shutdown", () => {
  const code = extendServerModule(ADAPTER_SERVER);
  const lines = code.split("\n");
  assertStringIncludes(lines[0], "/server/startup.ts");
  assertStringIncludes(code, "resolveListenAddress(Deno.env.toObject()");
  assertStringIncludes(code, "refuseOversizedCookies(handler)");
  assertEquals(lines.at(-2), "drainOnShutdown(stop);");
  assertStringIncludes(code, "/server/static-files.ts");
  assertStringIncludes(
    code,
    "const localPath = clientFileUrl(app.removeBase(url.pathname), clientRoot);",
  );
});

Deno.test("the adapter extension fails the build when the adapter's server changed shape", () => {
  assertThrows(() => extendServerModule(ADAPTER_SERVER.replace("stop()", "halt()")), Error, "stop");
  assertThrows(
    () => extendServerModule(ADAPTER_SERVER.replace("handler);", "app);")),
    Error,
    "no longer listens",
  );
  assertThrows(
    () => extendServerModule(ADAPTER_SERVER.replace('"./" + ', "")),
    Error,
    "no longer looks up static files",
  );
});

/** The `load` answer of the integration's `virtual:authkit-deno/hooks` for a project at `root`. */
async function hooksModuleSource(options: Parameters<typeof authkit>[0], root: URL) {
  let source: string | null = null;
  const setup = authkit(options).hooks["astro:config:setup"] as Setup;
  await setup(
    {
      config: { root, adapter: { name: "@deno/astro-adapter" } },
      command: "build",
      addMiddleware: () => {},
      injectRoute: () => {},
      updateConfig: (config: { vite: { plugins: VitePlugin[] } }) => {
        const plugin = config.vite.plugins.find((p) => p.name === "authkit-deno:hooks")!;
        const id = plugin.resolveId!("virtual:authkit-deno/hooks")!;
        source = plugin.load!(id);
      },
      logger: { warn: () => {} },
    } as unknown as Parameters<Setup>[0],
  );
  return source;
}

interface VitePlugin {
  name: string;
  resolveId?: (id: string) => string | null;
  load?: (id: string) => string | null;
}

Deno.test("S70 authkit({ hooks }) serves the app's module as virtual:authkit-deno/hooks, resolved against the project's root", async () => {
  const root = await Deno.makeTempDir({ prefix: "authkit-hooks-" });
  try {
    await Deno.mkdir(`${root}/src`);
    await Deno.writeTextFile(`${root}/src/auth-hooks.ts`, "export function onSignIn() {}\n");
    const rootUrl = new URL(`file://${root}/`);
    assertEquals(
      await hooksModuleSource({ hooks: "./src/auth-hooks.ts" }, rootUrl),
      `import * as hooks from ${JSON.stringify(`${root}/src/auth-hooks.ts`)};\n` +
        `globalThis[Symbol.for("@authkit-deno/astro/hooks")] = hooks;\n`,
    );
    assertEquals(await hooksModuleSource({}, rootUrl), "export {};\n");
    // A missing module stops the build, naming it, rather than signing in without the hooks.
    const missing = await hooksModuleSource({ hooks: "./src/missing.ts" }, rootUrl)
      .catch((error: Error) => error.message);
    assertStringIncludes(String(missing), '"./src/missing.ts" was not found');
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("S70 authkit({ hooks }) refuses a path that is not a relative module path", () => {
  for (const hooks of ["src/auth-hooks.ts", "https://evil.example/hooks.ts", "./hooks.json", ""]) {
    assertThrows(() => authkit({ hooks }), Error, "hooks must be a relative path");
  }
});
