/**
 * Fuzz, reduced: two generated requests for every route the manifest deploys (test/helpers/fuzz.ts),
 * a few hundred in all. None may answer 5xx, and none refused (4xx but a declined card's 402) may change an
 * item of the table.
 * The seed changes every run (KASSA_FUZZ_SEED replays one); test/soak/fuzz.test.ts sends 20,000.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeFailure, fuzzRoutes } from "../helpers/fuzz.ts";
import { type FuzzSetup, fuzzSetup, fuzzTeardown } from "../helpers/fuzz-world.ts";

const seed = Number(process.env.KASSA_FUZZ_SEED ?? Date.now() % 1_000_000);
let setup: FuzzSetup;

beforeAll(async () => {
  setup = await fuzzSetup();
});
afterAll(() => fuzzTeardown(setup));

it(`no 5xx and no change on a 4xx, over every route (seed ${seed})`, async () => {
  const run = await fuzzRoutes({
    routes: setup.routes,
    world: setup.world,
    perRoute: 2,
    seed,
    scan: setup.aws.scanAll,
  });
  expect(run.requests).toBeGreaterThanOrEqual(2 * setup.routes.length);
  expect(run.failures.map(describeFailure), `seed ${seed}`).toEqual([]);
}, 120_000);
