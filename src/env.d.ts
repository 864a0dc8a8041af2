/// <reference types="astro/client" />
// `Astro.locals.auth` and `Astro.locals.organizations`, as the integration types them (Astro also
// injects this reference into .astro/types.d.ts; this line serves `deno check`).
/// <reference path="../packages/authkit-astro-deno/src/astro/locals.d.ts" />
