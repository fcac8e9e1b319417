import type { Metafile } from "esbuild";
import { describe, expect, it } from "vitest";
import {
  addFloorImports,
  coldProjectFiles,
  type FloorImports,
  floorSource,
  packagesInOutput,
} from "../../bench/floors.ts";

const all = new Set(["zod", "@aws-sdk/lib-dynamodb", "@aws-sdk/client-sqs", "@middy/core"]);

describe("bench floors", () => {
  it("collects value imports from floor packages only, skipping type-only ones and other packages", () => {
    const source = `
      import { z } from "zod";
      import type { QueryCommandInput } from "@aws-sdk/lib-dynamodb";
      import {
        GetCommand,
        type PutCommandInput,
        QueryCommand as Q,
      } from "@aws-sdk/lib-dynamodb";
      import middy from "@middy/core";
      import Stripe from "stripe";
      import { helper } from "./helper.ts";
    `;
    const imports = addFloorImports(source, new Map(), all);
    expect([...imports.keys()].sort()).toEqual(["@aws-sdk/lib-dynamodb", "@middy/core", "zod"]);
    expect([...(imports.get("@aws-sdk/lib-dynamodb")?.names ?? [])].sort()).toEqual([
      "GetCommand",
      "QueryCommand",
    ]);
    expect(imports.get("@middy/core")?.default).toBe(true);
  });

  it("leaves out a package tree-shaking dropped from the real bundle", () => {
    const imports = addFloorImports(
      `import { SQSClient } from "@aws-sdk/client-sqs";`,
      new Map(),
      new Set(["zod"]),
    );
    expect(imports.size).toBe(0);
  });

  it("writes an entry that imports and keeps every binding", () => {
    const imports: FloorImports = new Map([
      ["zod", { names: new Set(["z"]), default: false, namespace: false }],
      ["@middy/core", { names: new Set(), default: true, namespace: false }],
    ]);
    expect(floorSource(imports)).toBe(
      [
        `import f0 from "@middy/core";`,
        `import { z as f1 } from "zod";`,
        "export const floor = [f0, f1];",
        "export const handler = async () => ({});",
        "",
      ].join("\n"),
    );
  });

  it("follows static imports from the entry but not lazy ones, and stops at node_modules", () => {
    const edge = (path: string, kind: string) => ({ path, kind, original: path }) as never;
    const metafile = {
      inputs: {
        "functions/a.ts": {
          bytes: 1,
          imports: [edge("shared/b.ts", "import-statement"), edge("shared/pdf.ts", "dynamic-import")],
        },
        "shared/b.ts": { bytes: 1, imports: [edge("node_modules/zod/index.js", "import-statement")] },
        "shared/pdf.ts": { bytes: 1, imports: [] },
        "node_modules/zod/index.js": {
          bytes: 1,
          imports: [edge("node_modules/zod/x.js", "import-statement")],
        },
      },
      outputs: {},
    } as unknown as Metafile;
    expect(coldProjectFiles(metafile, "functions/a.ts")).toEqual(["functions/a.ts", "shared/b.ts"]);
  });

  it("names the floor packages that kept bytes in the output", () => {
    const metafile = {
      inputs: {},
      outputs: {
        "out.mjs": {
          inputs: {
            "../main/node_modules/zod/v4/core.js": { bytesInOutput: 10 },
            "../main/node_modules/@aws-sdk/client-scheduler/dist-es/index.js": { bytesInOutput: 0 },
            "../main/node_modules/@aws-sdk/client-sqs/dist-es/SQSClient.js": { bytesInOutput: 5 },
            "../main/node_modules/stripe/esm/stripe.js": { bytesInOutput: 99 },
          },
        },
      },
    } as unknown as Metafile;
    expect([...packagesInOutput(metafile)].sort()).toEqual(["@aws-sdk/client-sqs", "zod"]);
  });
});
