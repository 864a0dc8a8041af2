/**
 * The signed-in user's organizations: their active memberships with names, cached per user, and
 * the view of them the pages get (`Astro.locals.auth.organizationName`,
 * `Astro.locals.organizations`).
 *
 * @module
 */
import { CachedLoader } from "../core/cache.ts";
import type { AuthConfig } from "../core/config.ts";
import { toAuthError } from "../core/errors.ts";
import { freezeDeep } from "../core/freeze.ts";
import { createRequestId, logAuthFailure } from "../core/log.ts";
import { listActiveMemberships, type OrganizationMembership } from "./api.ts";
import type { AuthContext } from "../session/resolve.ts";

export type { OrganizationMembership };

/** How long a user's memberships are reused before WorkOS is asked again. */
export const MEMBERSHIPS_TTL_MS = 60_000;
/** After a failed fetch, pages go without the switcher this long before asking again. */
export const MEMBERSHIPS_FAILURE_TTL_MS = 10_000;
/** Bound on users whose memberships are remembered (a few hundred bytes each). */
export const MEMBERSHIPS_CACHE_SIZE = 10_000;
/**
 * A page waits this long for a memberships fetch, then renders without the switcher while the
 * fetch goes on to fill the cache: a slow WorkOS must not hold every page for the full upstream
 * timeout.
 */
export const MEMBERSHIPS_PAGE_DEADLINE_MS = 1_000;

/** `Astro.locals.auth`: the verified session plus the current organization's name. */
export interface SignedInContext extends AuthContext {
  /** The current organization's name; null without one, or while memberships are unavailable. */
  organizationName: string | null;
}

/** One entry of the dashboard's organization switcher. */
export interface OrganizationChoice {
  id: string;
  /** Null when WorkOS did not give the name; show the id instead. */
  name: string | null;
  role: string | null;
  current: boolean;
}

/** What the middleware hands the pages. */
export interface OrganizationView {
  auth: SignedInContext | null;
  /** Null when signed out, or when the memberships could not be fetched. */
  organizations: OrganizationChoice[] | null;
}

/**
 * Per-user memberships, cached for `MEMBERSHIPS_TTL_MS`, one fetch per user at a time. A hit is
 * answered synchronously, so a signed-in page view with a warm cache waits on no promise and
 * makes no WorkOS call (`deno task bench`).
 */
export class MembershipCache {
  #loader: CachedLoader<OrganizationMembership[]>;
  #now: () => number;
  #pageDeadlineMs: number;

  constructor(
    fetch: (userId: string) => Promise<OrganizationMembership[]>,
    now: () => number,
    options: { maxEntries?: number; pageDeadlineMs?: number } = {},
  ) {
    this.#loader = new CachedLoader(fetch, now, {
      ttlMs: MEMBERSHIPS_TTL_MS,
      maxEntries: options.maxEntries ?? MEMBERSHIPS_CACHE_SIZE,
    });
    this.#now = now;
    this.#pageDeadlineMs = options.pageDeadlineMs ?? MEMBERSHIPS_PAGE_DEADLINE_MS;
  }

  /**
   * The memberships for a page: from the cache, else fetched, for at most the page deadline.
   * Never rejects: a failure is logged with its code, remembered briefly (an outage must not cost
   * every page a timeout), and null; so is a fetch still running at the deadline, for this page.
   */
  forPage(
    userId: string,
  ): OrganizationMembership[] | null | Promise<OrganizationMembership[] | null> {
    const cached = this.#loader.entries.get(userId, this.#now());
    if (cached !== undefined) return cached;
    const loading = this.load(userId).catch((error) => {
      logAuthFailure(toAuthError(error), "organizations", createRequestId());
      this.#loader.entries.set(userId, null, this.#now() + MEMBERSHIPS_FAILURE_TTL_MS);
      return null;
    });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), this.#pageDeadlineMs);
    });
    return Promise.race([loading, late]).finally(() => clearTimeout(timer));
  }

  /** The memberships from the cache, else freshly fetched; rejects with an `AuthError`. */
  load(userId: string): Promise<OrganizationMembership[]> {
    return this.#loader.load(userId);
  }

  /** Forgets a user's memberships (after a switch, roles may have changed). */
  drop(userId: string): void {
    this.#loader.drop(userId);
  }
}

/** Builds the cache that lists memberships from the configured WorkOS API. */
export function createMembershipCache(
  config: AuthConfig,
  now: () => number,
  options: { pageDeadlineMs?: number; timeoutMs?: number } = {},
): MembershipCache {
  return new MembershipCache(
    (userId) => listActiveMemberships(config, userId, options.timeoutMs),
    now,
    { pageDeadlineMs: options.pageDeadlineMs },
  );
}

/**
 * The pages' view of a resolved session: its organization's name and the switcher's entries.
 * Synchronous when signed out or on a cache hit.
 */
export function viewOrganizations(
  auth: AuthContext | null,
  memberships: MembershipCache,
): OrganizationView | Promise<OrganizationView> {
  if (!auth) return { auth: null, organizations: null };
  const found = memberships.forPage(auth.user.id);
  return found instanceof Promise ? found.then((list) => toView(auth, list)) : toView(auth, found);
}

/**
 * The pages' view of a resolved session when the app lists no organizations (`organizations:
 * false`): no organization name, no switcher, and like `viewOrganizations` one frozen view per
 * session rather than a copy per request.
 */
export function viewWithoutOrganizations(auth: AuthContext | null): OrganizationView {
  return auth ? toView(auth, null) : { auth: null, organizations: null };
}

/**
 * The last view built for each session, with the memberships list it came from. A warm page view
 * gets the same session object and the same cached list as the one before it, so it gets the same
 * view back instead of a copy of the session and a new list per request. Keyed weakly: an entry
 * goes with its session when the session cache drops it, and a refreshed session or list is a
 * new key or a mismatch, and a new view.
 */
const views = new WeakMap<
  AuthContext,
  { list: OrganizationMembership[] | null; view: OrganizationView }
>();

function toView(auth: AuthContext, list: OrganizationMembership[] | null): OrganizationView {
  const last = views.get(auth);
  if (last?.list === list) return last.view;
  // Frozen like the session it extends (S48): every request of this session shares it.
  const view = freezeDeep(buildView(auth, list));
  views.set(auth, { list, view });
  return view;
}

function buildView(auth: AuthContext, list: OrganizationMembership[] | null): OrganizationView {
  const organizations = list?.map((m) => ({
    id: m.organizationId,
    name: m.organizationName,
    role: m.role,
    current: m.organizationId === auth.organizationId,
  })) ?? null;
  const current = organizations?.find((o) => o.current);
  return { auth: { ...auth, organizationName: current?.name ?? null }, organizations };
}
