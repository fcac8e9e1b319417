import { createConnection } from "node:net";
import { GetItemCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, describe, expect, it } from "vitest";
import { localDynamoClient } from "../../infra/local/dynamodb.ts";
import { queues } from "../../infra/manifest.ts";
import { eventually } from "../helpers/aws.ts";
import { localRuntime } from "../helpers/browser.ts";
import { assertFetchedDocumented } from "../helpers/contract.ts";
import { newDataDir } from "../helpers/local-stack.ts";

const dataDir = newDataDir();

const portOpen = (url: string) =>
  new Promise<boolean>((resolve) => {
    const { port, hostname } = new URL(url);
    const socket = createConnection({ port: Number(port), host: hostname });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });

// The steps run in order and share what earlier steps created, so a failure names its step.
describe("npm start, end to end over HTTP", () => {
  const runtime = localRuntime();
  const { running, request, mails } = runtime;
  let created: { merchant: { id: string }; apiKey: { id: string; secret: string } };

  afterAll(runtime.stop);

  it("boots within 30 seconds and prints the API URL and the admin token", async () => {
    const started = Date.now();
    const stack = await runtime.boot(dataDir);
    const { apiUrl, adminToken } = stack.info;
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(stack.output()).toContain(apiUrl);
    expect(stack.output()).toContain(adminToken);
  }, 40_000);

  it("reports healthy", async () => {
    const healthUrl = `${running().info.apiUrl}/v1/health`;
    const health = await assertFetchedDocumented("GET", healthUrl, await fetch(healthUrl));
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({
      status: "ok",
      checks: {
        table: { status: "up" },
        mail: { status: "up" },
        queues: Object.fromEntries(Object.keys(queues).map((name) => [name, { status: "up" }])),
      },
    });
  });

  it("refuses to create a merchant without the admin token", async () => {
    const refused = await request("/v1/merchants", "POST", { name: "Nope", email: "nope@e2e.test" });
    expect(refused.status).toBe(401);
    expect(refused.headers.get("content-type")).toBe("application/problem+json");
  });

  it("creates a merchant whose welcome email reaches the mail viewer", async () => {
    const { adminToken, mailUrl } = running().info;
    const response = await request("/v1/merchants", "POST", { name: "Corner Bakery", email: "owner@corner-bakery.test" }, adminToken);
    expect(response.status).toBe(201);
    created = response.body as typeof created;
    expect(created.merchant.id).toMatch(/^mer_/);
    expect(created.apiKey.secret).toMatch(/^sk_/);

    const welcome = await eventually(async () =>
      (await mails()).find((m) => m.destination.to.includes('"Corner Bakery" <owner@corner-bakery.test>')),
    );
    expect(welcome.subject).toBe("Welcome to Kassa, Corner Bakery");
    expect(welcome.body.text).toContain(created.merchant.id);
    // The owner's dashboard invitation, on the runtime's public base URL.
    expect(welcome.body.text).toMatch(/https?:\/\/\S+\/app\/sign-in\/[A-Za-z0-9_-]{43}/);
    const viewer = await fetch(mailUrl);
    expect(viewer.status).toBe(200);
  });

  it("stops on Ctrl-C and closes every port", async () => {
    const { apiUrl, mailUrl, endpoints } = running().info;
    expect(await running().interrupt()).toBe(0);
    expect(await portOpen(apiUrl)).toBe(false);
    expect(await portOpen(endpoints.dynamodb)).toBe(false);
    expect(await portOpen(mailUrl)).toBe(false);
  });

  it("restarts on the same data folder with the merchant still there and its event not replayed", async () => {
    const stack = await runtime.boot(dataDir);
    const client = localDynamoClient(stack.info.endpoints.dynamodb);
    const { Item } = await client.send(
      new GetItemCommand({ TableName: "kassa", Key: { PK: { S: `MERCHANT#${created.merchant.id}` }, SK: { S: "MERCHANT" } } }),
    );
    client.destroy();
    expect(Item?.name?.S).toBe("Corner Bakery");
    await new Promise((r) => setTimeout(r, 1500));
    // Each start asks a fresh sign-in link for the demo owner (links last 15 minutes); nothing else
    // is mailed: the merchant's welcome is not sent again.
    const sent = await mails();
    expect(sent.filter((m) => !m.subject.startsWith("Your sign-in link for Demo Shop"))).toEqual([]);
    expect(await stack.interrupt()).toBe(0);
  }, 40_000);
});
