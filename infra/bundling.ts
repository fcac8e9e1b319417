/**
 * The house bundling settings for every function: minified, tree-shaken ESM for Node 24 (the Lambda
 * runtime, `lambdaRuntime`) with source maps and a `createRequire` banner (some dependencies still call `require`). The CDK construct and
 * the bench both use these, so the measured bundle is the deployed one.
 */
export const bundling = {
  platform: "node",
  format: "esm",
  target: "node24",
  minify: true,
  sourcemap: true,
  treeShaking: true,
  mainFields: ["module", "main"],
  banner: "import { createRequire as __kassaCreateRequire } from 'node:module'; const require = __kassaCreateRequire(import.meta.url);",
  /** The SDK is bundled too: pinned versions, and only the commands a function uses. */
  external: [] as string[],
} as const;
