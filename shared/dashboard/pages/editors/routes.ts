/** The invoice and quote editors' pages, actions and live previews. */
import type { DashboardRoute } from "../../context.ts";
import { invoiceEditorRoutes } from "./invoice-editor.ts";
import { quoteEditorRoutes } from "./quote-editor.ts";

export const editorRoutes: readonly DashboardRoute[] = [...invoiceEditorRoutes, ...quoteEditorRoutes];
