/**
 * The S42 flood: one account's valid session cookie sent again and again, each time with a
 * distinct suffix after `~` (outside the seal's HMAC, so iron-session still opens it). Before the
 * fix every copy became its own cache key; 10,000 of them took a server from 73 MiB to 1.1 GiB.
 * Shared by `tests/flood_test.ts` (the bound) and `deno task bench` (the figure).
 *
 * @module
 */

/** How a flood is run. */
export interface FloodOptions {
  /** The valid value of the session cookie, as the server set it. */
  seal: string;
  /** The session cookie's name (`wos-session` over http). */
  cookieName?: string;
  requests?: number;
  suffixBytes?: number;
  concurrency?: number;
}

/** What the server answered, and its resident memory around the flood. */
export interface FloodResult {
  requests: number;
  suffixBytes: number;
  /** How many answers of each status. */
  statuses: Record<number, number>;
  rssBeforeMiB: number;
  rssAfterMiB: number;
  rssGrowthMiB: number;
}

/**
 * Sends `requests` GETs of `url`, each carrying `seal~<distinct suffixBytes>`, `concurrency` at a
 * time, and reads the resident memory of process `pid` (Linux `/proc`) before and after.
 */
export async function floodWithSuffixes(
  url: URL,
  pid: number,
  options: FloodOptions,
): Promise<FloodResult> {
  const { seal, cookieName = "wos-session", requests = 3_000, concurrency = 16 } = options;
  const suffixBytes = options.suffixBytes ?? 30_000;
  const padding = "x".repeat(suffixBytes - 8);
  const statuses: Record<number, number> = {};
  const rssBeforeMiB = readRssMiB(pid);
  let next = 0;
  const worker = async () => {
    while (next < requests) {
      const i = next++;
      const suffix = i.toString(36).padStart(8, "0") + padding;
      const response = await fetch(url, {
        headers: { cookie: `${cookieName}=${seal}~${suffix}`, accept: "text/html" },
        redirect: "manual",
      });
      await response.body?.cancel();
      statuses[response.status] = (statuses[response.status] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const rssAfterMiB = readRssMiB(pid);
  return {
    requests,
    suffixBytes,
    statuses,
    rssBeforeMiB,
    rssAfterMiB,
    rssGrowthMiB: Math.round((rssAfterMiB - rssBeforeMiB) * 10) / 10,
  };
}

/** The resident set size of `pid` in MiB, from `/proc/<pid>/status` (Linux only). */
export function readRssMiB(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const kib = Number(status.match(/^VmRSS:\s+(\d+) kB/m)?.[1]);
  return Math.round((kib / 1024) * 10) / 10;
}
