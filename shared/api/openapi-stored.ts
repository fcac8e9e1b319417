/**
 * The OpenAPI document as generated at build time (infra/generate-openapi.ts), so whoever serves it
 * loads no operation's schemas: decompressed on first use, once per container.
 */
import { brotliDecompressSync } from "node:zlib";
import type { OpenApiDocument } from "../http/openapi.ts";
import { openApiDocumentBrotli } from "./openapi.generated.ts";

let stored: OpenApiDocument | undefined;

/** The stored document, with `servers` naming `serverUrl` where the generator puts it (shared/http/openapi.ts). */
export function storedOpenApiDocument(serverUrl: string | undefined): OpenApiDocument {
  stored ??= JSON.parse(
    brotliDecompressSync(Buffer.from(openApiDocumentBrotli, "base64")).toString("utf8"),
  ) as OpenApiDocument;
  if (!serverUrl) return stored;
  const { openapi, info, jsonSchemaDialect, ...rest } = stored;
  return { openapi, info, jsonSchemaDialect, servers: [{ url: serverUrl }], ...rest };
}
