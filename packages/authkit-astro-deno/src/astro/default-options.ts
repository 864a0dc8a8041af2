/**
 * What `virtual:authkit-deno/options` holds for an app that passes no options. Vite never loads
 * this file (the integration serves the real module); `deno check` and tests resolve the name
 * here through the import map.
 *
 * @module
 */
import type { ResolvedOptions } from "./options.ts";

const options: ResolvedOptions = { routes: {}, organizations: true, healthPath: "/healthz" };
export default options;
