/** The Norwegian Bokmål catalog. */
import type { Catalog } from "../../catalog.ts";
import { common } from "./common.ts";
import { documents } from "./documents.ts";
import { emails } from "./emails.ts";
import { pages } from "./pages.ts";
import { workflows } from "./workflows.ts";

export const nb: Catalog = { ...common, ...documents, ...pages, ...emails, ...workflows };
