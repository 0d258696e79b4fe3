/**
 * The runtime import graph of the workspace's source files (apps/<x>/src and
 * packages/<x>/src, tests excluded): relative imports resolved to files, `@cairn/*`
 * imports resolved through each package's `exports` map. Type-only imports are left
 * out: they vanish at compile time and cannot make a module-evaluation cycle.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

export const ROOT = path.resolve(import.meta.dirname, "../..");

export interface SourceFile {
  file: string;
  /** "apps/web", "packages/db", … */
  owner: string;
  /** Runtime imports, as written. */
  specifiers: string[];
}

const SOURCE = /\.(ts|tsx)$/;
const SKIP = /(\.test\.tsx?|\.d\.ts)$|\/generated\//;

function walk(dir: string, out: string[]): void {
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name.startsWith(".")) continue;
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) walk(full, out);
    else if (SOURCE.test(name) && !SKIP.test(full)) out.push(full);
  }
}

/** `import … from "x"`, `export … from "x"`, `import "x"`, `import("x")`, minus `import type` / `export type`. */
function runtimeSpecifiers(text: string): string[] {
  const out: string[] = [];
  const statement = /(?:^|[\n;])\s*(import|export)\s+(type\s+)?([^'";]*?)\s*from\s*["']([^"']+)["']/g;
  for (const m of text.matchAll(statement)) {
    const clause = m[3] ?? "";
    if (m[2]) continue;
    // `import { type A, type B } from` is type-only too.
    const names = /^\{([^}]*)\}$/.exec(clause.trim())?.[1];
    if (names !== undefined && names.split(",").every((n) => n.trim() === "" || /^type\s/.test(n.trim()))) continue;
    out.push(m[4] as string);
  }
  for (const m of text.matchAll(/(?:^|[\n;])\s*import\s*["']([^"']+)["']/g)) out.push(m[1] as string);
  for (const m of text.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)) out.push(m[1] as string);
  return out;
}

export function sourceFiles(): SourceFile[] {
  const files: SourceFile[] = [];
  for (const group of ["apps", "packages"]) {
    for (const name of readdirSync(path.join(ROOT, group))) {
      const src = path.join(ROOT, group, name, "src");
      if (!existsSync(src)) continue;
      const list: string[] = [];
      walk(src, list);
      for (const file of list) files.push({ file, owner: `${group}/${name}`, specifiers: runtimeSpecifiers(readFileSync(file, "utf8")) });
    }
  }
  return files;
}

/** `@cairn/<name>[/<entry>]` → the file its package exports there, or null when it is not a workspace package. */
export function workspaceEntries(): Map<string, string> {
  const entries = new Map<string, string>();
  for (const group of ["apps", "packages", "chaincode"]) {
    const dirs = group === "chaincode" ? [path.join(ROOT, "chaincode")] : readdirSync(path.join(ROOT, group)).map((n) => path.join(ROOT, group, n));
    for (const dir of dirs) {
      const manifest = path.join(dir, "package.json");
      if (!existsSync(manifest)) continue;
      const pkg = JSON.parse(readFileSync(manifest, "utf8")) as { name?: string; exports?: Record<string, string> | string };
      if (!pkg.name?.startsWith("@cairn/") || !pkg.exports) continue;
      const exports = typeof pkg.exports === "string" ? { ".": pkg.exports } : pkg.exports;
      for (const [sub, target] of Object.entries(exports)) {
        if (typeof target !== "string") continue;
        entries.set(sub === "." ? pkg.name : `${pkg.name}/${sub.replace(/^\.\//, "")}`, path.join(dir, target));
      }
    }
  }
  return entries;
}

function resolveFile(base: string): string | null {
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, path.join(base, "index.ts"), path.join(base, "index.tsx")]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  // `./x.js` written for a `.ts` file (NodeNext style).
  if (/\.js$/.test(base)) return resolveFile(base.slice(0, -3));
  return null;
}

/** The file an import of `spec` from `from` loads, or null for a package outside the workspace. */
export function resolveImport(spec: string, from: string, entries: Map<string, string>, webAlias: string): string | null {
  if (spec.startsWith(".")) return resolveFile(path.resolve(path.dirname(from), spec));
  if (spec.startsWith("@/")) return resolveFile(path.join(webAlias, spec.slice(2)));
  const entry = entries.get(spec);
  return entry ?? null;
}

/** Strongly connected components with more than one file (or a file importing itself). */
export function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const stack: string[] = [];
  const on = new Set<string>();
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v) as number, idx.get(w) as number));
    }
    if (low.get(v) === idx.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        on.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return found;
}
