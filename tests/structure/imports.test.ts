/**
 * The layout's rules, checked on the tree itself: no module-evaluation import cycle in
 * any app or package (one once made `next build` fail with "Cannot access 'X' before
 * initialization"), no package importing an app, every cross-package import through a
 * package's `exports` map, and no test or benchmark reaching into an app's sources.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cycles, resolveImport, ROOT, sourceFiles, workspaceEntries } from "./source-graph";

const files = sourceFiles();
const entries = workspaceEntries();
const webAlias = path.join(ROOT, "apps/web/src");
const rel = (f: string) => path.relative(ROOT, f);

describe("imports", () => {
  it("finds the workspace's sources (the check is not vacuous)", () => {
    expect(files.length).toBeGreaterThan(150);
    expect(entries.get("@cairn/protocol")).toBe(path.join(ROOT, "packages/protocol/src/index.ts"));
  });

  it("have no module-evaluation cycle", () => {
    const graph = new Map<string, string[]>();
    for (const f of files) {
      graph.set(
        f.file,
        f.specifiers.map((s) => resolveImport(s, f.file, entries, webAlias)).filter((t): t is string => t !== null),
      );
    }
    expect(cycles(graph).map((c) => c.map(rel))).toEqual([]);
  });

  it("never make a package import an app, or one package reach into another's files", () => {
    const wrong: string[] = [];
    for (const f of files) {
      for (const spec of f.specifiers) {
        if (/^@cairn\/(web|relay)(\/|$)/.test(spec) && f.owner.startsWith("packages/")) wrong.push(`${rel(f.file)} imports ${spec}`);
        if (!spec.startsWith(".")) continue;
        const target = resolveImport(spec, f.file, entries, webAlias);
        if (target && !target.startsWith(path.join(ROOT, f.owner) + path.sep)) wrong.push(`${rel(f.file)} reaches ${rel(target)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("keep tests and benchmarks out of the apps' sources", () => {
    const offenders: string[] = [];
    const scan = (dir: string) => {
      for (const name of readdirSync(dir)) {
        if (name === "node_modules" || name.startsWith(".") || name === "test-results") continue;
        const full = path.join(dir, name);
        if (statSync(full).isDirectory()) scan(full);
        else if (/\.tsx?$/.test(name) && /["'](\.\.\/)+apps\//.test(readFileSync(full, "utf8"))) offenders.push(rel(full));
      }
    };
    scan(path.join(ROOT, "tests"));
    for (const pkg of readdirSync(path.join(ROOT, "packages"))) scan(path.join(ROOT, "packages", pkg));
    expect(offenders).toEqual([]);
  });
});

describe("the cycle finder", () => {
  it("finds a cycle and ignores a chain", () => {
    const graph = new Map([
      ["a", ["b"]],
      ["b", ["c"]],
      ["c", ["a"]],
      ["d", ["a"]],
    ]);
    expect(cycles(graph)).toEqual([["a", "b", "c"]]);
    expect(cycles(new Map([["a", ["b"]], ["b", []]]))).toEqual([]);
  });
});
