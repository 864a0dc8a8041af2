/**
 * The `.astro` components: `import { SignedIn, UserButton } from "@authkit-deno/astro/components"`.
 * They need no client JavaScript (forms post), carry scoped styles only (no global CSS), and take
 * a `class` and CSS custom properties (`--authkit-accent`, `--authkit-line`, …) for theming.
 * Vite resolves this entry through `node_modules`; JSR ships the files as they are.
 *
 * @module
 */
export { default as AuthState } from "./AuthState.astro";
export { default as ImpersonationBanner } from "./ImpersonationBanner.astro";
export { default as OrganizationSwitcher } from "./OrganizationSwitcher.astro";
export { default as Protect } from "./Protect.astro";
export { default as SignedIn } from "./SignedIn.astro";
export { default as SignedOut } from "./SignedOut.astro";
export { default as SignInButton } from "./SignInButton.astro";
export { default as SignOutButton } from "./SignOutButton.astro";
export { default as UserButton } from "./UserButton.astro";
