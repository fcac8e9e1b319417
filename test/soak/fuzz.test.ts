/**
 * The fuzz proof at full size: at least 20,000 generated requests, round-robin over every
 * route the manifest deploys (test/helpers/fuzz.ts), with no 5xx and no item changed by a refused
 * request. test/integration/fuzz.test.ts sends two per route in `npm test`.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeFailure, fuzzRoutes } from "../helpers/fuzz.ts";
import { type FuzzSetup, fuzzSetup, fuzzTeardown } from "../helpers/fuzz-world.ts";

const seed = Number(process.env.KASSA_FUZZ_SEED ?? Date.now() % 1_000_000);
const total = 20_000;
let setup: FuzzSetup;

beforeAll(async () => {
  setup = await fuzzSetup();
});
afterAll(() => fuzzTeardown(setup));

it(`${total.toLocaleString("en")} requests: no 5xx and no change on a 4xx (seed ${seed})`, async () => {
  const run = await fuzzRoutes({
    routes: setup.routes,
    world: setup.world,
    perRoute: Math.ceil(total / setup.routes.length),
    seed,
    scan: setup.aws.scanAll,
  });
  console.info(`fuzz: ${run.requests} requests over ${setup.routes.length} routes, by status ${JSON.stringify(run.byStatus)}`);
  expect(run.requests).toBeGreaterThanOrEqual(total);
  expect(run.failures.map(describeFailure), `seed ${seed}`).toEqual([]);
}, 3_600_000);
