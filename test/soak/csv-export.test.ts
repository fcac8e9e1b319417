/**
 * The export proof at full size: 25,000 customers (seeded through the store's item mapping,
 * not 25,000 API calls) export as CSV across 13 requests following `Link`, each row exactly once and
 * in list order. test/integration/views-csv.test.ts runs the same journey with 2,001 in `npm test`.
 */
import { beforeAll, expect, it } from "vitest";
import { handler as customersHandler } from "../../functions/api/customers.ts";
import { newMerchant } from "../helpers/api.ts";
import { type TestAws, useTestAws } from "../helpers/aws.ts";
import { csvRecords, exportAll, seedCustomers } from "../helpers/csv-export.ts";

let aws: TestAws;

beforeAll(async () => {
  aws = await useTestAws([]);
});

it("exports 25,000 customers across requests, each row exactly once", async () => {
  const shop = await newMerchant("Soak Export Shop");
  const ids = await seedCustomers(aws, shop.id, 25_000);
  const responses = await exportAll(customersHandler, "GET /v1/customers", shop.secret, { format: "csv" });
  const counts = responses.map((r) => csvRecords(r.raw).length - 1);
  expect(counts).toEqual([...Array(12).fill(2_000), 1_000]);
  const exported = responses.flatMap((r) => csvRecords(r.raw).slice(1).map((row) => row[0]));
  expect(new Set(exported).size).toBe(25_000);
  expect(exported).toEqual([...ids].reverse());
}, 300_000);
