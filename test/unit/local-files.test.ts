import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeFileAtomically } from "../../infra/local/files.ts";

describe("the local runtime's files (local.json, its secrets)", () => {
  it("replace the old file whole: a new file is renamed into place, never the old one filled in", () => {
    // A reader polling for local.json read it empty when it was created and then written in place
    // (the restart e2e test failed on "Unexpected end of JSON input"). A rename gives the path a new
    // inode holding the whole content; an in-place write keeps the old inode.
    const dir = mkdtempSync(join(tmpdir(), "kassa-files-"));
    const path = join(dir, "local.json");
    writeFileSync(path, '{"apiUrl":"http://old"}');
    const before = statSync(path).ino;
    writeFileAtomically(path, '{"apiUrl":"http://new"}\n', { mode: 0o600 });
    expect(statSync(path).ino).not.toBe(before);
    expect(JSON.parse(readFileSync(path, "utf8"))).toEqual({ apiUrl: "http://new" });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(["local.json"]);
  });
});
