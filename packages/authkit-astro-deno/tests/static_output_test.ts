import { assertEquals } from "@std/assert";
import { resolveRoutes } from "../src/core/routes.ts";
import {
  findProtectedPrerenders,
  findProtectedStaticFiles,
  staticOutputError,
} from "../src/astro/static-output.ts";
import { clientFileUrl } from "../src/server/static-files.ts";

const routes = resolveRoutes({ protectedRoutes: ["/dashboard", "/api", "/Team/Private"] });

Deno.test("S65 findProtectedPrerenders() names each prerendered route under a prefix, and its prefix", () => {
  const route = (pattern: string, isPrerendered = true) => ({
    pattern,
    isPrerendered,
    entrypoint: `src/pages${pattern}.astro`,
  });
  const problems = findProtectedPrerenders([
    route("/dashboard"),
    route("/dashboard/help"),
    route("/DASHBOARD/Faq"), // as the guard folds case, so does the check
    route("/api/data.json"),
    route("/team/private/[id]"),
    route("/dashboard/live", false), // rendered on demand: the guard runs
    route("/dashboards"), // not under "/dashboard"
    route("/"),
    route("/[...slug]"), // its pages are checked once written (findProtectedStaticFiles)
    route("/team"),
  ], routes);
  assertEquals(problems, [
    'src/pages/dashboard.astro (/dashboard) is prerendered under the protected prefix "/dashboard"',
    'src/pages/dashboard/help.astro (/dashboard/help) is prerendered under the protected prefix "/dashboard"',
    'src/pages/DASHBOARD/Faq.astro (/DASHBOARD/Faq) is prerendered under the protected prefix "/dashboard"',
    'src/pages/api/data.json.astro (/api/data.json) is prerendered under the protected prefix "/api"',
    'src/pages/team/private/[id].astro (/team/private/[id]) is prerendered under the protected prefix "/team/private"',
  ]);
});

Deno.test("S65 findProtectedStaticFiles() names every written file under a prefix", async () => {
  const dir = await Deno.makeTempDir({ prefix: "static_output_test_" });
  try {
    const files = [
      "index.html",
      "about/index.html",
      "dashboard/report/index.html",
      "Api/export.csv",
      "dashboards/index.html",
      "_astro/app.js",
    ];
    for (const file of files) {
      await Deno.mkdir(`${dir}/${file.slice(0, file.lastIndexOf("/") + 1)}`, { recursive: true });
      await Deno.writeTextFile(`${dir}/${file}`, "x");
    }
    const problems = await findProtectedStaticFiles(new URL(`file://${dir}/`), routes);
    assertEquals(problems.sort(), [
      '/Api/export.csv is a static file under the protected prefix "/api"',
      '/dashboard/report/index.html is a static file under the protected prefix "/dashboard"',
    ]);
    assertEquals(await findProtectedStaticFiles(new URL(`file://${dir}/about/`), routes), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("S65 the build's error lists every problem and says how to fix it", () => {
  const message = staticOutputError(["a", "b"]).message;
  assertEquals(message.split("\n").slice(1, 3), ["  - a", "  - b"]);
  assertEquals(message.includes("prerender = false"), true);
});

Deno.test("clientFileUrl() joins a request path inside the client folder whatever its leading slashes", () => {
  const root = new URL("file:///srv/dist/client/");
  const cases: [string, string][] = [
    ["/about", "file:///srv/dist/client/about"],
    ["about", "file:///srv/dist/client/about"],
    ["//about/", "file:///srv/dist/client/about/"],
    ["/", "file:///srv/dist/client/"],
    ["/_astro/app.js", "file:///srv/dist/client/_astro/app.js"],
    // Still encoded: the file server decodes and refuses a `..` segment (tests/shims_test.ts).
    ["/..%2Fsecret", "file:///srv/dist/client/..%2Fsecret"],
  ];
  for (const [path, expected] of cases) {
    assertEquals(clientFileUrl(path, root).href, expected, path);
  }
});

Deno.test("clientFileUrl() answers a directory with its index.html, and never looks above the folder", async () => {
  const root = await Deno.makeTempDir({ prefix: "client_file_url_" });
  try {
    await Deno.mkdir(`${root}/client/about`, { recursive: true });
    await Deno.mkdir(`${root}/outside`);
    await Deno.writeTextFile(`${root}/client/about/index.html`, "<p>about</p>");
    const client = new URL(`file://${root}/client/`);
    for (const path of ["/about", "/about/", "about", "//about"]) {
      assertEquals(clientFileUrl(path, client).href, `${client.href}about/index.html`, path);
    }
    assertEquals(clientFileUrl("/about/index.html", client).href, `${client.href}about/index.html`);
    assertEquals(clientFileUrl("/missing", client).href, `${client.href}missing`);
    // `outside` is a directory, but above the client folder: left as it is for the file server.
    assertEquals(clientFileUrl("/..%2Foutside", client).href, `${client.href}..%2Foutside`);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
