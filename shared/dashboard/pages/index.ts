/**
 * Every page and action of the dashboard, in groups by the navigation section they serve
 * (`/app/<section>/…`, `sectionOf` in shared/dashboard/shell.ts). The dashboard function loads a
 * section's group on the first request for it (`pageRoutesFor`): bundles are code-split
 * (infra/bundling.ts), so a cold start reads the framework only and a request reads its own section's
 * pages, never the whole dashboard's (the function's cold code went from 1,088 KB to 630 KB).
 */
import type { DashboardRoute } from "../context.ts";
import { sectionOf } from "../shell.ts";

type Group = () => Promise<readonly DashboardRoute[]>;

/** A group loaded once per container, however many requests ask for it at once. */
function group(load: () => Promise<readonly (readonly DashboardRoute[])[]>): Group {
  let loaded: Promise<readonly DashboardRoute[]> | undefined;
  return () => {
    loaded ??= load().then((parts) => parts.flat());
    return loaded;
  };
}

const groups = {
  home: group(async () => [(await import("./home.ts")).homeRoutes]),
  /** The eight record sections: index pages, detail pages and their editors. */
  records: group(async () => {
    const [lists, details, editors, linksSubs] = await Promise.all([
      import("./lists.ts"),
      import("./details.ts"),
      import("./editors/routes.ts"),
      import("./links-subs/index.ts"),
    ]);
    return [lists.listRoutes, editors.editorRoutes, details.detailRoutes, linksSubs.linksSubsRoutes];
  }),
  reportsWorkflows: group(async () => [
    (await import("./reports-workflows/index.ts")).reportsWorkflowsRoutes,
  ]),
  settings: group(async () => {
    const [settings, developer] = await Promise.all([
      import("./settings/index.ts"),
      import("./settings-dev/routes.ts"),
    ]);
    return [settings.settingsRoutes, developer.settingsDevRoutes];
  }),
  team: group(async () => [(await import("./team.ts")).teamRoutes]),
};

const groupOfSection: Readonly<Record<string, keyof typeof groups>> = {
  home: "home",
  invoices: "records",
  payments: "records",
  subscriptions: "records",
  quotes: "records",
  "payment-links": "records",
  customers: "records",
  payouts: "records",
  tasks: "records",
  reports: "reportsWorkflows",
  workflows: "reportsWorkflows",
  settings: "settings",
  team: "team",
};

/** The routes that may serve `path`: its section's group (none for an unknown section: a 404). */
export function pageRoutesFor(path: string): Promise<readonly DashboardRoute[]> {
  const name = groupOfSection[sectionOf(path)];
  return name ? groups[name]() : Promise.resolve([]);
}

/** Every route of every section (tests walk them all). */
export async function allPageRoutes(): Promise<readonly DashboardRoute[]> {
  return (await Promise.all(Object.values(groups).map((load) => load()))).flat();
}
