/**
 * Runs the AuthKit stand-in for local development:
 *
 * ```sh
 * deno run --allow-net --allow-read --allow-env packages/authkit-astro-deno/src/dev/standin/main.ts
 * ```
 *
 * It reads the app's own `WORKOS_API_KEY`, `WORKOS_CLIENT_ID` and `WORKOS_REDIRECT_URI`, and
 * `STANDIN_PORT` (default 8787).
 *
 * @module
 */
import { startStandIn } from "./server.ts";

const REQUIRED = ["WORKOS_API_KEY", "WORKOS_CLIENT_ID", "WORKOS_REDIRECT_URI"] as const;

if (import.meta.main) await main();

/** Starts the stand-in from the environment, or exits naming every missing variable. */
async function main(): Promise<void> {
  const missing = REQUIRED.filter((name) => !Deno.env.get(name));
  const port = Number(Deno.env.get("STANDIN_PORT") ?? "8787");
  const problems = missing.map((name) => `${name} is not set`);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    problems.push(`STANDIN_PORT "${Deno.env.get("STANDIN_PORT")}" is not a port number`);
  }
  if (problems.length > 0) {
    console.error(`AuthKit stand-in cannot start: ${problems.join("; ")}.`);
    Deno.exit(1);
  }
  const standIn = await startStandIn({
    apiKey: Deno.env.get("WORKOS_API_KEY")!,
    clientId: Deno.env.get("WORKOS_CLIENT_ID")!,
    redirectUris: [Deno.env.get("WORKOS_REDIRECT_URI")!],
    port,
  });
  console.log(`AuthKit stand-in listening on ${standIn.url.origin}`);
  console.log(
    `Point the app at it with WORKOS_API_HOSTNAME=${standIn.hostname} ` +
      `WORKOS_API_PORT=${standIn.port} WORKOS_API_HTTPS=false`,
  );
}
