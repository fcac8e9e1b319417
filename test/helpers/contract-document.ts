/** The OpenAPI document the contract checks responses against (./contract.ts), as the API builds it. */
import { apiInfo } from "../../shared/api/docs.ts";
import { allOperations } from "../../shared/api/index.ts";
import { type OpenApiDocument, openApiDocument } from "../../shared/http/openapi.ts";

export const contractDocumentNow = (): OpenApiDocument => openApiDocument(allOperations, apiInfo);
