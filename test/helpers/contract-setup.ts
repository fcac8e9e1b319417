/**
 * Builds the OpenAPI document the contract check (./contract.ts) reads once per run and hands it to
 * every test file through `inject`, rather than every file building it again.
 */
import type { TestProject } from "vitest/node";
import type { OpenApiDocument } from "../../shared/http/openapi.ts";
import { contractDocumentNow } from "./contract-document.ts";

declare module "vitest" {
  export interface ProvidedContext {
    contractDocument: OpenApiDocument;
  }
}

export default function setup(project: TestProject) {
  project.provide("contractDocument", contractDocumentNow());
}
