/** The English catalog: every key Kassa renders, and the one every other catalog must match. */
import { common } from "./common.ts";
import { documents } from "./documents.ts";
import { emails } from "./emails.ts";
import { pages } from "./pages.ts";
import { workflows } from "./workflows.ts";

export const en = { ...common, ...documents, ...pages, ...emails, ...workflows };
