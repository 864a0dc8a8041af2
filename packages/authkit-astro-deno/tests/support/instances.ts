/**
 * Two auth layers on one Deno KV file: two instances of one deployment, as Deno Deploy runs them,
 * with the fake WorkOS behind `fetch`.
 *
 * @module
 */
import { type Auth, type AuthOptions, createAuth } from "../../src/auth.ts";
import type { AuthConfig } from "../../src/core/config.ts";
import { createKvSharedState } from "../../src/shared-state/kv.ts";
import type { SharedState } from "../../src/shared-state/store.ts";
import { type FakeWorkOS, installFakeWorkOS, testConfig } from "./fake_workos.ts";
import { tempKvPath } from "./kv.ts";

/** What `twoInstancesOnOneKv` starts; disposing closes both stores, the fake and the file. */
export interface TwoInstances extends AsyncDisposable {
  fake: FakeWorkOS;
  a: Auth;
  b: Auth;
  stores: SharedState[];
}

/**
 * Installs the fake WorkOS and builds two auth layers with `config`, each with a KV store of its
 * own on one file. `now` is both the stores' and the layers' clock; `sleep` the layers' wait.
 */
export async function twoInstancesOnOneKv(
  { config = testConfig(), now, sleep }: {
    config?: AuthConfig;
    now?: () => number;
    sleep?: AuthOptions["sleep"];
  } = {},
): Promise<TwoInstances> {
  const fake = await installFakeWorkOS();
  const file = await tempKvPath();
  const stores: SharedState[] = [];
  const instance = async () => {
    const sharedState = createKvSharedState(await Deno.openKv(file.path), now);
    stores.push(sharedState);
    return createAuth(config, { now, sharedState, sleep });
  };
  const a = await instance();
  const b = await instance();
  return {
    fake,
    a,
    b,
    stores,
    async [Symbol.asyncDispose]() {
      for (const store of stores) store.close();
      fake[Symbol.dispose]();
      await file[Symbol.asyncDispose]();
    },
  };
}
