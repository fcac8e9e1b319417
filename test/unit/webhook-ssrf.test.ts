/**
 * The outbound webhook guard (shared/webhooks/addresses.ts, shared/webhooks/outbound.ts): every
 * address class refused in cloud mode, the proof cases, a name resolving to a private
 * address, no socket opened on a refusal, the connection pinned to the checked address, and no
 * redirect followed.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createServer as createTlsServer } from "node:tls";
import { afterEach, describe, expect, it } from "vitest";
import { forbiddenAddress, isLoopbackAddress } from "../../shared/webhooks/addresses.ts";
import { checkWebhookUrl, outboundHttp, type Resolve } from "../../shared/webhooks/outbound.ts";

const cloud = { allowLoopback: false };
const local = { allowLoopback: true };

describe("forbiddenAddress", () => {
  it.each([
    ["0.0.0.0", "0.0.0.0/8"],
    ["0.1.2.3", "0.0.0.0/8"],
    ["10.0.0.1", "10.0.0.0/8"],
    ["10.255.255.255", "10.0.0.0/8"],
    ["100.64.0.1", "100.64.0.0/10"],
    ["100.127.255.254", "100.64.0.0/10"],
    ["127.0.0.1", "127.0.0.0/8"],
    ["127.255.0.9", "127.0.0.0/8"],
    ["169.254.169.254", "169.254.0.0/16"],
    ["172.16.0.1", "172.16.0.0/12"],
    ["172.31.255.255", "172.16.0.0/12"],
    ["192.0.0.8", "192.0.0.0/24"],
    ["192.0.2.1", "192.0.2.0/24"],
    ["192.88.99.1", "192.88.99.0/24"],
    ["192.168.1.1", "192.168.0.0/16"],
    ["198.18.0.1", "198.18.0.0/15"],
    ["198.19.255.1", "198.18.0.0/15"],
    ["198.51.100.7", "198.51.100.0/24"],
    ["203.0.113.9", "203.0.113.0/24"],
    ["224.0.0.1", "224.0.0.0/4"],
    ["239.255.255.250", "224.0.0.0/4"],
    ["240.0.0.1", "240.0.0.0/4"],
    ["255.255.255.255", "240.0.0.0/4"],
  ])("refuses IPv4 %s (%s)", (address, cidr) => {
    expect(forbiddenAddress(address, cloud)).toContain(cidr);
  });

  it.each([
    ["::", "unspecified"],
    ["::1", "::1"],
    ["fc00::1", "fc00::/7"],
    ["fd12:3456:789a::1", "fc00::/7"],
    ["fe80::1", "fe80::/10"],
    ["febf::1", "fe80::/10"],
    ["fec0::1", "not a global unicast"],
    ["ff02::1", "ff00::/8"],
    ["100::1", "not a global unicast"],
    ["64:ff9b:1::a00:1", "not a global unicast"],
    ["2001::1", "2001::/23"],
    ["2001:db8::1", "2001:db8::/32"],
    ["2002:a00:1::1", "2002::/16"],
    ["3fff::1", "3fff::/20"],
    // IPv4-mapped, -compatible and NAT64 forms are judged by the IPv4 address they carry.
    ["::ffff:127.0.0.1", "127.0.0.0/8"],
    ["::ffff:7f00:1", "127.0.0.0/8"],
    ["::ffff:169.254.169.254", "169.254.0.0/16"],
    ["0:0:0:0:0:ffff:a00:1", "10.0.0.0/8"],
    ["::10.0.0.1", "10.0.0.0/8"],
    ["::a00:1", "10.0.0.0/8"],
    ["64:ff9b::192.168.0.1", "192.168.0.0/16"],
    ["64:ff9b::a9fe:a9fe", "169.254.0.0/16"],
  ])("refuses IPv6 %s (%s)", (address, reason) => {
    expect(forbiddenAddress(address, cloud)).toContain(reason);
  });

  it.each([
    "1.1.1.1",
    "8.8.8.8",
    "93.184.215.14",
    "100.63.255.255",
    "100.128.0.0",
    "172.15.255.255",
    "172.32.0.0",
    "169.253.0.1",
    "223.255.255.255",
    "2606:4700:4700::1111",
    "2a00:1450:4001:80b::200e",
    "::ffff:8.8.8.8",
    "64:ff9b::808:808",
  ])("allows the public address %s", (address) => {
    expect(forbiddenAddress(address, cloud)).toBeUndefined();
  });

  it("allows loopback (and only loopback) when the policy does", () => {
    for (const address of ["127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1"]) {
      expect(forbiddenAddress(address, local)).toBeUndefined();
      expect(isLoopbackAddress(address)).toBe(true);
    }
    for (const address of ["10.0.0.1", "169.254.169.254", "fe80::1", "::ffff:10.0.0.1", "0.0.0.0"])
      expect(forbiddenAddress(address, local)).toBeDefined();
    expect(isLoopbackAddress("8.8.8.8")).toBe(false);
  });

  it("refuses what is not an IP literal", () => {
    expect(forbiddenAddress("localhost", local)).toContain("not an IP address");
  });
});

/** A resolver from a fixed table; an unknown name does not resolve (ENOTFOUND). */
const resolver =
  (table: Record<string, string[]>): Resolve =>
  async (hostname) => {
    const found = table[hostname];
    if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
    return found;
  };

describe("checkWebhookUrl", () => {
  const resolve = resolver({
    "hooks.example.com": ["93.184.215.14"],
    "internal.example.com": ["10.1.2.3"],
    "mixed.example.com": ["93.184.215.14", "192.168.0.10"],
    "metadata.example.com": ["::ffff:169.254.169.254"],
    "v6.example.com": ["2606:4700:4700::1111"],
    localhost: ["127.0.0.1", "::1"],
  });
  const check = (url: string, allowLoopback = false) => checkWebhookUrl(url, { allowLoopback, resolve });

  it.each([
    // The proof cases, in cloud mode.
    ["http://169.254.169.254/", "https"],
    ["http://10.0.0.1/", "https"],
    ["http://2130706433/", "https"],
    // The same hosts over https are refused for their address.
    ["https://169.254.169.254/latest/meta-data/", "169.254.0.0/16"],
    ["https://10.0.0.1/", "10.0.0.0/8"],
    ["https://2130706433/", "127.0.0.0/8"],
    // Numeric tricks: WHATWG URL normalises them to 127.0.0.1, which is then refused.
    ["https://0177.0.0.1/", "127.0.0.0/8"],
    ["https://0x7f.0.0.1/", "127.0.0.0/8"],
    ["https://0x7f000001/", "127.0.0.0/8"],
    ["https://127.1/", "127.0.0.0/8"],
    ["https://017700000001/", "127.0.0.0/8"],
    ["https://0/", "0.0.0.0/8"],
    ["https://[::1]/", "::1"],
    ["https://[::ffff:127.0.0.1]/", "127.0.0.0/8"],
    ["https://[::ffff:a9fe:a9fe]/", "169.254.0.0/16"],
    ["https://[fd00::1]/", "fc00::/7"],
    ["https://[fe80::1]/", "fe80::/10"],
    ["https://100.64.0.1/", "100.64.0.0/10"],
    ["https://172.20.0.1/", "172.16.0.0/12"],
    ["https://192.168.0.1/", "192.168.0.0/16"],
    ["https://255.255.255.255/", "240.0.0.0/4"],
    // A hostname that resolves to a private address (or to one among public ones).
    ["https://internal.example.com/hook", "internal.example.com resolves to 10.1.2.3"],
    ["https://mixed.example.com/hook", "192.168.0.0/16"],
    ["https://metadata.example.com/hook", "169.254.0.0/16"],
    ["https://localhost:8443/hook", "127.0.0.0/8"],
    // Not a URL Kassa posts to at all.
    ["ftp://hooks.example.com/", "https"],
    ["file:///etc/passwd", "https"],
    ["hooks.example.com/hook", "absolute URL"],
    ["https://user:pass@hooks.example.com/", "user name or password"],
  ])("in cloud mode refuses %s", async (url, reason) => {
    expect(await check(url)).toContain(reason);
  });

  it.each([
    "https://hooks.example.com/kassa",
    "https://hooks.example.com:8443/kassa?x=1",
    "https://v6.example.com/",
    "https://[2606:4700:4700::1111]/",
    "https://8.8.8.8/",
    // Not resolvable now: accepted, and checked again at every delivery.
    "https://not-yet.example.com/hook",
  ])("in cloud mode accepts %s", async (url) => {
    expect(await check(url)).toBeUndefined();
  });

  it("with the local flag accepts loopback receivers by http or https, and http to nothing else", async () => {
    for (const url of [
      "http://127.0.0.1:4000/hook",
      "http://localhost:4000/",
      "http://[::1]:4000/",
      "https://localhost/",
    ])
      expect(await check(url, true)).toBeUndefined();
    expect(await check("http://hooks.example.com/", true)).toContain("only to a loopback receiver");
    // Not resolvable now (so no address to judge): plain http still names no loopback receiver.
    expect(await check("http://not-yet.example.com/hook", true)).toContain("only to a loopback receiver");
    expect(await check("http://10.0.0.1/", true)).toContain("10.0.0.0/8");
    expect(await check("https://internal.example.com/", true)).toContain("10.0.0.0/8");
    expect(await check("http://169.254.169.254/", true)).toContain("169.254.0.0/16");
  });
});

// ── Posting, against a loopback receiver ─────────────────────────────────────────────────────────

interface Seen {
  connections: number;
  requests: { url: string; host: string; body: string }[];
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A receiver on 127.0.0.1 that answers with `reply`, recording every connection and request. */
async function receiver(
  reply: (req: IncomingMessage) => { status: number; headers?: Record<string, string>; body?: string },
) {
  const seen: Seen = { connections: 0, requests: [] };
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      seen.requests.push({ url: req.url ?? "", host: req.headers.host ?? "", body });
      const { status, headers = {}, body: out = "" } = reply(req);
      res.writeHead(status, headers).end(out);
    });
  });
  server.on("connection", () => {
    seen.connections += 1;
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  servers.push(server);
  return { seen, port: (server.address() as AddressInfo).port };
}

const post = (url: string) => ({
  url,
  body: '{"id":"evt_1"}',
  headers: { "content-type": "application/json" },
  timeoutMs: 2_000,
});

describe("outboundHttp", () => {
  it("in cloud mode refuses a loopback receiver without opening a socket", async () => {
    const { seen, port } = await receiver(() => ({ status: 200 }));
    for (const url of [
      `http://127.0.0.1:${port}/`,
      `https://127.0.0.1:${port}/`,
      `https://[::ffff:127.0.0.1]:${port}/`,
    ]) {
      const result = await outboundHttp(cloud).post(post(url));
      expect(result.outcome).toBe("refused");
    }
    const named = outboundHttp({ ...cloud, resolve: resolver({ "hooks.example.com": ["127.0.0.1"] }) });
    expect(await named.post(post(`https://hooks.example.com:${port}/`))).toMatchObject({
      outcome: "refused",
      error: expect.stringContaining("127.0.0.0/8"),
    });
    expect(seen.connections).toBe(0);
  });

  it("refuses the proof cases in cloud mode, and a name resolving to a private address", async () => {
    const port = outboundHttp({ ...cloud, resolve: resolver({ "internal.example.com": ["10.0.0.7"] }) });
    for (const url of [
      "http://169.254.169.254/",
      "http://10.0.0.1/",
      "http://2130706433/",
      "https://internal.example.com/",
    ])
      expect((await port.post(post(url))).outcome).toBe("refused");
  });

  it("connects to the checked address, with the URL's hostname as Host (a later DNS answer is never asked)", async () => {
    const { seen, port } = await receiver(() => ({ status: 204 }));
    let asked = 0;
    // Answers loopback once, then a private address: a rebinding DNS. The post must use the first answer.
    const rebinding: Resolve = async () => (asked++ === 0 ? ["127.0.0.1"] : ["10.0.0.1"]);
    const result = await outboundHttp({ ...local, resolve: rebinding }).post(
      post(`http://rebind.example.test:${port}/hook`),
    );
    expect(result).toMatchObject({ outcome: "responded", status: 204 });
    expect(asked).toBe(1);
    expect(seen.requests).toEqual([
      { url: "/hook", host: `rebind.example.test:${port}`, body: '{"id":"evt_1"}' },
    ]);
  });

  it("over https sends the URL's hostname as SNI while connecting to the checked address", async () => {
    const names: string[] = [];
    // No certificate at all: the handshake fails after the client said whom it wants (SNI).
    const tls = createTlsServer({
      SNICallback: (name, callback) => {
        names.push(name);
        callback(new Error("no certificate here"), undefined);
      },
    });
    await new Promise<void>((r) => tls.listen(0, "127.0.0.1", r));
    servers.push(tls as unknown as Server);
    const port = (tls.address() as AddressInfo).port;
    const result = await outboundHttp({
      ...local,
      resolve: resolver({ "hooks.example.test": ["127.0.0.1"] }),
    }).post(post(`https://hooks.example.test:${port}/`));
    expect(result.outcome).toBe("failed");
    expect(names).toEqual(["hooks.example.test"]);
  });

  it("tries each checked address, as Node does for a name with both families (`localhost` as ::1 first)", async () => {
    const { seen, port } = await receiver(() => ({ status: 200 }));
    const both = outboundHttp({ ...local, resolve: resolver({ "both.example.test": ["::1", "127.0.0.1"] }) });
    expect(await both.post(post(`http://both.example.test:${port}/`))).toMatchObject({
      outcome: "responded",
      status: 200,
    });
    expect(seen.requests).toHaveLength(1);
  });

  it("follows no redirect: a 3xx is the answer, and its Location is never contacted", async () => {
    const target = await receiver(() => ({ status: 200 }));
    const redirecting = await receiver(() => ({
      status: 302,
      headers: { location: `http://127.0.0.1:${target.port}/stolen` },
      body: "moved",
    }));
    const result = await outboundHttp(local).post(post(`http://127.0.0.1:${redirecting.port}/hook`));
    expect(result).toMatchObject({ outcome: "responded", status: 302, body: "moved" });
    expect(redirecting.seen.requests).toHaveLength(1);
    expect(target.seen.connections).toBe(0);
    // And a redirect towards a private address, were it followed, would be refused in cloud mode.
    expect(await checkWebhookUrl("http://10.0.0.1/", cloud)).toBeDefined();
    const toMetadata = await receiver(() => ({
      status: 301,
      headers: { location: "http://169.254.169.254/latest/meta-data/" },
    }));
    expect(await outboundHttp(local).post(post(`http://127.0.0.1:${toMetadata.port}/`))).toMatchObject({
      outcome: "responded",
      status: 301,
    });
  });

  it("an unresolvable name is a failure to retry, not a refusal", async () => {
    const result = await outboundHttp({ ...cloud, resolve: resolver({}) }).post(
      post("https://gone.example.com/"),
    );
    expect(result).toMatchObject({ outcome: "failed", error: expect.stringContaining("did not resolve") });
  });

  it("a DNS that never answers fails within the timeout", async () => {
    const silent: Resolve = () => new Promise(() => undefined);
    const result = await outboundHttp({ ...cloud, resolve: silent }).post({
      ...post("https://slow.example.com/"),
      timeoutMs: 50,
    });
    expect(result).toMatchObject({ outcome: "failed", error: expect.stringContaining("no DNS answer") });
  });

  it("a receiver trickling its answer is cut off at the timeout, as a failure", async () => {
    const sockets: import("node:net").Socket[] = [];
    const slow = createServer((_req, res) => {
      res.writeHead(200);
      const drip = setInterval(() => res.write("."), 20);
      res.on("close", () => clearInterval(drip));
    });
    slow.on("connection", (socket) => sockets.push(socket));
    await new Promise<void>((r) => slow.listen(0, "127.0.0.1", r));
    servers.push(slow);
    const started = Date.now();
    const result = await outboundHttp(local).post({
      ...post(`http://127.0.0.1:${(slow.address() as AddressInfo).port}/`),
      timeoutMs: 300,
    });
    expect(Date.now() - started).toBeLessThan(2_000);
    // An answer that never completed is no answer: the caller retries.
    expect(result).toMatchObject({ outcome: "failed", error: "no complete response within 300 ms" });
    for (const socket of sockets) socket.destroy();
  });

  it("keeps the first KiB of the answer", async () => {
    const { port } = await receiver(() => ({ status: 500, body: "x".repeat(5000) }));
    const result = await outboundHttp(local).post(post(`http://localhost:${port}/`));
    expect(result).toMatchObject({ outcome: "responded", status: 500 });
    expect(result.outcome === "responded" && result.body.length).toBe(1024);
  });
});
