import { assert, assertEquals, assertThrows } from "@std/assert";
import { serveFile } from "../src/shims/std_file_server.ts";
import { fromFileUrl } from "../src/shims/std_path.ts";

/** A temporary client folder with a few files, and a secret beside it; removed on dispose. */
async function clientFolder() {
  const root = await Deno.makeTempDir({ prefix: "shims_test_" });
  const client = `${root}/client`;
  await Deno.mkdir(`${client}/assets/nested`, { recursive: true });
  const files: Record<string, string> = {
    "index.html": "<!doctype html><p>hi</p>",
    "assets/site.css": "body{color:red}",
    "assets/app.js": "console.log(1)",
    "assets/icon.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
    "assets/blob.bin": "\u0000\u0001binary",
    "assets/README": "no extension",
  };
  for (const [name, text] of Object.entries(files)) {
    await Deno.writeTextFile(`${client}/${name}`, text);
  }
  await Deno.writeTextFile(`${root}/secret.txt`, "outside the client folder");
  return {
    root,
    client,
    files,
    async [Symbol.asyncDispose]() {
      await Deno.remove(root, { recursive: true });
    },
  };
}

const get = (path: string) => new Request(`http://localhost${path}`);

Deno.test("serveFile() serves each file with its content type, length and body", async () => {
  await using dir = await clientFolder();
  const expected: [string, string][] = [
    ["index.html", "text/html; charset=UTF-8"],
    ["assets/site.css", "text/css; charset=UTF-8"],
    ["assets/app.js", "text/javascript; charset=UTF-8"],
    ["assets/icon.svg", "image/svg+xml"],
    ["assets/blob.bin", "application/octet-stream"],
    ["assets/README", "application/octet-stream"],
  ];
  for (const [name, type] of expected) {
    const response = await serveFile(get(`/${name}`), `${dir.client}/${name}`);
    const body = await response.text();
    assertEquals(response.status, 200, name);
    assertEquals(response.headers.get("content-type"), type, name);
    assertEquals(body, dir.files[name], name);
    assertEquals(
      response.headers.get("content-length"),
      String(new TextEncoder().encode(body).length),
    );
  }
});

Deno.test("serveFile() answers 404 for a missing file and for a directory", async () => {
  await using dir = await clientFolder();
  for (
    const path of [
      `${dir.client}/missing.html`,
      `${dir.client}/assets`,
      `${dir.client}/assets/`,
      dir.client,
    ]
  ) {
    const response = await serveFile(get("/x"), path);
    assertEquals(response.status, 404, path);
    assertEquals(await response.text(), "Not Found");
  }
});

Deno.test("serveFile() answers HEAD with the headers and no body", async () => {
  await using dir = await clientFolder();
  const response = await serveFile(
    new Request("http://localhost/index.html", { method: "HEAD" }),
    `${dir.client}/index.html`,
  );
  assertEquals(response.status, 200);
  assertEquals(response.headers.get("content-type"), "text/html; charset=UTF-8");
  assertEquals(response.headers.get("content-length"), String(dir.files["index.html"].length));
  assert(response.headers.has("last-modified"));
  assertEquals(response.body, null);
});

Deno.test("serveFile() answers 404 for any path with a .. segment, even if the target exists", async () => {
  await using dir = await clientFolder();
  const paths = [
    `${dir.client}/../secret.txt`,
    `${dir.client}/assets/../index.html`,
    `${dir.client}/assets/nested/../../index.html`,
    // What the adapter gets for `/%2E%2E%2Fsecret.txt`: the URL keeps it one segment, then
    // `fromFileUrl` decodes it into a real `..`.
    fromFileUrl(new URL("./%2E%2E%2Fsecret.txt", `file://${dir.client}/`)),
  ];
  for (const path of paths) {
    assert((await Deno.stat(path)).isFile, `control: ${path} exists`);
    const response = await serveFile(get("/x"), path);
    assertEquals(response.status, 404, path);
    await response.body?.cancel();
  }
});

Deno.test("fromFileUrl() decodes percent-escapes and tolerates malformed ones", () => {
  const cases: [string | URL, string][] = [
    ["file:///srv/client/a%20b.html", "/srv/client/a b.html"],
    [new URL("file:///srv/client/%C3%A9t%C3%A9.css"), "/srv/client/été.css"],
    ["file:///srv/client/100%.txt", "/srv/client/100%.txt"],
    ["file:///srv/client/%zz.txt", "/srv/client/%zz.txt"],
    ["file:///srv/client/%C0.txt", "/srv/client/%C0.txt"],
    ["file:///srv/client/a%2Fb", "/srv/client/a/b"],
  ];
  for (const [url, expected] of cases) assertEquals(fromFileUrl(url), expected, String(url));
});

Deno.test("fromFileUrl() throws a TypeError for a URL that is not a file URL", () => {
  for (const url of ["https://example.com/etc/passwd", new URL("data:text/plain,x"), "not a url"]) {
    assertThrows(() => fromFileUrl(url), TypeError);
  }
});
