/** Every API operation, for the OpenAPI document and for tests that walk the whole API. */
import { customerOperations } from "./customers.ts";
import { apiKeyOperations, health, merchantOperations } from "./merchants.ts";

export const allOperations = [health, ...merchantOperations, ...apiKeyOperations, ...customerOperations];
