/**
 * One index page, configured per collection: the list the API serves at `GET /v1/<collection>`, read
 * through `listResponse` (shared/http/list.ts) with the operation's own query schema, so the page's
 * filters, saved views, cursors and CSV export are the API's — the same 400 for a bad filter, a cursor
 * that continues in the API and back, and the same CSV bytes. The page adds what a person needs around
 * it: saved views as tabs, a filter bar, a search box (`?q=`), pagination links and "Save as view".
 */
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import * as z from "zod";
import { createView } from "../../../api/views.ts";
import { merchantPorts, reportReadPorts, viewPorts } from "../../../composition.ts";
import type { Clock } from "../../../domain/clock.ts";
import { type FieldError, ValidationError } from "../../../domain/errors.ts";
import type { CsvColumn } from "../../../http/csv.ts";
import type { Position } from "../../../http/cursor.ts";
import { HttpResponse } from "../../../http/api.ts";
import { listResponse } from "../../../http/list.ts";
import type { Operation } from "../../../http/operation.ts";
import { fieldErrors } from "../../../http/validation.ts";
import { getMerchant } from "../../../merchants/service.ts";
import { can, permissionFor } from "../../../users/roles.ts";
import type { ViewObject } from "../../../views/ports.ts";
import * as views from "../../../views/service.ts";
import type { DashboardRequest, DashboardResult, DashboardRoute } from "../../context.ts";
import {
  type Column,
  csrfField,
  type Field,
  field,
  filterBar,
  type Html,
  html,
  pageHeader,
  pagination,
  section,
  table,
  tabs,
  withQuery,
} from "../../ui.ts";

type ListQuery = { limit: number; cursor?: string | undefined; format?: "csv" | "json" | undefined };

/** A list operation of the API: its id (cursors are bound to it), its query schema and CSV columns. */
export interface ListOperation {
  id: string;
  path: string;
  query: z.ZodType<ListQuery>;
  csv: readonly CsvColumn<{ id: string }>[];
}

type QueryOf<O extends ListOperation> = z.output<O["query"]>;
export type FiltersOf<O extends ListOperation> = Omit<QueryOf<O>, "limit" | "cursor" | "format">;
export type RowOf<O extends ListOperation> = O["csv"] extends readonly CsvColumn<
  infer T extends { id: string }
>[]
  ? T
  : never;
type Page<T> = { items: T[]; next?: Position | undefined };

/**
 * What `?q=` searches: the query values it stands for (e.g. `{ email: q }`), or why nothing can match
 * (no customer has that email). Throws a ValidationError on `q` for a search it can't read.
 */
export interface Search {
  hint: string;
  resolve(
    clock: Clock,
    merchantId: string,
    q: string,
  ): Promise<{ filters: Record<string, string> } | { nothing: string }>;
}

export interface IndexPage<O extends ListOperation> {
  /** The URL segment: `/app/<collection>`, rows at `/app/<collection>/{id}`. */
  collection: string;
  /** The saved views' `object`. */
  object: ViewObject;
  title: string;
  /** The plural noun for empty states: "No invoices match." */
  noun: string;
  operation: O;
  /** The list's filter schema (what a saved view stores), e.g. `invoiceFilters`. */
  filters: z.ZodObject;
  /** The filter bar's controls, by query name; without `options`, an enum's values (and "Any") are a select's. */
  filterFields: readonly Omit<Field, "value">[];
  search?: Search;
  /** A "New …" link in the header to `/app/<collection>/new`, for roles that may run `operation`. */
  create?: { label: string; operation: Pick<Operation, "id" | "method" | "tag"> };
  /** The first column: a row's link to its detail page. */
  link: { header: string; text(row: RowOf<O>): string };
  /** The customer a row is of, when it carries only the id: the page shows the customer's name. */
  customerOf?(row: RowOf<O>): string | undefined;
  /** The other columns. */
  columns(context: RowContext): readonly Column<RowOf<O>>[];
  /** One page of the list, as the API's handler reads it (filters include `view`). */
  list(
    clock: Clock,
    merchantId: string,
    filters: FiltersOf<O>,
    page: { limit: number; after?: Position },
  ): Promise<Page<RowOf<O>>>;
}

/** What cells need besides their row. */
export interface RowContext {
  /** The merchant's, for times. */
  timeZone: string;
  /** A link to the customer, named (for rows of `customerOf`). */
  customer(id: string | undefined): Html;
}

/** Page parameters that are not the API's query: the search, and the cursor under its page name. */
const pageOnly = new Set(["q", "after"]);

/** The options of an enum filter (`optional`/`default` unwrapped), "Any" first. */
function enumOptions(schema: z.ZodType | undefined): (readonly [string, string])[] | undefined {
  let inner: unknown = schema;
  while (inner instanceof z.ZodOptional || inner instanceof z.ZodDefault) inner = inner.unwrap();
  if (!(inner instanceof z.ZodEnum)) return undefined;
  return [["", "Any"], ...inner.options.map((o) => [String(o), String(o).replaceAll("_", " ")] as const)];
}

const asText = (value: unknown): string | undefined =>
  value === undefined || value === null ? undefined : String(value);

interface Parsed<O extends ListOperation> {
  /** The API query as strings (what `GET /v1/<collection>` would be sent), the cursor left out. */
  raw: Record<string, string>;
  query: QueryOf<O>;
  /** Why `q` matches nothing: the list is empty without asking the store. */
  nothing?: string | undefined;
}

export function indexRoutes<O extends ListOperation>(page: IndexPage<O>): DashboardRoute[] {
  const path = `/app/${page.collection}`;
  const shape = (page.operation.query as unknown as z.ZodObject).shape;
  const viewFilterNames = Object.keys(page.filters.shape);

  /** The page's query as the API's: `q` resolved into filters, `after` as `cursor`, parsed by the API's schema. */
  async function parse(request: DashboardRequest): Promise<Parsed<O>> {
    const given = Object.fromEntries(request.query);
    // The filter bar sends every field: an empty one is a filter not given.
    const raw = Object.fromEntries(
      Object.entries(given).filter(([name, value]) => !pageOnly.has(name) && value !== ""),
    );
    let nothing: string | undefined;
    const q = given.q?.trim();
    if (q) {
      if (!page.search)
        throw new ValidationError([{ path: "q", message: `${page.title} cannot be searched` }]);
      const found = await page.search.resolve(request.clock, request.user.merchantId, q);
      if ("nothing" in found) nothing = found.nothing;
      else Object.assign(raw, found.filters);
    }
    const input = { ...raw, ...(given.after ? { cursor: given.after } : {}) };
    const parsed = page.operation.query.safeParse(input);
    if (!parsed.success) throw new ValidationError(fieldErrors(parsed.error.issues, input));
    return { raw, query: parsed.data as QueryOf<O>, nothing };
  }

  /**
   * The API's list handling for this page's query: its JSON page, or (format csv) its CSV response.
   * The request is what `listResponse` reads of one: the query a cursor is bound to (the API's names,
   * so a page's cursor and the API's are the same), the path, and no Accept header (`format` decides).
   */
  function readList(request: DashboardRequest, parsed: Parsed<O>) {
    const listRequest = {
      event: {
        queryStringParameters: parsed.raw,
        pathParameters: {},
        headers: {},
        rawPath: page.operation.path,
      } as unknown as APIGatewayProxyEventV2,
      operation: page.operation,
      principal: { merchantId: request.user.merchantId },
      query: parsed.query,
      clock: request.clock,
    };
    return listResponse(listRequest, (filters, at) =>
      page.list(request.clock, request.user.merchantId, filters as FiltersOf<O>, at),
    );
  }

  async function csv(request: DashboardRequest, parsed: Parsed<O>): Promise<DashboardResult> {
    const filename = `${page.collection}-${request.clock.now().toISOString().slice(0, 10)}.csv`;
    const file = (body: string): DashboardResult => ({
      kind: "file",
      contentType: "text/csv; charset=utf-8",
      filename,
      body,
    });
    if (parsed.nothing) {
      const { csvHeader } = await import("../../../http/csv-writer.ts");
      return file(csvHeader(page.operation.csv));
    }
    const response = await readList(request, parsed);
    if (!(response instanceof HttpResponse) || !response.raw)
      throw new Error(`The ${page.operation.id} list did not answer CSV`);
    return file(response.raw.body);
  }

  async function show(request: DashboardRequest): Promise<DashboardResult> {
    const { merchantId } = request.user;
    const [saved, merchant] = await Promise.all([
      views.listViews(viewPorts(request.clock), merchantId, { limit: 100, object: page.object }),
      getMerchant(merchantPorts(request.clock), merchantId),
    ]);
    const given = Object.fromEntries(request.query);
    const current = Object.fromEntries(Object.entries(given).filter(([name]) => name !== "format"));
    let errors: FieldError[] = [];
    let rows: RowOf<O>[] = [];
    let next: string | null = null;
    let filters: Record<string, unknown> = {};
    let empty = `No ${page.noun} match.`;
    try {
      const parsed = await parse(request);
      if (parsed.query.format === "csv") return csv(request, parsed);
      const view = saved.items.find((v) => v.id === given.view);
      filters = { ...view?.filters, ...parsed.raw };
      if (parsed.nothing) empty = parsed.nothing;
      else {
        const result = await readList(request, parsed);
        if (result instanceof HttpResponse) throw new Error(`The ${page.operation.id} list answered CSV`);
        rows = result.data as RowOf<O>[];
        next = result.nextCursor;
      }
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      // The API's `cursor` is this page's `after`.
      errors = error.errors.map((e) => (e.path === "cursor" ? { ...e, path: "after" } : e));
    }

    const customerIds = page.customerOf ? rows.map(page.customerOf).filter((id) => id !== undefined) : [];
    const named = new Map(
      (customerIds.length > 0
        ? await reportReadPorts(request.clock).customersNamed(merchantId, [...new Set(customerIds)])
        : []
      ).map((c) => [c.id, c.name ?? c.email]),
    );
    const tabItems = [
      { label: "All", href: path, current: !given.view },
      ...saved.items.map((v) => ({
        label: v.name,
        href: withQuery(path, { view: v.id }),
        current: given.view === v.id,
      })),
    ];
    const fields: Field[] = [
      ...(page.search
        ? [
            {
              name: "q",
              label: "Search",
              type: "search" as const,
              value: given.q ?? "",
              hint: page.search.hint,
            },
          ]
        : []),
      ...page.filterFields.map((f) => {
        const options = f.options ?? enumOptions(shape[f.name] as z.ZodType | undefined);
        return { ...f, value: given[f.name] ?? "", ...(options ? { options } : {}) };
      }),
    ];
    const { after: _after, ...first } = current;
    const create =
      page.create && can(request.user.role, permissionFor(page.create.operation))
        ? html`<a class="button button-primary" href="${path}/new">${page.create.label}</a>`
        : "";
    const body = html`${pageHeader(
      page.title,
      html`${create}<a class="button button-secondary" href="${withQuery(path, { ...first, format: "csv" })}" download>Export CSV</a>`,
    )}
${tabs("Saved views", tabItems)}
${filterBar({ action: path, fields, keep: { view: given.view } })}
${errors.length > 0 ? problems(errors) : ""}
${
  errors.length > 0
    ? ""
    : table({
        caption: page.title,
        columns: [
          {
            header: page.link.header,
            cell: (row: RowOf<O>) =>
              html`<a href="${path}/${encodeURIComponent(row.id)}">${page.link.text(row)}</a>`,
          },
          ...page.columns({ timeZone: merchant.timeZone, customer: customerLink(named) }),
        ],
        rows,
        empty,
      })
}
${pagination({
  ...(given.after ? { first: withQuery(path, first) } : {}),
  ...(next ? { next: withQuery(path, { ...current, after: next }) } : {}),
})}
${errors.length === 0 && can(request.user.role, permissionFor(createView)) ? saveViewForm(request, filters) : ""}`;
    return {
      kind: "page",
      title: page.title,
      body: String(body),
      ...(errors.length > 0 ? { status: 400 } : {}),
    };
  }

  /** "Save as view": the page's filters (its saved view's merged with its own) as hidden fields. */
  function saveViewForm(request: DashboardRequest, filters: Record<string, unknown>): Html {
    const kept = viewFilterNames.flatMap((name) => {
      const value = asText(filters[name]);
      return value === undefined || value === ""
        ? []
        : [html`<input type="hidden" name="${name}" value="${value}">`];
    });
    return section(
      "Save as view",
      html`<form method="post" action="${path}/views" class="stack-form">${csrfField(request.csrfToken)}${kept}${field({ name: "name", label: "View name", required: true, attributes: { maxlength: "100" } }, "view")}<div class="form-actions"><button type="submit" class="button button-primary">Save as view</button></div></form>`,
    );
  }

  /** Saves the form's filters through the views service, checked by the API's own `POST /v1/views` schema. */
  async function saveView(request: DashboardRequest): Promise<DashboardResult> {
    const filters = Object.fromEntries(
      [...request.form].filter(([name, value]) => viewFilterNames.includes(name) && value !== ""),
    );
    const input = { object: page.object, name: request.form.get("name") ?? "", filters };
    const parsed = createView.body.safeParse(input);
    if (!parsed.success) throw new ValidationError(fieldErrors(parsed.error.issues, input));
    const view = await views.createView(viewPorts(request.clock), request.user.merchantId, parsed.data);
    return {
      kind: "redirect",
      location: withQuery(path, { view: view.id }),
      notice: `Saved the view “${view.name}”.`,
    };
  }

  return [
    { method: "GET", path, permission: "read", handle: show },
    { method: "POST", path: `${path}/views`, permission: permissionFor(createView), handle: saveView },
  ];
}

const customerLink =
  (named: ReadonlyMap<string, string>) =>
  (id: string | undefined): Html =>
    id
      ? html`<a href="/app/customers/${encodeURIComponent(id)}">${named.get(id) ?? id}</a>`
      : html`<span class="muted">—</span>`;

/** A bad query's problems, each naming its field, as the API's 400 does. */
const problems = (errors: readonly FieldError[]): Html =>
  html`<div class="card" role="alert"><h2>These filters can't be used</h2><ul>${errors.map((e) => html`<li><strong>${e.path}</strong>: ${e.message}</li>`)}</ul></div>`;
