/// <reference lib="dom" />
/**
 * The browser half of the components on a prerendered page. Such a page is the same file for
 * every visitor, so each component renders a variant that shows nothing of either branch
 * (`hidden`) and carries no user data; this module fills it in from `$auth` once known, and again
 * whenever `$auth` changes or `<ClientRouter />` swaps the page. Values go in as text
 * (`textContent`, attributes), never as markup, and list rows are clones of a server-rendered
 * `<template>`, so the components' scoped styles apply.
 *
 * @module
 */
import { $auth, type AuthValue, type PublicAuth } from "./auth.ts";

const SELECTOR = "[data-authkit]";

/** The component's `initialsOf` and `displayName` (components/routes.ts), for the browser. */
function displayName(user: PublicAuth["user"]): string {
  return [user.firstName, user.lastName].filter(Boolean).join(" ") || user.email;
}

function initialsOf(name: string): string {
  return name.split(/\s+/).filter(Boolean).map((part) => part[0]).join("").slice(0, 2)
    .toUpperCase();
}

function setText(root: Element, field: string, text: string): void {
  for (const element of root.querySelectorAll(`[data-authkit-field="${field}"]`)) {
    element.textContent = text;
  }
}

/**
 * Whether `element`'s `data-authkit-when` holds for `auth`: signed in, signed out, or a
 * `<Protect>` check (JSON) asked of `has()`, which fails closed on anything malformed.
 */
function holds(element: HTMLElement, auth: PublicAuth | null): boolean {
  const when = element.dataset.authkitWhen;
  if (when === "signed-out") return auth === null;
  if (!auth) return false;
  if (!when || when === "signed-in") return true;
  try {
    return auth.has(JSON.parse(when));
  } catch {
    return false;
  }
}

function fillUser(element: HTMLElement, auth: PublicAuth): void {
  const name = displayName(auth.user);
  setText(element, "name", name);
  setText(element, "email", name === auth.user.email ? "" : auth.user.email);
  setText(element, "initials", initialsOf(name));
  const picture = auth.user.profilePictureUrl;
  const image = element.querySelector("img");
  const initials = element.querySelector<HTMLElement>('[data-authkit-field="initials"]');
  const usable = picture !== null && /^https?:\/\//i.test(picture);
  if (image) {
    image.hidden = !usable;
    if (usable) image.src = picture;
    else image.removeAttribute("src");
  }
  if (initials) initials.hidden = usable;
}

function fillOrganizations(element: HTMLElement, auth: PublicAuth): boolean {
  const organizations = auth.organizations;
  const minimum = Number(element.dataset.authkitMinimum ?? "1");
  const list = element.querySelector("ul");
  const template = element.querySelector("template");
  if (!organizations || organizations.length < minimum || !list || !template) return false;
  list.replaceChildren(...organizations.map((organization) => {
    const row = (template.content.firstElementChild as Element).cloneNode(true) as HTMLElement;
    const name = organization.name ?? organization.id;
    setText(row, "org-name", name);
    setText(row, "role", organization.role ?? "no role");
    const button = row.querySelector("button") as HTMLButtonElement;
    const current = row.querySelector<HTMLElement>('[data-authkit-field="current"]');
    if (organization.current) {
      row.setAttribute("aria-current", "true");
      button.remove();
    } else {
      current?.remove();
      button.value = organization.id;
      button.id = `switch-${organization.id}`;
      button.setAttribute("aria-label", `Switch to ${name}`);
    }
    return row;
  }));
  return true;
}

function fillImpersonation(element: HTMLElement, auth: PublicAuth): boolean {
  const impersonator = auth.impersonator;
  if (!impersonator) return false;
  setText(element, "impersonator", impersonator.email);
  setText(element, "reason", impersonator.reason ? ` (${impersonator.reason})` : "");
  return true;
}

/** Shows each variant whose condition holds for `auth`; all stay hidden while it is unknown. */
function render(auth: AuthValue): void {
  for (const element of document.querySelectorAll<HTMLElement>(SELECTOR)) {
    if (auth === undefined) {
      element.hidden = true;
      continue;
    }
    const kind = element.dataset.authkit;
    if (kind === "when") element.hidden = !holds(element, auth);
    else if (kind === "unless") element.hidden = holds(element, auth); // <Protect>'s fallback
    else if (!auth) element.hidden = true;
    else if (kind === "user") element.hidden = (fillUser(element, auth), false);
    else if (kind === "organizations") element.hidden = !fillOrganizations(element, auth);
    else if (kind === "impersonation") element.hidden = !fillImpersonation(element, auth);
  }
}

let unsubscribe: (() => void) | undefined;

/** Follows `$auth` while the page has a variant to fill. */
function bind(): void {
  unsubscribe?.();
  unsubscribe = document.querySelector(SELECTOR) ? $auth.subscribe(render) : undefined;
}

bind();
document.addEventListener("astro:after-swap", bind);
