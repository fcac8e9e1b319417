/**
 * What every dashboard response carries, without a session or a table: the strict CSP, compression
 * as `Accept-Encoding` asks (brotli, gzip, or none), and the two assets under hashed names, cached
 * for a year and immutable. The sign-in page is a first visit's load: HTML, stylesheet and script.
 */
import { createHash } from "node:crypto";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { contentSecurityPolicy, dashboardHandler } from "../../shared/dashboard/app.ts";
import { assets } from "../../shared/dashboard/assets.ts";
import { negotiateEncoding } from "../../shared/dashboard/compress.ts";
import type { DashboardPorts } from "../../shared/dashboard/sessions.ts";
import { systemClock } from "../../shared/domain/clock.ts";
import { DashboardClient, handlerTransport } from "../helpers/dashboard.ts";

const untouched = async (): Promise<never> => {
  throw new Error("This request should not have needed a session or a user");
};
const ports: DashboardPorts = {
  sessions: { create: untouched, readSignedIn: untouched, touch: untouched, remove: untouched },
  users: { endSessions: untouched },
  signIn: { request: untouched, consume: untouched, inspect: untouched },
  limits: { take: untouched, retryAfter: untouched },
  clock: systemClock,
  publicBaseUrl: "http://127.0.0.1:4780",
};
const handler = dashboardHandler({
  ports: () => ports,
  pageRoutesFor: async () => [],
  clockFor: () => systemClock,
});
const transport = handlerTransport(handler as never);
const get = (path: string, acceptEncoding?: string) =>
  transport({
    method: "GET",
    path,
    headers: acceptEncoding === undefined ? {} : { "accept-encoding": acceptEncoding },
  });

describe("dashboard responses", () => {
  it.each([
    ["br, gzip, deflate", "br"],
    ["gzip, deflate", "gzip"],
    ["gzip;q=1, br;q=0", "gzip"],
    ["*", "br"],
    ["identity", undefined],
    ["", undefined],
  ])("Accept-Encoding %j → %s", (header, encoding) => {
    expect(negotiateEncoding(header)).toBe(encoding);
  });

  it("compresses a page as asked, and says it varies by Accept-Encoding", async () => {
    const br = await get("/app/sign-in", "br, gzip");
    const gzip = await get("/app/sign-in", "gzip");
    const plain = await get("/app/sign-in");
    expect(br.headers["content-encoding"]).toBe("br");
    expect(gzip.headers["content-encoding"]).toBe("gzip");
    expect(plain.headers["content-encoding"]).toBeUndefined();
    // Each visit gets its own form token; the rest is the same page.
    const page = (html: string) => html.replace(/value="[A-Za-z0-9_-]{43}"/, 'value="…"');
    expect(page(brotliDecompressSync(br.raw).toString())).toBe(page(plain.raw.toString()));
    expect(page(gunzipSync(gzip.raw).toString())).toBe(page(plain.raw.toString()));
    expect(br.raw.length).toBeLessThan(plain.raw.length / 2);
    for (const r of [br, gzip, plain]) {
      expect(r.headers.vary).toContain("accept-encoding");
      expect(r.headers["content-security-policy"]).toBe(contentSecurityPolicy);
      expect(r.headers["cache-control"]).toBe("no-store");
    }
    // Over http (a laptop) the cookies lose the `__Host-` prefix, never their attributes.
    expect(plain.setCookies[0]).toMatch(
      /^kassa_signin=[A-Za-z0-9_-]{43}; Max-Age=3600; Path=\/; HttpOnly; Secure; SameSite=Lax$/,
    );
  });

  it("serves the assets under their content hash, immutable for a year, and nothing under another name", async () => {
    for (const asset of [assets.stylesheet, assets.script]) {
      const hash = createHash("sha256").update(asset.body).digest("hex").slice(0, 12);
      expect(asset.url).toMatch(new RegExp(`^/app/assets/dashboard\\.${hash}\\.(css|js)$`));
      const r = await get(asset.url, "br");
      expect(r.status).toBe(200);
      expect(r.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
      expect(r.headers["content-type"]).toBe(asset.contentType);
      expect(r.headers["content-security-policy"]).toBe(contentSecurityPolicy);
      expect(brotliDecompressSync(r.raw)).toEqual(asset.body);
      const gzip = await get(asset.url, "gzip");
      expect(gunzipSync(gzip.raw)).toEqual(asset.body);
    }
    const stale = await get("/app/assets/dashboard.000000000000.css", "br");
    expect(stale.status).toBe(404);
    expect(stale.headers["cache-control"]).toBe("no-store");
  });

  it("links the hashed assets and nothing inline, and a first visit loads under 150 KB compressed", async () => {
    const client = new DashboardClient(transport);
    const page = await client.get("/app/sign-in");
    expect(page.text).toContain(`<link rel="stylesheet" href="${assets.stylesheet.url}">`);
    expect(page.text).toContain(`<script src="${assets.script.url}" defer></script>`);
    expect(page.text).not.toMatch(/<script>|<style|\sstyle="|\son[a-z]+="/);
    const css = await client.get(assets.stylesheet.url);
    const js = await client.get(assets.script.url);
    const transferred = page.raw.length + css.raw.length + js.raw.length;
    expect(transferred).toBeLessThan(150 * 1024);
  });

  it("answers a visitor's sign-in form with the form's token in a cookie and the field", async () => {
    const client = new DashboardClient(transport);
    const page = await client.get("/app/sign-in");
    expect(page.status).toBe(200);
    expect(client.csrf).toBe(client.cookies.get("kassa_signin"));
    expect(page.text).toContain('<label for="email">Email</label>');
  });
});
