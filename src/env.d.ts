/// <reference types="astro/client" />

declare namespace App {
  interface Locals {
    /** The signed-in user, set by `src/middleware.ts`; null when signed out. */
    auth: import("./lib/auth/resolve.ts").AuthContext | null;
  }
}
