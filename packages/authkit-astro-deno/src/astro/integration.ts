/**
 * The Astro integration: `integrations: [authkit()]`. Its hooks only wire; the work lives in
 * plain modules beside them.
 *
 * - `astro:config:setup`: the middleware (order `pre`), the auth routes, the options module, and
 *   the server extension for `@deno/astro-adapter` (`adapter.ts`).
 * - `astro:routes:resolved`, `astro:build:generated`: the build refuses a prerendered page (or any
 *   static file) under a protected prefix (`static-output.ts`).
 * - `astro:config:done`: the `App.Locals` types.
 * - `astro:server:start`/`done` (dev only): the local AuthKit stand-in when no WorkOS key is set.
 *
 * @module
 */
import type { AstroConfig, AstroIntegration } from "astro";
import { DENO_ADAPTER, extendAdapterServer } from "./adapter.ts";
import { type AuthKitOptions, resolveOptions } from "./options.ts";
import { optionsModule } from "./options-module.ts";
import { findHooksModule, hooksModule } from "./hooks-module.ts";
import { packageModule, packageModulePath } from "./package-files.ts";
import {
  findProtectedPrerenders,
  findProtectedStaticFiles,
  staticOutputError,
} from "./static-output.ts";
import { type LocalAuthKit, startLocalAuthKit } from "../dev/local-authkit.ts";

/** The integration's name, as the package's. */
export const INTEGRATION_NAME = "@authkit-deno/astro";

const moduleUrl = (path: string) => packageModule(path, import.meta.url);
type VitePlugins = NonNullable<NonNullable<AstroConfig["vite"]>["plugins"]>;

/** Adds AuthKit sign-in to an Astro app on Deno. */
export function authkit(options: AuthKitOptions = {}): AstroIntegration {
  const resolved = resolveOptions(options);
  const { paths, hooks, ...runtimeOptions } = resolved;
  let local: LocalAuthKit | undefined;
  let root = new URL(`file://${Deno.cwd()}/`); // the project's root once the config is known
  return {
    name: INTEGRATION_NAME,
    hooks: {
      "astro:config:setup": (
        { config, command, addMiddleware, injectRoute, updateConfig, logger },
      ) => {
        root = config.root;
        addMiddleware({ entrypoint: moduleUrl("./middleware.ts"), order: "pre" });
        const routes: [string, string][] = [
          [paths.signIn, "sign-in.ts"],
          [paths.signUp, "sign-up.ts"],
          [paths.callback, "callback.ts"],
          [paths.signOut, "sign-out.ts"],
          [paths.webhook, "webhook.ts"],
          [paths.accessToken, "access-token.ts"],
          [paths.revokeSessions, "revoke-sessions.ts"],
          [paths.authState, "auth-state.ts"],
        ];
        if (resolved.organizations) {
          routes.push([paths.switchOrganization, "switch-organization.ts"]);
        }
        if (resolved.healthPath) routes.push([resolved.healthPath, "health.ts"]);
        for (const [pattern, file] of routes) {
          injectRoute({ pattern, entrypoint: moduleUrl(`./routes/${file}`), prerender: false });
        }
        const plugins: VitePlugins = [
          optionsModule(runtimeOptions),
          hooksModule(hooks === undefined ? null : findHooksModule(hooks, config.root)),
        ];
        if (config.adapter?.name === DENO_ADAPTER) plugins.push(extendAdapterServer());
        else if (command === "build") {
          logger.warn(
            `The adapter is ${
              config.adapter?.name ?? "not set"
            }, not ${DENO_ADAPTER}: the server ` +
              "runs without the start-up config check, PORT/HOST at run time, the Cookie size " +
              "limit and graceful shutdown.",
          );
        }
        updateConfig({ vite: { plugins } });
      },
      "astro:routes:resolved": ({ routes }) => {
        const problems = findProtectedPrerenders(routes, paths);
        if (problems.length > 0) throw staticOutputError(problems);
      },
      "astro:build:generated": async ({ dir }) => {
        const problems = await findProtectedStaticFiles(dir, paths);
        if (problems.length > 0) throw staticOutputError(problems);
      },
      "astro:config:done": ({ injectTypes }) => {
        const locals = packageModulePath("./locals.d.ts", import.meta.url);
        injectTypes({
          filename: "locals.d.ts",
          content: `/// <reference path=${JSON.stringify(locals)} />\n`,
        });
      },
      "astro:server:start": async ({ address, logger }) => {
        local = await startLocalAuthKit({
          root, // where `.env` is read
          appUrl: new URL(`http://localhost:${address.port}/`),
          routes: paths,
          env: Deno.env.toObject(),
        });
        for (const [name, value] of Object.entries(local.env)) Deno.env.set(name, value);
        if (local.kind === "standin") console.log(local.banner);
        else logger.info(`Using WorkOS at ${local.apiHost}.`);
      },
      "astro:server:done": async () => {
        if (local?.kind === "standin") await local.standIn.close();
      },
    },
  };
}
