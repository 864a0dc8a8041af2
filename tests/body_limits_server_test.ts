/**
 * Bounded form bodies on the built server (SECURITY-CASES S52): a 200 MB post to the switch or to
 * sign-out, streamed without a length, with or without a session, gets 413 and leaves the
 * process's memory flat.
 */
import { assert, assertEquals } from "@std/assert";
import { CookieJar, request, signIn } from "./support/http_client.ts";
import { startStack } from "./support/stack.ts";
import { readRssMiB as rssMiB } from "./support/flood.ts";

const ADA = "user_01ADA000000000000000000000";
const TOTAL = 200 * 2 ** 20;

/** A urlencoded body of `TOTAL` bytes, streamed in 64 KiB chunks with no `Content-Length`. */
function hugeForm(): ReadableStream<Uint8Array> {
  const chunk = new TextEncoder().encode("organizationId=" + "a".repeat(64 * 1024 - 15));
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= TOTAL) return controller.close();
      sent += chunk.byteLength;
      controller.enqueue(chunk);
    },
  });
}

Deno.test("S52 built server: a 200 MB streamed form to the switch or sign-out gets 413 and memory stays flat", async () => {
  await using stack = await startStack();
  const jar = new CookieJar();
  await signIn(stack, jar, { userId: ADA });
  const before = rssMiB(stack.pid!);
  let answered = 0;
  for (const path of ["/auth/switch-organization", "/sign-out"]) {
    for (const cookie of [jar.header(), ""]) {
      const response = await fetch(new URL(path, stack.appUrl), {
        method: "POST",
        headers: {
          origin: stack.appUrl.origin,
          "content-type": "application/x-www-form-urlencoded",
          ...(cookie ? { cookie } : {}),
        },
        body: hugeForm(),
        redirect: "manual",
      }).catch((error) => error as Error);
      // The server may close the upload once it has answered; either way nothing was accepted.
      if (response instanceof Response) {
        assertEquals(response.status, 413, `${path} ${cookie ? "with" : "without"} a cookie`);
        answered++;
        await response.body?.cancel();
      }
    }
  }
  assert(answered > 0, "at least one 413 reached the client before the upload was cut");
  const growth = rssMiB(stack.pid!) - before;
  console.log(`  ${answered}/4 answered 413; RSS growth: ${growth.toFixed(1)} MiB`);
  assert(growth < 32, `RSS grew ${growth.toFixed(1)} MiB`);
  const { response } = await request(new URL("/dashboard", stack.appUrl), jar);
  assertEquals(response.status, 200, "still signed in: nothing changed");
  assertEquals(stack.standIn.counts().revoke, 0);
});
