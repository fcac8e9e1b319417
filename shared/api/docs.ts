/** The API's own documentation: the OpenAPI document and the HTML reference rendered from it. */
import * as z from "zod";
import { defineOperation } from "../http/operation.ts";

/** The document's `info`: infra/generate-openapi.ts writes the served document with it. */
export const apiInfo = { title: "Kassa API", version: "1" } as const;

export const openApiJson = defineOperation({
  id: "getOpenApiDocument",
  method: "GET",
  path: "/v1/openapi.json",
  auth: "public",
  tag: "Documentation",
  summary: "This API's OpenAPI 3.1 document, generated from the operations' schemas",
  response: () =>
    z
      .looseObject({
        openapi: z.string(),
        info: z.looseObject({ title: z.string(), version: z.string() }),
        paths: z.record(z.string(), z.unknown()),
        components: z.record(z.string(), z.unknown()),
      })
      .describe("An OpenAPI 3.1 document"),
  status: 200,
});

export const docsPage = defineOperation({
  id: "getDocsPage",
  method: "GET",
  path: "/docs",
  auth: "public",
  tag: "Documentation",
  summary: "This API reference as a readable HTML page",
  status: 200,
  produces: "text/html",
});

export const docsOperations = [openApiJson, docsPage];
