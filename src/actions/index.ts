import { defineAction } from "astro:actions";
import { requireActionAuth } from "@authkit-deno/astro/server";

/**
 * The app's Astro actions. Each checks for itself who may run it: `requireActionAuth` throws
 * `UNAUTHORIZED` signed out and `FORBIDDEN` without the permission, before the handler does
 * anything. The dashboard's `<Protect>` only hides the button; this is the check that counts.
 */
export const server = {
  /** Harmless on purpose: nothing is exported, the answer says who asked. */
  exportInvoices: defineAction({
    accept: "form",
    handler: (_input, context) => {
      const auth = requireActionAuth(context, { permission: "billing:manage" });
      return { requestedBy: auth.user.email, organizationId: auth.organizationId };
    },
  }),
};
