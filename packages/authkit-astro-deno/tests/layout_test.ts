/**
 * The package's layout rules, checked on every run so they stay true: every module fits on a
 * few screens, no two modules import each other in a circle, and the lowest floor (`core/`:
 * errors, config, routes, responses) imports nothing above it.
 */
import { assert, assertEquals } from "@std/assert";
import { dirname, join, normalize, relative } from "node:path";
import { fileURLToPath as fromFileUrl } from "node:url";

const SRC = fromFileUrl(new URL("../src/", import.meta.url));
const MAX_LINES = 250;
const RELATIVE_IMPORT =
  /(?:import|export)[^;]*?from\s+"(\.{1,2}\/[^"]+)"|import\s+"(\.{1,2}\/[^"]+)"/g;

/** Every TypeScript module under `src/`, with its relative imports resolved to paths. */
async function readModules(
  dir = SRC,
  modules = new Map<string, { lines: number; imports: string[] }>(),
) {
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) await readModules(path, modules);
    else if (entry.name.endsWith(".ts")) {
      const text = await Deno.readTextFile(path);
      const imports = [...text.matchAll(RELATIVE_IMPORT)]
        .map((match) => relative(SRC, normalize(join(dirname(path), match[1] ?? match[2]))));
      modules.set(relative(SRC, path), { lines: text.split("\n").length - 1, imports });
    }
  }
  return modules;
}

/** The first import circle found, as the modules along it, or null. */
function findCircle(modules: Map<string, { imports: string[] }>): string[] | null {
  const state = new Map<string, "open" | "done">();
  const trail: string[] = [];
  const visit = (module: string): string[] | null => {
    state.set(module, "open");
    trail.push(module);
    for (const next of modules.get(module)?.imports ?? []) {
      if (!modules.has(next)) continue;
      if (state.get(next) === "open") return [...trail.slice(trail.indexOf(next)), next];
      if (!state.has(next)) {
        const circle = visit(next);
        if (circle) return circle;
      }
    }
    trail.pop();
    state.set(module, "done");
    return null;
  };
  for (const module of modules.keys()) {
    if (!state.has(module)) {
      const circle = visit(module);
      if (circle) return circle;
    }
  }
  return null;
}

const modules = await readModules();

Deno.test("layout: the package has its modules and sees their imports (control)", () => {
  assert(modules.size > 50, `${modules.size} modules read`);
  assert(modules.get("auth.ts")!.imports.includes("core/config.ts"), "auth.ts imports config");
  assertEquals(
    findCircle(new Map([["a.ts", { imports: ["b.ts"] }], ["b.ts", { imports: ["a.ts"] }]])),
    [
      "a.ts",
      "b.ts",
      "a.ts",
    ],
  );
});

Deno.test(`layout: no module is over ${MAX_LINES} lines`, () => {
  const long = [...modules].filter(([, m]) => m.lines > MAX_LINES).map(([path, m]) =>
    `${path}: ${m.lines}`
  );
  assertEquals(long, []);
});

Deno.test("layout: no import circles", () => {
  assertEquals(findCircle(modules), null);
});

Deno.test("layout: core/ imports nothing above it", () => {
  const upward = [...modules]
    .filter(([path]) => path.startsWith("core/"))
    .flatMap(([path, m]) =>
      m.imports.filter((i) => !i.startsWith("core/")).map((i) => `${path} → ${i}`)
    );
  assertEquals(upward, []);
});
