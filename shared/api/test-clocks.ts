/** Operations on test clocks (sandbox merchants only): frozen time for the customers bound to one. */
import * as z from "zod";
import { defineOperation } from "../http/operation.ts";
import type { NewTestClock } from "../test-clocks/test-clock.ts";
import { createdRange, idParams, isoDateTime, listQuery, page, parsesTo } from "./common.ts";
import { lazy } from "../lazy.ts";

/** Normalized to UTC, so clock times compare as strings. */
const instant = lazy(() => isoDateTime().transform((v) => new Date(v).toISOString()));

export const testClock = lazy(() =>
  z.object({
    id: z.string(),
    name: z.string().optional(),
    frozenTime: z.string(),
    status: z.enum(["ready", "advancing", "internal_failure"]),
    createdAt: z.string(),
  }),
);

export const newTestClock = lazy(() =>
  parsesTo<NewTestClock>()(
    z.strictObject({
      frozenTime: instant().describe("The clock's starting time (ISO instant)"),
      name: z.string().trim().min(1).max(200).optional(),
    }),
  ),
);

export const createTestClock = defineOperation({
  id: "createTestClock",
  method: "POST",
  path: "/v1/test-clocks",
  auth: "merchant",
  tag: "Test clocks",
  summary:
    "Create a test clock (test mode only); bind customers to it with POST /v1/customers { testClockId }",
  body: newTestClock,
  response: testClock,
  status: 201,
});

export const listTestClocks = defineOperation({
  id: "listTestClocks",
  method: "GET",
  path: "/v1/test-clocks",
  auth: "merchant",
  tag: "Test clocks",
  summary: "List test clocks, newest first",
  query: () => listQuery().extend({ ...createdRange() }),
  response: () => page(testClock()),
  status: 200,
});

export const getTestClock = defineOperation({
  id: "getTestClock",
  method: "GET",
  path: "/v1/test-clocks/{id}",
  auth: "merchant",
  tag: "Test clocks",
  summary: "Get a test clock",
  params: () => idParams("testClock"),
  response: testClock,
  status: 200,
});

export const advanceTestClock = defineOperation({
  id: "advanceTestClock",
  method: "POST",
  path: "/v1/test-clocks/{id}/advance",
  auth: "merchant",
  tag: "Test clocks",
  summary: "Move a test clock forward (never back; 409 while it is advancing)",
  params: () => idParams("testClock"),
  body: () =>
    z.strictObject({ frozenTime: instant().describe("The new time: after the clock's current time") }),
  response: testClock,
  status: 200,
});

export const deleteTestClock = defineOperation({
  id: "deleteTestClock",
  method: "DELETE",
  path: "/v1/test-clocks/{id}",
  auth: "merchant",
  tag: "Test clocks",
  summary: "Delete a test clock; its customers keep naming it and run on the wall clock again",
  params: () => idParams("testClock"),
  status: 204,
});

export const testClockOperations = [
  createTestClock,
  listTestClocks,
  getTestClock,
  advanceTestClock,
  deleteTestClock,
];
