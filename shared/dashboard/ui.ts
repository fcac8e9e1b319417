/**
 * The dashboard's components: tables, badges, buttons and forms (each POST form carrying the session's
 * CSRF token), filters, tabs, pagination, timelines and a bar chart drawn as inline SVG. Markup is built
 * with the `html` tag, which escapes every interpolated value unless it is already `Html`, so a page
 * cannot forget to escape a customer's name. No inline styles or scripts anywhere (the dashboard's CSP
 * allows only its own hashed stylesheet and script): looks come from the classes styled in `uiCss`.
 */
import { formatMoney } from "../domain/format.ts";
import { escapeHtml } from "../hosted/escape.ts";

/** Markup that is safe to put in a page as it is. */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type Interpolated = Html | string | number | boolean | null | undefined | readonly Interpolated[];

const render = (value: Interpolated): string => {
  if (value === null || value === undefined || value === false || value === true) return "";
  if (value instanceof Html) return value.value;
  if (Array.isArray(value)) return value.map(render).join("");
  return escapeHtml(String(value));
};

/** A template whose interpolations are escaped (arrays are joined; `null`, `undefined` and booleans vanish). */
export function html(strings: TemplateStringsArray, ...values: Interpolated[]): Html {
  let out = strings[0] ?? "";
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? "");
  });
  return new Html(out);
}

/** Markup someone else already made safe (a rendered component, an SVG). */
export const trusted = (markup: string): Html => new Html(markup);

/** `path` with `query` appended, leaving out empty values: for links that keep a page's filters. */
export function withQuery(path: string, query: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query))
    if (value !== undefined && value !== "") params.set(name, value);
  const text = params.toString();
  return text === "" ? path : `${path}?${text}`;
}

export const money = (amount: number, currency: string): Html =>
  html`<span class="num">${formatMoney(amount, currency)}</span>`;

/** A date-time in the merchant's zone, machine-readable in `<time>`. */
export function when(iso: string | null | undefined, timeZone: string, withTime = true): Html {
  if (!iso) return html`<span class="muted">—</span>`;
  const text = new Intl.DateTimeFormat("en-US", {
    timeZone,
    dateStyle: "medium",
    ...(withTime ? { timeStyle: "short" } : {}),
  }).format(new Date(iso));
  return html`<time datetime="${iso}">${text}</time>`;
}

type Tone = "neutral" | "good" | "warn" | "bad" | "info";

const toneOf: Record<string, Tone> = {
  paid: "good",
  succeeded: "good",
  active: "good",
  accepted: "good",
  completed: "good",
  done: "good",
  open: "info",
  published: "info",
  processing: "info",
  pending: "warn",
  in_transit: "info",
  trialing: "info",
  draft: "neutral",
  past_due: "warn",
  overdue: "warn",
  paused: "warn",
  partially_refunded: "warn",
  requires_action: "warn",
  uncollectible: "bad",
  failed: "bad",
  void: "bad",
  canceled: "neutral",
  declined: "bad",
  expired: "neutral",
  refunded: "neutral",
  disputed: "bad",
};

/** A status as a coloured pill; the words stay readable without the colour. */
export const badge = (status: string, label = status.replaceAll("_", " ")): Html =>
  html`<span class="badge badge-${toneOf[status] ?? "neutral"}">${label}</span>`;

export interface Column<Row> {
  header: string;
  cell(row: Row): Interpolated;
  /** Right-aligned figures. */
  numeric?: boolean;
}

/**
 * A data table in a scrollable region (keyboard-focusable, named by its caption) so it stays usable at
 * 360 px; `empty` is said when there are no rows.
 */
export function table<Row>(input: {
  caption: string;
  columns: Column<Row>[];
  rows: readonly Row[];
  empty: string;
  /** Inside a scrollable, focusable region (default); off for a table no one sees, which must take no focus. */
  scrolls?: boolean;
}): Html {
  if (input.rows.length === 0) return html`<p class="empty">${input.empty}</p>`;
  const head = input.columns.map(
    (c) => html`<th scope="col"${c.numeric ? trusted(' class="num"') : ""}>${c.header}</th>`,
  );
  const body = input.rows.map(
    (row) =>
      html`<tr>${input.columns.map((c) => html`<td${c.numeric ? trusted(' class="num"') : ""}>${c.cell(row)}</td>`)}</tr>`,
  );
  const data = html`<table>
<caption class="visually-hidden">${input.caption}</caption>
<thead><tr>${head}</tr></thead>
<tbody>${body}</tbody>
</table>`;
  if (input.scrolls === false) return data;
  return html`<div class="table-wrap" role="region" aria-label="${input.caption}" tabindex="0">${data}</div>`;
}

/** Label–value pairs (a detail page's facts). */
export const facts = (pairs: readonly [string, Interpolated][]): Html =>
  html`<dl class="facts">${pairs.map(([label, value]) => html`<div><dt>${label}</dt><dd>${value ?? html`<span class="muted">—</span>`}</dd></div>`)}</dl>`;

export const csrfField = (csrfToken: string): Html =>
  html`<input type="hidden" name="csrf" value="${csrfToken}">`;

const hiddenFields = (fields: Record<string, string> | undefined): Html[] =>
  Object.entries(fields ?? {}).map(
    ([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`,
  );

/**
 * A button that POSTs an action; `confirm` asks first (the enhancement script reads `data-confirm`;
 * without scripts the action runs at once, as any form would).
 */
export function actionButton(input: {
  action: string;
  label: string;
  csrfToken: string;
  tone?: "primary" | "secondary" | "danger";
  confirm?: string;
  fields?: Record<string, string>;
}): Html {
  return html`<form method="post" action="${input.action}" class="inline-form"${input.confirm ? html` data-confirm="${input.confirm}"` : ""}>${csrfField(input.csrfToken)}${hiddenFields(input.fields)}<button type="submit" class="button button-${input.tone ?? "secondary"}">${input.label}</button></form>`;
}

export interface Field {
  name: string;
  label: string;
  type?: "text" | "email" | "number" | "date" | "search" | "textarea";
  value?: string;
  required?: boolean;
  hint?: string;
  /** For `select`: value → label. */
  options?: readonly (readonly [string, string])[];
  /** Extra input attributes, e.g. `{ min: "0", step: "0.01", inputmode: "decimal" }`. */
  attributes?: Record<string, string>;
}

/** One labelled control (text input, textarea or select), with its hint tied by `aria-describedby`. */
export function field(f: Field, idPrefix = "f"): Html {
  const id = `${idPrefix}-${f.name}`;
  const hintId = f.hint ? `${id}-hint` : undefined;
  const common = html`id="${id}" name="${f.name}"${f.required ? trusted(" required") : ""}${hintId ? html` aria-describedby="${hintId}"` : ""}${Object.entries(f.attributes ?? {}).map(([k, v]) => html` ${k}="${v}"`)}`;
  const control = f.options
    ? html`<select ${common}>${f.options.map(([value, label]) => html`<option value="${value}"${value === (f.value ?? "") ? trusted(" selected") : ""}>${label}</option>`)}</select>`
    : f.type === "textarea"
      ? html`<textarea ${common}>${f.value ?? ""}</textarea>`
      : html`<input type="${f.type ?? "text"}" ${common} value="${f.value ?? ""}">`;
  return html`<div class="field"><label for="${id}">${f.label}</label>${control}${hintId ? html`<p class="hint" id="${hintId}">${f.hint}</p>` : ""}</div>`;
}

/**
 * A POST form of fields with the CSRF token and one submit button; `hidden` values ride along (a
 * one-time value that keeps a double submit from acting twice).
 */
export function postForm(input: {
  action: string;
  csrfToken: string;
  fields: readonly Field[];
  submit: string;
  idPrefix?: string;
  confirm?: string;
  hidden?: Record<string, string>;
}): Html {
  return html`<form method="post" action="${input.action}" class="stack-form"${input.confirm ? html` data-confirm="${input.confirm}"` : ""}>${csrfField(input.csrfToken)}${hiddenFields(input.hidden)}${input.fields.map((f) => field(f, input.idPrefix))}<div class="form-actions"><button type="submit" class="button button-primary">${input.submit}</button></div></form>`;
}

/**
 * An index page's filters: a GET form (so a filtered page is a link to share); `keep` are query values
 * it carries along (the saved view tab).
 */
export function filterBar(input: {
  action: string;
  fields: readonly Field[];
  keep?: Record<string, string | undefined>;
}): Html {
  const kept = Object.entries(input.keep ?? {})
    .filter(([, value]) => value !== undefined && value !== "")
    .map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`);
  return html`<form method="get" action="${input.action}" class="filters" role="search" data-autosubmit>${kept}${input.fields.map((f) => field(f, "filter"))}<div class="form-actions"><button type="submit" class="button button-secondary">Apply</button> <a class="button button-link" href="${input.action}">Clear</a></div></form>`;
}

/** Tabs that are links (saved views): the current one has `aria-current="page"`. */
export const tabs = (
  label: string,
  items: readonly { label: string; href: string; current: boolean }[],
): Html =>
  html`<nav class="tabs" aria-label="${label}"><ul>${items.map((t) => html`<li><a href="${t.href}"${t.current ? trusted(' aria-current="page"') : ""}>${t.label}</a></li>`)}</ul></nav>`;

/** Next page by cursor (the API's cursor pagination has no "previous"; the first page is one link away). */
export function pagination(input: { first?: string; next?: string }): Html {
  if (!input.first && !input.next) return html``;
  return html`<nav class="pagination" aria-label="Pages">${input.first ? html`<a class="button button-secondary" href="${input.first}">First page</a>` : ""}${input.next ? html`<a class="button button-secondary" href="${input.next}" rel="next">Next page</a>` : ""}</nav>`;
}

export interface TimelineEntry {
  at: string;
  title: string;
  detail?: Interpolated;
}

/** What happened to an object, newest first. */
export const timeline = (entries: readonly TimelineEntry[], timeZone: string): Html =>
  entries.length === 0
    ? html`<p class="empty">Nothing has happened yet.</p>`
    : html`<ol class="timeline">${entries.map((e) => html`<li><p class="timeline-title">${e.title}</p><p class="muted">${when(e.at, timeZone)}</p>${e.detail === undefined ? "" : html`<div class="timeline-detail">${e.detail}</div>`}</li>`)}</ol>`;

export const section = (title: string, body: Interpolated, actions?: Interpolated): Html =>
  html`<section class="card"><div class="card-head"><h2>${title}</h2>${actions ? html`<div class="actions">${actions}</div>` : ""}</div>${body}</section>`;

/** A page's heading with its primary actions. */
export const pageHeader = (title: Interpolated, actions?: Interpolated, subtitle?: Interpolated): Html =>
  html`<div class="page-head"><div><h1>${title}</h1>${subtitle ? html`<p class="muted">${subtitle}</p>` : ""}</div>${actions ? html`<div class="actions">${actions}</div>` : ""}</div>`;

/** A headline figure. */
export const stat = (label: string, value: Interpolated, hint?: Interpolated): Html =>
  html`<div class="stat"><p class="stat-label">${label}</p><p class="stat-value">${value}</p>${hint ? html`<p class="muted">${hint}</p>` : ""}</div>`;

export interface BarSeries {
  name: string;
  /** One value per label, in minor units (drawn to scale; not formatted here). */
  values: readonly number[];
  /** `a` (the brand accent) or `b` (a second, muted colour). */
  tone: "a" | "b";
}

/**
 * A grouped bar chart as inline SVG, scaled to its largest value. Screen readers get `summary` and
 * the figures as a table (visually hidden); the SVG itself is decorative to them.
 */
export function barChart(input: {
  title: string;
  summary: string;
  labels: readonly string[];
  /** What the labels are, for the figures' table ("Day" unless said). */
  labelHeader?: string;
  series: readonly BarSeries[];
  format: (value: number) => string;
}): Html {
  const width = 640;
  const height = 180;
  const max = Math.max(1, ...input.series.flatMap((s) => s.values.map((v) => Math.max(0, v))));
  const slot = width / Math.max(1, input.labels.length);
  const barWidth = Math.max(1, (slot * 0.8) / Math.max(1, input.series.length));
  const bars = input.series.flatMap((s, si) =>
    s.values.map((value, i) => {
      const h = Math.round((Math.max(0, value) / max) * (height - 4));
      const x = (i * slot + slot * 0.1 + si * barWidth).toFixed(1);
      return `<rect class="bar-${s.tone}" x="${x}" y="${height - h}" width="${barWidth.toFixed(1)}" height="${h}"><title>${escapeHtml(`${input.labels[i] ?? ""} ${s.name}: ${input.format(value)}`)}</title></rect>`;
    }),
  );
  const svg = trusted(
    `<svg class="chart" viewBox="0 0 ${width} ${height}" preserveAspectRatio="none" aria-hidden="true" focusable="false"><line class="axis" x1="0" y1="${height}" x2="${width}" y2="${height}"/>${bars.join("")}</svg>`,
  );
  const legend = html`<ul class="legend">${input.series.map((s) => html`<li><span class="swatch swatch-${s.tone}"></span>${s.name}</li>`)}</ul>`;
  const figures = table({
    caption: input.title,
    columns: [
      { header: input.labelHeader ?? "Day", cell: (i: number) => input.labels[i] },
      ...input.series.map((s) => ({
        header: s.name,
        numeric: true,
        cell: (i: number) => input.format(s.values[i] ?? 0),
      })),
    ],
    rows: input.labels.map((_, i) => i),
    empty: "No figures.",
    scrolls: false,
  });
  return html`<figure class="chart-figure"><figcaption>${input.title}<span class="visually-hidden">: ${input.summary}</span></figcaption>${svg}${legend}<div class="visually-hidden">${figures}</div></figure>`;
}

/** A checkbox labelled beside it (a form sends `value` when it is checked, nothing when not). */
export const checkbox = (name: string, label: string, checked: boolean, id: string, value = "on"): Html =>
  html`<div class="check"><input type="checkbox" id="${id}" name="${name}" value="${value}"${checked ? trusted(" checked") : ""}><label for="${id}">${label}</label></div>`;

/** Styles of the components above; the shell's stylesheet includes them. */
export const uiCss = `
.num{font-variant-numeric:tabular-nums;text-align:right;white-space:nowrap}
.muted{color:var(--muted)}
.empty{color:var(--muted);padding:12px 0;margin:0}
.visually-hidden{position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0,0,0,0);white-space:nowrap;border:0}
.badge{display:inline-block;padding:1px 8px;border-radius:999px;font-size:12px;font-weight:600;line-height:20px;white-space:nowrap;border:1px solid transparent}
.badge-neutral{background:#f3f4f6;color:#374151;border-color:#d1d5db}
.badge-good{background:#dcfce7;color:#14532d}
.badge-warn{background:#fef3c7;color:#78350f}
.badge-bad{background:#fee2e2;color:#7f1d1d}
.badge-info{background:#dbeafe;color:#1e3a8a}
.table-wrap{overflow-x:auto;margin:0 -4px;position:relative}
.table-wrap:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
table{border-collapse:collapse;width:100%;font-size:14px}
th,td{padding:8px;text-align:left;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);font-weight:600}
th.num,td.num{text-align:right}
tbody tr:hover{background:#f9fafb}
.facts{display:grid;grid-template-columns:repeat(auto-fill,minmax(180px,1fr));gap:12px 24px;margin:0}
.facts dt{font-size:12px;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
.facts dd{margin:2px 0 0;overflow-wrap:anywhere}
.button{display:inline-flex;align-items:center;justify-content:center;min-height:36px;padding:6px 14px;border-radius:6px;border:1px solid var(--line);font:inherit;font-weight:600;cursor:pointer;text-decoration:none;background:#fff;color:var(--text)}
.button:focus-visible,a:focus-visible,input:focus-visible,select:focus-visible,textarea:focus-visible,summary:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
.button-primary{background:var(--accent);border-color:var(--accent);color:#fff}
.button-danger{background:#fff;border-color:#b91c1c;color:#b91c1c}
.button-link{border-color:transparent;background:none;color:var(--accent)}
.inline-form{display:inline}
.field{display:flex;flex-direction:column;gap:4px;min-width:0}
.field label{font-size:13px;font-weight:600}
.field input,.field select,.field textarea{font:inherit;padding:6px 8px;border:1px solid #9ca3af;border-radius:6px;background:#fff;color:var(--text);min-height:36px;max-width:100%}
.field textarea{min-height:80px}
.hint{margin:0;font-size:12px;color:var(--muted)}
.stack-form{display:flex;flex-direction:column;gap:12px;max-width:480px}
.form-actions{display:flex;gap:8px;align-items:center;flex-wrap:wrap}
.filters{display:flex;flex-wrap:wrap;gap:12px;align-items:flex-end;margin:0 0 16px}
.filters .field{flex:1 1 160px}
.tabs ul{display:flex;gap:4px;list-style:none;margin:0 0 12px;padding:0;overflow-x:auto;border-bottom:1px solid var(--line)}
.tabs a{display:block;padding:8px 12px;text-decoration:none;color:var(--muted);border-bottom:3px solid transparent;white-space:nowrap}
.tabs a[aria-current=page]{color:var(--text);border-bottom-color:var(--accent);font-weight:600}
.pagination{display:flex;gap:8px;justify-content:flex-end;margin-top:12px}
.timeline{list-style:none;margin:0;padding:0 0 0 16px;border-left:2px solid var(--line)}
.timeline li{position:relative;padding:0 0 14px 8px}
.timeline li::before{content:"";position:absolute;left:-23px;top:6px;width:10px;height:10px;border-radius:50%;background:var(--accent)}
.timeline p{margin:0}
.timeline-title{font-weight:600}
.card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:16px;margin:0 0 16px;min-width:0}
.card p,.card li{overflow-wrap:anywhere}
.card-head{display:flex;justify-content:space-between;align-items:center;gap:8px;flex-wrap:wrap;margin-bottom:8px}
.card h2{font-size:16px;margin:0}
.actions{display:flex;gap:8px;flex-wrap:wrap;align-items:center}
.page-head{display:flex;justify-content:space-between;align-items:flex-start;gap:12px;flex-wrap:wrap;margin:0 0 16px}
.page-head h1{margin:0;font-size:22px;overflow-wrap:anywhere}
.page-head p{margin:4px 0 0}
.stats{display:grid;grid-template-columns:repeat(auto-fill,minmax(180px,1fr));gap:12px;margin:0 0 16px}
.stat{background:#fff;border:1px solid var(--line);border-radius:8px;padding:14px 16px;min-width:0}
.stat p{margin:0}
.stat-label{font-size:13px;color:var(--muted)}
.stat-value{font-size:22px;font-weight:700;overflow-wrap:anywhere}
.chart-figure{margin:0}
.chart-figure figcaption{font-weight:600;margin-bottom:8px}
.chart{display:block;width:100%;height:180px}
.chart .axis{stroke:#9ca3af;stroke-width:1}
.bar-a,.swatch-a{fill:var(--accent);background:var(--accent)}
.bar-b,.swatch-b{fill:#94a3b8;background:#94a3b8}
.legend{display:flex;gap:16px;list-style:none;padding:0;margin:8px 0 0;font-size:13px}
.swatch{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px}
@media (max-width:600px){
.page-head h1{font-size:19px}
th,td{padding:6px}
.filters .field{flex:1 1 100%}
}
.problems{border-color:#b91c1c}
.problems h2{color:#7f1d1d}
.template-list{list-style:none;padding:0;margin:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(240px,1fr));gap:12px}
.template-list h3{font-size:15px;margin:0 0 4px}
.field [aria-invalid=true]{border-color:#b91c1c}
.field [aria-invalid=true]+.hint{color:#b91c1c}
.workflow-form textarea{min-height:120px}
.choices{border:0;margin:0;padding:0;min-width:0}
.choices legend{font-size:13px;font-weight:600;padding:0;margin-bottom:4px}
.choices label{display:inline-flex;align-items:center;gap:6px;margin:0 16px 4px 0;font-weight:400}
.choices input{width:18px;height:18px;margin:0}
.preview-frame{display:block;width:100%;height:640px;border:1px solid var(--line);border-radius:8px;background:#fff}
.settings-layout{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1.4fr);gap:16px;align-items:start}
.settings-list{list-style:none;margin:0;padding:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(260px,1fr));gap:12px}
.settings-list .card{margin:0}
.settings-list p{margin:4px 0 0}
@media (max-width:900px){.settings-layout{grid-template-columns:minmax(0,1fr)}.preview-frame{height:520px}}
.choices-grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:4px 12px}
.choices-grid label{margin:0;overflow-wrap:anywhere}
.check{display:flex;gap:8px;align-items:center;min-height:36px}
.check input{width:20px;height:20px;margin:0}
.checks{border:0;padding:0;margin:0;display:flex;flex-wrap:wrap;gap:0 16px}
.checks legend{font-size:13px;font-weight:600;padding:0}
.field-row{display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start}
.field-row>*{flex:1 1 140px}
.split{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,440px);gap:16px;align-items:start}
.split>form{max-width:none}
.split-aside{position:sticky;top:16px}
@media (max-width:900px){.split{grid-template-columns:minmax(0,1fr)}.split-aside{position:static}}
`;

/**
 * A refused form's or query's problems, each naming its field as the API's 400 does (`steps.0.subject`
 * must be …), announced when the page loads.
 */
export const fieldProblems = (title: string, errors: readonly { path: string; message: string }[]): Html =>
  html`<div class="card problems" role="alert"><h2>${title}</h2><ul>${errors.map((e) => html`<li><strong>${e.path}</strong> ${e.message}</li>`)}</ul></div>`;

/**
 * A group of checkboxes (several of `options` may be chosen) or radio buttons (one), in a fieldset
 * named by `legend`; `checked` are the chosen values. An unchecked box sends nothing, as forms do.
 * `columns` lays many options out in columns that fold to one at 360 px.
 */
export function choices(input: {
  legend: string;
  name: string;
  type: "checkbox" | "radio";
  options: readonly (readonly [string, string])[];
  checked: readonly string[];
  hint?: string;
  idPrefix?: string;
  columns?: boolean;
}): Html {
  const id = (value: string) => `${input.idPrefix ?? "f"}-${input.name}-${value}`.replace(/[^\w-]/g, "-");
  const hintId = input.hint ? id("hint") : undefined;
  const boxes = input.options.map(
    ([value, label]) =>
      html`<label for="${id(value)}"><input type="${input.type}" id="${id(value)}" name="${input.name}" value="${value}"${input.checked.includes(value) ? trusted(" checked") : ""}>${label}</label>`,
  );
  return html`<fieldset class="choices"${hintId ? html` aria-describedby="${hintId}"` : ""}><legend>${input.legend}</legend>${input.columns ? html`<div class="choices-grid">${boxes}</div>` : boxes}${hintId ? html`<p class="hint" id="${hintId}">${input.hint}</p>` : ""}</fieldset>`;
}
