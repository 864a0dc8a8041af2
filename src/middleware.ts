import type { MiddlewareHandler } from "astro";
import { getAuth } from "./lib/auth/auth.ts";
import { guardRequest } from "./lib/auth/guard.ts";

/** Resolves the session once per request into `Astro.locals.auth` and guards protected paths. */
export const onRequest: MiddlewareHandler = (context, next) =>
  guardRequest(context.request, getAuth(), (auth) => {
    context.locals.auth = auth;
    return next();
  });
