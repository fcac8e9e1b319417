import { createHash } from "node:crypto";
import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { describe, expect, it } from "vitest";
import * as z from "zod";
import { handler } from "../../functions/api/docs.ts";
import { apiInfo } from "../../shared/api/docs.ts";
import { allOperations } from "../../shared/api/index.ts";
import { renderDocsPage } from "../../shared/http/docs-page.ts";
import { openApiDocument, openApiPath } from "../../shared/http/openapi.ts";
import { defineOperation } from "../../shared/http/operation.ts";
import { httpEvent, lambdaContext } from "../helpers/events.ts";
import { assertDocumented } from "../helpers/contract.ts";

async function get(
  routeKey: string,
  headers: Record<string, string> = { host: "api.kassa.example", "x-forwarded-proto": "https" },
) {
  const result = (await handler(
    httpEvent(routeKey, { headers }),
    lambdaContext,
  )) as APIGatewayProxyStructuredResultV2 & {
    headers: Record<string, string>;
    body: string;
  };
  assertDocumented(routeKey, result);
  return { status: result.statusCode, headers: result.headers, body: result.body };
}

const styleOf = (html: string): string => {
  const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)];
  expect(styles).toHaveLength(1);
  return styles[0]![1]!;
};

const sha256 = (text: string): string => createHash("sha256").update(text, "utf8").digest("base64");

describe("GET /v1/openapi.json", () => {
  it("serves the OpenAPI document with the request's base URL, cacheable", async () => {
    const { status, headers, body } = await get("GET /v1/openapi.json");
    expect(status).toBe(200);
    expect(headers["content-type"]).toBe("application/json");
    expect(headers["cache-control"]).toBe("public, max-age=300");
    const document = JSON.parse(body);
    expect(document.openapi).toBe("3.1.0");
    expect(document.servers).toEqual([{ url: "https://api.kassa.example" }]);
    expect(document.paths["/v1/customers"].post.operationId).toBe("createCustomer");
    for (const op of allOperations)
      expect(document.paths[openApiPath(op.path)][op.method.toLowerCase()].operationId).toBe(op.id);
  });

  it("is the document the operations give, byte for byte (else: npm run generate:openapi)", async () => {
    const served = (await get("GET /v1/openapi.json")).body;
    const generated = JSON.stringify(
      openApiDocument(allOperations, { ...apiInfo, serverUrl: "https://api.kassa.example" }),
    );
    // Compared as a flag: a diff of 1.5 MB on one line says nothing the paths below don't.
    expect(Object.keys(JSON.parse(served).paths)).toEqual(Object.keys(JSON.parse(generated).paths));
    expect(served === generated, "shared/api/openapi.generated.ts is stale: npm run generate:openapi").toBe(
      true,
    );
  });

  it("takes the scheme from X-Forwarded-Proto and ignores a Host that is not a host name", async () => {
    const local = JSON.parse((await get("GET /v1/openapi.json", { host: "127.0.0.1:4790" })).body);
    expect(local.servers).toEqual([{ url: "http://127.0.0.1:4790" }]);
    const forwarded = JSON.parse(
      (await get("GET /v1/openapi.json", { host: "docs.example", "x-forwarded-proto": "http" })).body,
    );
    expect(forwarded.servers).toEqual([{ url: "http://docs.example" }]);
    const odd = JSON.parse((await get("GET /v1/openapi.json", { host: 'evil"><script>' })).body);
    expect(odd.servers).toBeUndefined();
  });
});

describe("GET /docs", () => {
  it("serves a self-contained HTML page whose one style block the CSP allows by hash", async () => {
    const { status, headers, body } = await get("GET /docs");
    expect(status).toBe(200);
    expect(headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(headers["cache-control"]).toBe("public, max-age=300");
    const csp = headers["content-security-policy"]!;
    expect(csp).toBe(
      `default-src 'none'; style-src 'sha256-${sha256(styleOf(body))}'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    );
    expect(body).toMatch(/^<!doctype html>/);
    expect(body).not.toMatch(/<script/i);
    expect(body).not.toMatch(/\s(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
    expect(body).not.toMatch(/\son[a-z]+\s*=/i);
    expect(body).not.toMatch(/\sstyle\s*=/i);
    expect(body).not.toMatch(/@import|url\(/i);
  });

  it("documents every operation with its fields", async () => {
    const { body } = await get("GET /docs");
    for (const op of allOperations) expect(body).toContain(`id="op-${op.id.toLowerCase()}"`);
    expect(body).toContain("<code>address.postalCode</code>");
    expect(body).toContain("<code>taxIds[].type</code>");
    expect(body).toContain("<code>data[].email</code>");
    expect(body).toContain("one of: active, revoked");
    expect(body).toContain("Idempotency-Key");
    expect(body).toContain("https://api.kassa.example");
    expect(body).toContain('href="/v1/openapi.json"');
  });

  it("names each request body's media type: the pay form's is form-encoded", async () => {
    const { body } = await get("GET /docs");
    const section = (id: string) =>
      body.slice(body.indexOf(`id="op-${id}"`), body.indexOf("</article>", body.indexOf(`id="op-${id}"`)));
    expect(section("submithostedinvoicepayment")).toContain(
      'Request body <span class="badge">application/x-www-form-urlencoded</span>',
    );
    expect(section("submithostedinvoicepayment")).toContain("<code>formToken</code>");
    expect(section("receivestripewebhook")).toContain(
      'Request body <span class="badge">application/json</span>',
    );
  });
});

describe("renderDocsPage", () => {
  it("escapes every text from the document", () => {
    const sneaky = defineOperation({
      id: "sneaky",
      method: "POST",
      path: "/v1/things/{id}",
      auth: "merchant",
      tag: "Things <b>",
      summary: "Make <script>alert('x')</script> & friends",
      params: () => z.strictObject({ id: z.string() }),
      body: () => z.strictObject({ "<img src=x>": z.string().describe("</td><script>") }),
      status: 201,
    });
    const document = openApiDocument([sneaky], {
      title: "Docs <i>",
      version: "1 & 2",
      serverUrl: 'https://x"y',
    });
    const { html, headers } = renderDocsPage(document);
    expect(html).toContain("Make &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; friends");
    expect(html).toContain("Things &lt;b&gt;");
    expect(html).toContain("Docs &lt;i&gt;");
    expect(html).toContain("&lt;img src=x&gt;");
    expect(html).toContain("&lt;/td&gt;&lt;script&gt;");
    expect(html).toContain("https://x&quot;y");
    expect(html).not.toMatch(/<script|<img|<b>|<i>/);
    expect(headers["content-security-policy"]).toContain(`'sha256-${sha256(styleOf(html))}'`);
  });
});
