/**
 * The API reference as one self-contained HTML page, rendered from the OpenAPI document: no scripts,
 * no external assets, every text escaped. Its only style block is allowed by the Content-Security-Policy
 * through its sha256 hash (the hosted page shell), so the page needs no `unsafe-inline`. Pure: the same
 * document gives the same page.
 */
import { escapeHtml } from "../hosted/escape.ts";
import { htmlPage, type Page } from "../hosted/page.ts";
import type {
  JsonSchema,
  OpenApiDocument,
  OperationObject,
  ParameterObject,
  ResponseObject,
} from "./openapi.ts";

export interface DocsPageOptions {
  /** Where the OpenAPI document is served, linked from the page header. */
  openApiPath?: string;
}

const css = `
:root { color-scheme: light; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --soft: #f6f8fa; --accent: #0b5cad; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: var(--fg); background: #fff; }
header { background: #14213d; color: #fff; padding: 1.5rem 2rem; }
header h1 { margin: 0 0 .25rem; font-size: 1.6rem; }
header p { margin: 0; color: #d6dbe6; }
header a { color: #fff; }
header code { background: rgba(255, 255, 255, .15); color: #fff; }
main { max-width: 64rem; margin: 0 auto; padding: 1rem 2rem 4rem; }
h2 { font-size: 1.35rem; margin: 2.5rem 0 .75rem; padding-bottom: .3rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.1rem; margin: 0 0 .4rem; }
h4 { font-size: .95rem; margin: 1rem 0 .4rem; color: var(--muted); text-transform: uppercase; letter-spacing: .03em; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
code { font: .88em/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: var(--soft); padding: .1em .3em; border-radius: 4px; overflow-wrap: anywhere; }
.intro p { margin: .6rem 0; }
nav.toc { columns: 2 22rem; column-gap: 2rem; }
nav.toc section { break-inside: avoid; margin-bottom: 1rem; }
nav.toc h3 { font-size: 1rem; margin: 0 0 .3rem; }
nav.toc ul { list-style: none; margin: 0; padding: 0; }
nav.toc li { margin: .15rem 0; }
.op { border: 1px solid var(--line); border-radius: 8px; padding: 1rem 1.25rem; margin: 1rem 0 1.5rem; }
.op > p { margin: .3rem 0; }
.m { display: inline-block; min-width: 4.2em; text-align: center; font: 600 .75rem/1.6 ui-monospace, Menlo, Consolas, monospace; color: #fff; border-radius: 4px; padding: 0 .4em; margin-right: .4em; vertical-align: .1em; }
.m-get { background: #1a7f37; } .m-post { background: #0b5cad; } .m-patch { background: #9a6700; } .m-put { background: #8250df; } .m-delete { background: #cf222e; }
.auth { color: var(--muted); font-size: .9rem; }
.badge { display: inline-block; font-size: .75rem; border: 1px solid var(--line); border-radius: 999px; padding: 0 .5em; color: var(--muted); }
table { width: 100%; border-collapse: collapse; font-size: .9rem; margin: .25rem 0 .5rem; }
th, td { text-align: left; vertical-align: top; padding: .35rem .5rem; border-bottom: 1px solid var(--line); }
th { background: var(--soft); font-weight: 600; }
td.name { white-space: nowrap; }
td.t code { overflow-wrap: normal; }
td.d1 { padding-left: 1.5rem; } td.d2 { padding-left: 2.5rem; } td.d3 { padding-left: 3.5rem; } td.d4 { padding-left: 4.5rem; }
.req { color: #cf222e; font-size: .8rem; }
.opt { color: var(--muted); font-size: .8rem; }
.cons { color: var(--muted); font-size: .85rem; }
ul.errors { margin: .25rem 0; padding-left: 1.2rem; }
.none { color: var(--muted); font-style: italic; }
`;

const methods = ["get", "post", "put", "patch", "delete"] as const;

/** Escaped text with `backtick` spans as code. */
function inline(text: string): string {
  return escapeHtml(text).replace(/`([^`]+)`/g, "<code>$1</code>");
}

const slug = (value: string): string =>
  value
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "") || "x";

const opAnchor = (operation: OperationObject): string => `op-${slug(operation.operationId)}`;
const tagAnchor = (tag: string): string => `tag-${slug(tag)}`;

interface Entry {
  method: (typeof methods)[number];
  path: string;
  operation: OperationObject;
}

interface Field {
  name: string;
  depth: number;
  type: string;
  required: boolean;
  description?: string;
  constraints: string[];
}

class SchemaReader {
  constructor(private readonly document: OpenApiDocument) {}

  resolve(schema: JsonSchema | undefined, seen: ReadonlySet<string> = new Set()): JsonSchema {
    let current = schema ?? {};
    const visited = new Set(seen);
    while (typeof current.$ref === "string") {
      const ref: string = current.$ref;
      if (visited.has(ref) || !ref.startsWith("#/components/schemas/"))
        return { description: current.description };
      visited.add(ref);
      const { $ref: _ref, ...siblings } = current;
      current = {
        ...(this.document.components.schemas[ref.slice("#/components/schemas/".length)] ?? {}),
        ...siblings,
      };
    }
    return current;
  }

  /** The schema without its `null` alternative, and whether it had one. */
  unwrap(schema: JsonSchema | undefined): { schema: JsonSchema; nullable: boolean } {
    const resolved = this.resolve(schema);
    const alternatives: JsonSchema[] | undefined = resolved.anyOf ?? resolved.oneOf;
    if (Array.isArray(alternatives)) {
      const others = alternatives.filter((s) => this.resolve(s).type !== "null");
      if (others.length === 1 && others.length < alternatives.length) {
        const { anyOf: _a, oneOf: _o, ...rest } = resolved;
        return { schema: { ...this.resolve(others[0]), ...rest }, nullable: true };
      }
    }
    if (Array.isArray(resolved.type) && resolved.type.includes("null")) {
      const types = resolved.type.filter((t: string) => t !== "null");
      return { schema: { ...resolved, type: types.length === 1 ? types[0] : types }, nullable: true };
    }
    return { schema: resolved, nullable: false };
  }

  typeOf(raw: JsonSchema | undefined, depth = 0): string {
    const { schema, nullable } = this.unwrap(raw);
    const label = this.baseType(schema, depth);
    return nullable ? `${label} | null` : label;
  }

  private baseType(schema: JsonSchema, depth: number): string {
    if (depth > 4) return "…";
    if ("const" in schema) return JSON.stringify(schema.const);
    const alternatives: JsonSchema[] | undefined = schema.anyOf ?? schema.oneOf;
    if (Array.isArray(alternatives)) return alternatives.map((s) => this.typeOf(s, depth + 1)).join(" | ");
    const type = schema.type;
    if (Array.isArray(type)) return type.join(" | ");
    if (type === "array" || schema.items) return `${this.typeOf(schema.items, depth + 1)}[]`;
    if (type === "object" || schema.properties || schema.additionalProperties) {
      const values = schema.additionalProperties;
      if (!schema.properties && values && typeof values === "object")
        return `map<string, ${this.typeOf(values, depth + 1)}>`;
      return "object";
    }
    if (typeof type === "string") return schema.format ? `${type} (${schema.format})` : type;
    if (Array.isArray(schema.enum)) return "enum";
    return "any";
  }

  constraintsOf(raw: JsonSchema | undefined): string[] {
    const { schema } = this.unwrap(raw);
    const out: string[] = [];
    const range = (min: unknown, max: unknown, unit: string) => {
      const u = unit ? ` ${unit}` : "";
      if (typeof min === "number" && typeof max === "number")
        out.push(min === max ? `exactly ${min}${u}` : `${min}–${max}${u}`);
      else if (typeof min === "number") out.push(`≥ ${min}${u}`);
      else if (typeof max === "number") out.push(`≤ ${max}${u}`);
    };
    range(schema.minLength, schema.maxLength, "characters");
    range(schema.minimum, schema.maximum, "");
    if (typeof schema.exclusiveMinimum === "number") out.push(`> ${schema.exclusiveMinimum}`);
    if (typeof schema.exclusiveMaximum === "number") out.push(`< ${schema.exclusiveMaximum}`);
    range(schema.minItems, schema.maxItems, "items");
    range(schema.minProperties, schema.maxProperties, "keys");
    if (Array.isArray(schema.enum))
      out.push(`one of: ${schema.enum.map((v: unknown) => String(v)).join(", ")}`);
    // A format says more than the long pattern zod derives from it.
    if (typeof schema.pattern === "string" && !schema.format) out.push(`pattern: ${schema.pattern}`);
    if (schema.default !== undefined) out.push(`default: ${JSON.stringify(schema.default)}`);
    const keys = schema.propertyNames ? this.constraintsOf(schema.propertyNames) : [];
    if (keys.length) out.push(`keys: ${keys.join(", ")}`);
    const values =
      !schema.properties && schema.additionalProperties && typeof schema.additionalProperties === "object"
        ? this.constraintsOf(schema.additionalProperties)
        : [];
    if (values.length) out.push(`values: ${values.join(", ")}`);
    return out;
  }

  /** The fields of an object schema, nested objects as dotted names and arrays as `[]`. */
  fields(raw: JsonSchema | undefined): Field[] {
    const rows: Field[] = [];
    const walk = (schema: JsonSchema, prefix: string, depth: number, seen: ReadonlySet<string>) => {
      if (depth > 5) return;
      const required = new Set<string>(Array.isArray(schema.required) ? schema.required : []);
      for (const [name, property] of Object.entries(
        (schema.properties ?? {}) as Record<string, JsonSchema>,
      )) {
        const path = `${prefix}${name}`;
        const { schema: inner } = this.unwrap(property);
        const description = property.description ?? inner.description;
        rows.push({
          name: path,
          depth,
          type: this.typeOf(property),
          required: required.has(name),
          ...(description ? { description } : {}),
          constraints: this.constraintsOf(property),
        });
        const ref = typeof property.$ref === "string" ? property.$ref : undefined;
        if (ref && seen.has(ref)) continue;
        const next = ref ? new Set([...seen, ref]) : seen;
        if (inner.properties) walk(inner, `${path}.`, depth + 1, next);
        else if (inner.items) {
          const items = this.unwrap(inner.items).schema;
          if (items.properties) walk(items, `${path}[].`, depth + 1, next);
        }
      }
    };
    const { schema: root } = this.unwrap(raw);
    if (root.properties) walk(root, "", 0, new Set());
    else if (root.items && this.unwrap(root.items).schema.properties)
      walk(this.unwrap(root.items).schema, "[].", 0, new Set());
    return rows;
  }
}

function fieldTable(reader: SchemaReader, schema: JsonSchema | undefined): string {
  const rows = reader.fields(schema);
  if (rows.length === 0) {
    const type = reader.typeOf(schema);
    return type === "any" ? "" : `<p>A JSON <code>${escapeHtml(type)}</code>.</p>`;
  }
  const body = rows
    .map(
      (f) =>
        `<tr><td class="name d${Math.min(f.depth, 4)}"><code>${escapeHtml(f.name)}</code></td><td class="t"><code>${escapeHtml(f.type)}</code></td><td>${f.required ? '<span class="req">required</span>' : '<span class="opt">optional</span>'}</td><td>${describe(f.description, f.constraints)}</td></tr>`,
    )
    .join("\n");
  return `<table><thead><tr><th>Field</th><th>Type</th><th></th><th>Description</th></tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function describe(description: string | undefined, constraints: string[]): string {
  const parts = [
    description ? inline(description) : "",
    constraints.length ? `<span class="cons">${escapeHtml(constraints.join("; "))}</span>` : "",
  ].filter(Boolean);
  return parts.join("<br>");
}

function parameterTable(reader: SchemaReader, parameters: ParameterObject[]): string {
  const body = parameters
    .map(
      (p) =>
        `<tr><td class="name"><code>${escapeHtml(p.name)}</code></td><td>${escapeHtml(p.in)}</td><td class="t"><code>${escapeHtml(reader.typeOf(p.schema))}</code></td><td>${p.required ? '<span class="req">required</span>' : '<span class="opt">optional</span>'}</td><td>${describe(p.description, reader.constraintsOf(p.schema))}</td></tr>`,
    )
    .join("\n");
  return `<table><thead><tr><th>Name</th><th>In</th><th>Type</th><th></th><th>Description</th></tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function authLine(document: OpenApiDocument, operation: OperationObject): string {
  const auth = operation["x-kassa-auth"];
  if (!operation.security?.length) return "None (public)";
  const scheme = document.components.securitySchemes.bearerAuth ? "Bearer" : "";
  if (auth === "admin") return `${scheme} platform admin token`.trim();
  return `${scheme} merchant API key`.trim();
}

function isErrorStatus(status: string): boolean {
  return /^[45]/.test(status);
}

function successSection(reader: SchemaReader, status: string, response: ResponseObject): string {
  const [media, content] = Object.entries(response.content ?? {})[0] ?? [];
  const head = `<h4>Response ${escapeHtml(status)}${media ? ` <span class="badge">${escapeHtml(media)}</span>` : ""}</h4>`;
  if (!media || !content) return `${head}<p class="none">${escapeHtml(response.description)}: no body.</p>`;
  if (!media.includes("json"))
    return `${head}<p>${inline(response.description)}: a <code>${escapeHtml(media)}</code> document.</p>`;
  return head + (fieldTable(reader, content.schema) || `<p>${inline(response.description)}.</p>`);
}

function operationSection(document: OpenApiDocument, reader: SchemaReader, entry: Entry): string {
  const { operation, method, path } = entry;
  const parts: string[] = [];
  parts.push(
    `<article class="op" id="${opAnchor(operation)}">`,
    `<h3><span class="m m-${method}">${method.toUpperCase()}</span><code>${escapeHtml(path)}</code></h3>`,
    `<p>${inline(operation.summary)}</p>`,
  );
  if (operation.description) parts.push(`<p>${inline(operation.description)}</p>`);
  parts.push(
    `<p class="auth">Auth: ${escapeHtml(authLine(document, operation))} · Operation id <code>${escapeHtml(operation.operationId)}</code></p>`,
  );
  if (operation.parameters?.length)
    parts.push("<h4>Parameters</h4>", parameterTable(reader, operation.parameters));
  // JSON for most operations; the webhook and the hosted pay form name their own media type.
  const [mediaType, body] = Object.entries(operation.requestBody?.content ?? {})[0] ?? [];
  if (mediaType && body) {
    parts.push(`<h4>Request body <span class="badge">${escapeHtml(mediaType)}</span></h4>`);
    const closed = reader.unwrap(body.schema).schema.additionalProperties === false;
    parts.push(fieldTable(reader, body.schema) || '<p class="none">Any JSON value.</p>');
    if (closed) parts.push('<p class="cons">Other fields are rejected.</p>');
  }
  const statuses = Object.keys(operation.responses);
  for (const status of statuses.filter((s) => !isErrorStatus(s))) {
    parts.push(successSection(reader, status, operation.responses[status]!));
  }
  const errors = statuses.filter(isErrorStatus);
  if (errors.length) {
    parts.push(
      '<h4>Errors <a href="#problem">(problem documents)</a></h4>',
      `<ul class="errors">${errors
        .map(
          (s) => `<li><strong>${escapeHtml(s)}</strong> ${inline(operation.responses[s]!.description)}</li>`,
        )
        .join("")}</ul>`,
    );
  }
  parts.push("</article>");
  return parts.join("\n");
}

export function renderDocsPage(document: OpenApiDocument, options: DocsPageOptions = {}): Page {
  const reader = new SchemaReader(document);
  const entries: Entry[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of methods) {
      const operation = item[method];
      if (operation) entries.push({ method, path, operation });
    }
  }
  const tags = [
    ...new Set([...document.tags.map((t) => t.name), ...entries.flatMap((e) => e.operation.tags)]),
  ].filter((tag) => entries.some((e) => e.operation.tags[0] === tag));
  const byTag = (tag: string) => entries.filter((e) => e.operation.tags[0] === tag);

  const title = escapeHtml(document.info.title);
  const meta = [
    `Version ${escapeHtml(document.info.version)}`,
    ...(document.servers?.[0] ? [`Base URL <code>${escapeHtml(document.servers[0].url)}</code>`] : []),
    ...(options.openApiPath ? [`<a href="${escapeHtml(options.openApiPath)}">OpenAPI 3.1 document</a>`] : []),
  ].join(" · ");

  const intro = document.info.description
    .split(/\n{2,}/)
    .map((p) => `<p>${inline(p)}</p>`)
    .join("\n");

  const toc = tags
    .map(
      (tag) =>
        `<section><h3><a href="#${tagAnchor(tag)}">${escapeHtml(tag)}</a></h3><ul>${byTag(tag)
          .map(
            (e) =>
              `<li><a href="#${opAnchor(e.operation)}"><span class="m m-${e.method}">${e.method.toUpperCase()}</span><code>${escapeHtml(e.path)}</code></a></li>`,
          )
          .join("")}</ul></section>`,
    )
    .join("\n");

  const sections = tags
    .map(
      (tag) =>
        `<section id="${tagAnchor(tag)}">\n<h2>${escapeHtml(tag)}</h2>\n${byTag(tag)
          .map((e) => operationSection(document, reader, e))
          .join("\n")}\n</section>`,
    )
    .join("\n");

  const problem = document.components.schemas.Problem
    ? `<section id="problem">\n<h2>Error responses</h2>\n<p>Every error the API itself answers is a problem document (<code>application/problem+json</code>):</p>\n${fieldTable(reader, document.components.schemas.Problem)}\n</section>`
    : "";

  return htmlPage({
    title: `${document.info.title} reference`,
    style: css,
    indexable: true,
    body: `<header>
<h1>${title}</h1>
<p>${meta}</p>
</header>
<main>
<section class="intro">
${intro}
</section>
<h2>Contents</h2>
<nav class="toc">
${toc}
</nav>
${sections}
${problem}
</main>`,
  });
}
