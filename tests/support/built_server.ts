/**
 * Builds and runs the app the way Deno Deploy does: the build sees no secrets, the built entry
 * runs as its own process with only runtime environment variables, and (for the smoke test)
 * from a fresh `DENO_DIR` with `--cached-only`, so nothing is fetched at start.
 *
 * Builds go to private directories outside the project, so they never race with a
 * `deno task build` someone runs meanwhile. An entry outside the project does not find
 * `deno.json` by itself (Deno looks next to the entry point), so it runs with `--config`.
 *
 * @module
 */
import { fileURLToPath } from "node:url";

/** The project root, where `deno.json` and `astro.config.mjs` live. */
export const PROJECT_ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** The import map that maps the built entry's bare and `jsr:` imports. */
export const DENO_JSON = `${PROJECT_ROOT}deno.json`;

/** The host variables a child process needs to find `deno` and its caches; none is a secret. */
export function hostEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ["PATH", "HOME", "DENO_DIR", "NO_COLOR"]) {
    const value = Deno.env.get(name);
    if (value) env[name] = value;
  }
  return env;
}

/**
 * Runs `deno task build --outDir outDir` (the build command Deno Deploy runs) with a cleared
 * environment: only `hostEnv()` and `env`.
 */
export async function buildInto(outDir: string, env: Record<string, string> = {}): Promise<void> {
  const result = await runBuild(outDir, env);
  if (!result.ok) throw new Error(`Build into "${outDir}" failed:\n${result.output}`);
}

/**
 * `buildInto` that reports instead of throwing: whether it succeeded, and everything it printed.
 * `root`: another Astro project to build (a test fixture) instead of this app.
 */
export async function runBuild(
  outDir: string,
  env: Record<string, string> = {},
  root?: string,
): Promise<{ ok: boolean; output: string }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["task", "build", "--outDir", outDir, ...(root ? ["--root", root] : [])],
    cwd: PROJECT_ROOT,
    // Telemetry would be a network call from the build; it changes nothing in the output.
    env: { ...hostEnv(), ASTRO_TELEMETRY_DISABLED: "1", ...env },
    clearEnv: true,
  }).output();
  return { ok: code === 0, output: decode(stdout, stderr) };
}

/** Caches `entry` and everything it imports into `denoDir`, as the platform's install step. */
export async function cacheEntry(entry: string, denoDir: string): Promise<void> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    // --frozen: a smoke run must never rewrite the shared deno.lock.
    args: ["install", "--frozen", "--config", DENO_JSON, "--entrypoint", entry],
    cwd: PROJECT_ROOT,
    env: { ...hostEnv(), DENO_DIR: denoDir },
    clearEnv: true,
  }).output();
  if (code !== 0) throw new Error(`Caching "${entry}" failed:\n${decode(stdout, stderr)}`);
}

/** How to start a built server. */
export interface ServerOptions {
  entry: string;
  port: number;
  /** The runtime environment (the Production context's variables); nothing else is passed. */
  env: Record<string, string>;
  /** A `DENO_DIR` prepared with `cacheEntry`; implies `--cached-only`. */
  denoDir?: string;
  /** The `deno` binary to run it with (an older release, say); the one running the tests if unset. */
  deno?: string;
}

/** A running (or exited) Deno process. */
export interface ServerProcess {
  readonly pid: number;
  /** Everything the process wrote to stdout and stderr so far. */
  logs(): string;
  /** Resolves when the process has exited and its output is read. */
  readonly exited: Promise<Deno.CommandStatus>;
  /** Sends `signal` (if still running) and waits for the exit. */
  stop(signal?: Deno.Signal): Promise<Deno.CommandStatus>;
}

/** Spawns the built entry with the permissions of `deno task start`, listening on `port`. */
export function spawnServer(options: ServerOptions): ServerProcess {
  const cache = options.denoDir ? ["--cached-only"] : [];
  return spawnDeno(
    ["run", ...cache, "--config", DENO_JSON, "--allow-net", "--allow-read", "--allow-env"]
      .concat("--allow-write")
      .concat(options.entry),
    options.port,
    { ...(options.denoDir ? { DENO_DIR: options.denoDir } : {}), ...options.env },
    { deno: options.deno },
  );
}

/**
 * Runs `deno <args>` (the `deno` binary, by default the one running the tests) from the project
 * root with a cleared environment (`hostEnv()` and `env` only), its `Deno.serve` bound to `port`
 * through `DENO_SERVE_ADDRESS`, its output collected.
 */
export function spawnDeno(
  args: string[],
  port: number,
  env: Record<string, string>,
  { deno = Deno.execPath() }: { deno?: string } = {},
): ServerProcess {
  const child = new Deno.Command(deno, {
    args,
    cwd: PROJECT_ROOT,
    env: serveEnv(port, env),
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let output = "";
  const decoder = new TextDecoder();
  const drain = (stream: ReadableStream<Uint8Array>) =>
    stream.pipeTo(new WritableStream({ write: (chunk) => void (output += decoder.decode(chunk)) }));
  const exited = Promise.all([child.status, drain(child.stdout), drain(child.stderr)])
    .then(([status]) => status);
  return {
    pid: child.pid,
    logs: () => output,
    exited,
    stop(signal = "SIGTERM") {
      try {
        child.kill(signal);
      } catch { /* already exited */ }
      return exited;
    },
  };
}

/**
 * `hostEnv()` and `env`, with `DENO_SERVE_ADDRESS` on `port` unless `env` sets it; an empty value
 * in `env` leaves it unset (to test `PORT`).
 */
function serveEnv(port: number, env: Record<string, string>): Record<string, string> {
  const merged: Record<string, string> = {
    ...hostEnv(),
    DENO_SERVE_ADDRESS: `tcp:127.0.0.1:${port}`,
    ...env,
  };
  if (merged.DENO_SERVE_ADDRESS === "") delete merged.DENO_SERVE_ADDRESS;
  return merged;
}

/**
 * Resolves once `server` answers `/healthz` on `port` (200, or 503 when configured shared state
 * fell back to memory: the server is up either way); rejects with its logs if it exits.
 */
export async function waitForHealth(server: ServerProcess, port: number): Promise<void> {
  let exited = false;
  server.exited.then(() => (exited = true));
  for (let attempt = 0; attempt < 200 && !exited; attempt++) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/healthz`);
      await response.body?.cancel();
      if (response.status === 200 || response.status === 503) return;
    } catch { /* not listening yet */ }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`Built server ${exited ? "exited" : "did not start in 10 s"}:\n${server.logs()}`);
}

/** The version `deno --version` prints for the binary `deno`, e.g. "2.5.0". */
export async function denoVersion(deno: string): Promise<string> {
  // npm's node_modules/.bin/deno is a Node script that starts the binary and forwards no signal:
  // a stop signal would reach the script, never the server, and the checks would hang.
  const head = new Uint8Array(2);
  using file = await Deno.open(deno);
  await file.read(head);
  if (new TextDecoder().decode(head) === "#!") {
    throw new Error(`"${deno}" is a script; give the deno executable (node_modules/deno/deno)`);
  }
  const { stdout } = await new Deno.Command(deno, { args: ["--version"] }).output();
  const version = /^deno (\S+)/.exec(new TextDecoder().decode(stdout))?.[1];
  if (!version) throw new Error(`"${deno} --version" printed no version`);
  return version;
}

function decode(...chunks: Uint8Array[]): string {
  return chunks.map((chunk) => new TextDecoder().decode(chunk)).join("");
}
