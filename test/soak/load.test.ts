/**
 * A smoke of `npm run bench:load` (bench/load.ts): 10 clients, 100 requests on each scenario against
 * the local gateway in its own process; every request answers 2xx.
 */
import { expect, it } from "vitest";
import { loadSection } from "../../bench/load.ts";

it("create, get, list, pay and the checkout page under concurrent clients: 0 errors", async () => {
  const { load } = await loadSection({ connections: 10, requests: 100, cpuSamples: 0 });
  console.info(load);
  expect(load.map((row) => [row.scenario, row.requests, row.errors])).toEqual([
    ["create invoice", 100, 0],
    ["get invoice", 100, 0],
    ["list invoices", 100, 0],
    ["pay by API", 100, 0],
    ["checkout page", 100, 0],
  ]);
}, 600_000);
