/**
 * The local runtime's files that other processes read while it runs (`.kassa/local.json`, which
 * `npm run invoke`, scripts and the tests poll for): written whole or not at all. A plain write
 * creates the file empty and fills it, so a reader that sees it appear can read it half written.
 */
import { renameSync, writeFileSync } from "node:fs";

/** Writes a sibling temporary file and renames it over `path`: a reader sees the old file or the new one. */
export function writeFileAtomically(path: string, content: string, options: { mode?: number } = {}): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, content, { mode: options.mode ?? 0o644 });
  renameSync(temporary, path);
}
