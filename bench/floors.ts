/**
 * A function's *floor*: the AWS SDK clients, zod, middy and Powertools modules its bundle loads at
 * cold start, and nothing else. Found from esbuild's metafile of the real bundle — the project files
 * reached from the entry by static imports only (what an `await import()` pulls in is not loaded at
 * cold start, so it is no part of the floor) — and the bindings those files import from the floor
 * packages. The floor entry imports the same bindings and keeps them, so bundling it the same way
 * evaluates the same library code the function cannot do without.
 */
import type { Metafile } from "esbuild";

/** The packages a function's floor is made of. */
export const floorPackage =
  /^(@aws-sdk\/[^/]+|@smithy\/[^/]+|zod|@middy\/[^/]+|@aws-lambda-powertools\/[^/]+)(\/|$)/;

/** Static edges: loaded when the importer is. `dynamic-import` edges are lazy. */
const staticKinds = new Set(["entry-point", "import-statement", "require-call", "require-resolve"]);

/** The project files (not under node_modules) a bundle evaluates at cold start, entry first. */
export function coldProjectFiles(metafile: Metafile, entry: string): string[] {
  const seen = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.shift() as string;
    if (seen.has(file) || file.includes("node_modules/")) continue;
    seen.add(file);
    for (const edge of metafile.inputs[file]?.imports ?? []) {
      if (staticKinds.has(edge.kind) && !edge.external) queue.push(edge.path);
    }
  }
  return [...seen];
}

/** The packages (`zod`, `@aws-sdk/client-sqs`) with code in the real bundle's output after tree-shaking. */
export function packagesInOutput(metafile: Metafile): Set<string> {
  const found = new Set<string>();
  for (const output of Object.values(metafile.outputs))
    for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
      const name = path.split("node_modules/").pop()?.match(floorPackage)?.[1];
      if (name && bytesInOutput > 0) found.add(name);
    }
  return found;
}

/** Per floor module specifier: the named bindings imported, and whether the default or `*` is. */
export type FloorImports = Map<string, { names: Set<string>; default: boolean; namespace: boolean }>;

const importStatement =
  /import\s+(type\s+)?([\w$]+\s*,?\s*)?(\*\s+as\s+[\w$]+|\{[^}]*\})?\s*from\s*["']([^"']+)["']/g;

/**
 * Adds the value imports `source` makes from floor packages to `into` (type-only imports skipped),
 * keeping only packages in `kept` — a shared module may import a client this function's code never
 * reaches, and tree-shaking drops it from the real bundle, so the floor must not hold it either.
 */
export function addFloorImports(source: string, into: FloorImports, kept: ReadonlySet<string>): FloorImports {
  for (const [, typeOnly, defaultPart, rest, specifier] of source.matchAll(importStatement)) {
    const name = specifier?.match(floorPackage)?.[1];
    if (typeOnly || !specifier || !name || !kept.has(name)) continue;
    const entry = into.get(specifier) ?? { names: new Set<string>(), default: false, namespace: false };
    if (defaultPart?.trim()) entry.default = true;
    if (rest?.startsWith("*")) entry.namespace = true;
    else if (rest?.startsWith("{")) {
      for (const part of rest.slice(1, -1).split(",")) {
        const name = part
          .trim()
          .split(/\s+as\s+/)[0]
          ?.trim();
        if (name && !name.startsWith("type ")) entry.names.add(name);
      }
    }
    if (entry.default || entry.namespace || entry.names.size > 0) into.set(specifier, entry);
  }
  return into;
}

/**
 * The floor entry's source: every binding imported and kept alive (exported), so tree-shaking keeps
 * exactly what the function keeps, plus the empty handler every bundle has.
 */
export function floorSource(imports: FloorImports): string {
  const lines: string[] = [];
  const kept: string[] = [];
  let n = 0;
  for (const [specifier, entry] of [...imports].sort(([a], [b]) => a.localeCompare(b))) {
    const spec = JSON.stringify(specifier);
    if (entry.default) {
      lines.push(`import f${n} from ${spec};`);
      kept.push(`f${n++}`);
    }
    if (entry.namespace) {
      lines.push(`import * as f${n} from ${spec};`);
      kept.push(`f${n++}`);
    }
    const names = [...entry.names].sort();
    if (names.length > 0) {
      const aliases = names.map((name) => `${name} as f${n++}`);
      lines.push(`import { ${aliases.join(", ")} } from ${spec};`);
      kept.push(...aliases.map((a) => a.split(" as ")[1] as string));
    }
  }
  lines.push(`export const floor = [${kept.join(", ")}];`, "export const handler = async () => ({});", "");
  return lines.join("\n");
}
