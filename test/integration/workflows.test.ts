/**
 * Workflows (issue 15 §1, §3) against DynamoDB Local: a workflow and its versions (an edit of the
 * steps, trigger or reenroll adds one; a name or active edit does not), templates, the engine's
 * catalog (active workflows by trigger in one query, following activation, trigger changes and
 * deletion; old versions still readable), and the 400s naming each field.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { handler as workflows } from "../../functions/api/workflows.ts";
import { dynamoWorkflowCatalog as catalog } from "../../shared/store/workflows.ts";
import { expectStatus, merchantCall, newMerchant, type TestMerchant } from "../helpers/api.ts";
import { type TestAws, useTestAws } from "../helpers/aws.ts";

let aws: TestAws;
type Body = Record<string, unknown>;

const email = (body = "Thanks for {{ payment.amount | money }}") => ({
  type: "send_email",
  to: "customer",
  subject: "Welcome, {{ customer.name }}",
  body,
});
/** Branches nested `depth` deep around an email (the contract's `then` key spelled once). */
const nest = (depth: number): Body =>
  depth === 0
    ? email()
    : // biome-ignore lint/suspicious/noThenProperty: the contract names a branch's ways then and else
      { type: "branch", if: [], then: [nest(depth - 1)], else: [] };
const welcome = { name: "Welcome", trigger: { event: "payment.succeeded" }, steps: [email()] };

async function shopWith(name: string) {
  const shop: TestMerchant = await newMerchant(name);
  const api = (
    routeKey: string,
    options: { id?: string; body?: object; query?: Record<string, string> } = {},
  ) => merchantCall(workflows, routeKey, shop.secret, options);
  return {
    shop,
    create: (body: Body) => api("POST /v1/workflows", { body }),
    created: (body: Body) => expectStatus(api("POST /v1/workflows", { body }), 201),
    get: (id: string) => api("GET /v1/workflows/{id}", { id }),
    patch: (id: string, body: Body) => expectStatus(api("PATCH /v1/workflows/{id}", { id, body })),
    remove: (id: string) => api("DELETE /v1/workflows/{id}", { id }),
    list: (query: Record<string, string> = {}) =>
      expectStatus(api("GET /v1/workflows", { query: { limit: "100", ...query } })),
    versions: (id: string, query: Record<string, string> = {}) =>
      expectStatus(api("GET /v1/workflows/{id}/versions", { id, query })),
    templates: () => expectStatus(api("GET /v1/workflow-templates")),
  };
}

const ids = (page: { data: { id: string }[] }) => page.data.map((w) => w.id);
const events = async (merchantId: string, type: string) =>
  (await aws.scanAll()).filter(
    (i) => i.type === "event" && i.eventType === type && i.PK === `MERCHANT#${merchantId}`,
  );

describe("workflows", () => {
  beforeAll(async () => {
    aws = await useTestAws();
  });

  it("creates version 1; a steps edit adds version 2, a name or active edit adds none; versions list newest first", async () => {
    const s = await shopWith("Workflow Shop");
    const made = await s.created(welcome);
    expect(made).toMatchObject({
      id: expect.stringMatching(/^wf_[0-9A-Z]{26}$/),
      version: 1,
      active: true,
      reenroll: false,
    });
    expect(await expectStatus(s.get(made.id))).toEqual(made);

    const renamed = await s.patch(made.id, { name: "Hello", active: false });
    expect(renamed).toMatchObject({ name: "Hello", active: false, version: 1 });
    const steps = [{ type: "delay", duration: "PT2H" }, email("Welcome aboard")];
    const edited = await s.patch(made.id, { steps });
    expect(edited).toMatchObject({ name: "Hello", version: 2, steps });
    const reenrolled = await s.patch(made.id, { reenroll: true });
    expect(reenrolled.version).toBe(3);

    const versions = await s.versions(made.id);
    expect(versions.data.map((v: { version: number }) => v.version)).toEqual([3, 2, 1]);
    expect(versions.data[2]).toMatchObject({ workflowId: made.id, steps: welcome.steps, reenroll: false });
    expect(versions.data[1]).toMatchObject({ steps, reenroll: false });
    const paged = await s.versions(made.id, { limit: "2" });
    expect(paged.data).toHaveLength(2);
    expect(paged.nextCursor).toEqual(expect.any(String));
    const rest = await s.versions(made.id, { limit: "2", cursor: paged.nextCursor });
    expect(rest.data.map((v: { version: number }) => v.version)).toEqual([1]);

    expect(await events(s.shop.id, "workflow.created")).toHaveLength(1);
    expect(await events(s.shop.id, "workflow.updated")).toHaveLength(3);
  });

  it("creates from a template, with the template's trigger and steps and the request's name and active", async () => {
    const s = await shopWith("Template Workflow Shop");
    const listed = await s.templates();
    expect(listed.data.map((t: { id: string }) => t.id)).toEqual([
      "welcome_email",
      "renewal_reminder_with_code",
      "purchase_follow_up",
    ]);
    for (const template of listed.data) {
      const made = await s.created({ fromTemplate: template.id, active: false });
      expect(made).toMatchObject({
        name: template.name,
        template: template.id,
        active: false,
        version: 1,
        trigger: template.trigger,
        reenroll: template.reenroll,
        steps: template.steps,
      });
    }
    const named = await s.created({ fromTemplate: "welcome_email", name: "First purchase" });
    expect(named).toMatchObject({
      name: "First purchase",
      reenroll: false,
      trigger: { event: "payment.succeeded" },
    });
  });

  it("gives the engine the active workflows of a trigger, following activation, trigger edits and deletion", async () => {
    const s = await shopWith("Catalog Shop");
    const other = await shopWith("Other Catalog Shop");
    const a = await s.created(welcome);
    const b = await s.created({ ...welcome, active: false });
    const c = await s.created({
      ...welcome,
      trigger: { event: "customer.created" },
      steps: [email("Hi {{ customer.email }}")],
    });
    await other.created(welcome);
    const active = async (trigger: "payment.succeeded" | "customer.created") =>
      (await catalog.activeFor(s.shop.id, trigger)).map((w) => w.id).sort();

    // GSI reads are eventually consistent in the cloud; DynamoDB Local answers at once.
    expect(await active("payment.succeeded")).toEqual([a.id]);
    expect((await catalog.activeFor(s.shop.id, "payment.succeeded"))[0]).toEqual(a);
    expect(await active("customer.created")).toEqual([c.id]);

    await s.patch(b.id, { active: true });
    await s.patch(a.id, { active: false });
    await s.patch(c.id, { trigger: { event: "payment.succeeded" }, steps: [email()] });
    expect(await active("payment.succeeded")).toEqual([b.id, c.id].sort());
    expect(await active("customer.created")).toEqual([]);

    expect(await catalog.readVersion(s.shop.id, c.id, 1)).toMatchObject({
      version: 1,
      trigger: { event: "customer.created" },
    });
    expect(await catalog.readVersion(s.shop.id, c.id, 2)).toMatchObject({
      version: 2,
      trigger: { event: "payment.succeeded" },
    });
    expect(await catalog.readVersion(other.shop.id, c.id, 1)).toBeUndefined();

    expect((await s.remove(b.id)).status).toBe(204);
    expect(await active("payment.succeeded")).toEqual([c.id]);
    expect(await catalog.read(s.shop.id, b.id)).toBeUndefined();
    expect((await s.get(b.id)).status).toBe(404);
    expect(await events(s.shop.id, "workflow.deleted")).toHaveLength(1);
  });

  it("lists with active and trigger filters", async () => {
    const s = await shopWith("List Shop");
    const a = await s.created(welcome);
    const b = await s.created({ ...welcome, active: false });
    const c = await s.created({
      ...welcome,
      trigger: { event: "invoice.paid" },
      steps: [email("Paid {{ invoice.total | money }}")],
    });
    expect(ids(await s.list())).toEqual([c.id, b.id, a.id]);
    expect(ids(await s.list({ active: "true" }))).toEqual([c.id, a.id]);
    expect(ids(await s.list({ active: "false" }))).toEqual([b.id]);
    expect(ids(await s.list({ trigger: "payment.succeeded" }))).toEqual([b.id, a.id]);
    expect(ids(await s.list({ trigger: "invoice.paid", active: "true" }))).toEqual([c.id]);
  });

  it.each<[string, Body, string]>([
    ["an unknown trigger", { ...welcome, trigger: { event: "payment.refunded" } }, "trigger.event"],
    [
      "a filter on an unknown field",
      {
        ...welcome,
        trigger: {
          event: "payment.succeeded",
          filters: [{ field: "payment.colour", op: "eq", value: "red" }],
        },
      },
      "trigger.filters.0.field",
    ],
    ["an unknown variable", { ...welcome, steps: [email(), email("{{ invoice.number }}")] }, "steps.1.body"],
    [
      "a money filter's locale that is none",
      { ...welcome, steps: [email('{{ payment.amount | money: "en_US" }}')] },
      "steps.0.body",
    ],
    [
      "an address outside the team",
      { ...welcome, steps: [{ ...email(), to: { userEmail: "stranger@elsewhere.test" } }] },
      "steps.0.to.userEmail",
    ],
    ["21 steps", { ...welcome, steps: Array.from({ length: 21 }, () => email()) }, "steps"],
    ["branches 4 deep", { ...welcome, steps: [nest(4)] }, "steps.0.then.0.then.0.then.0"],
    ["branches 1,000 deep", { ...welcome, steps: [nest(1_000)] }, "steps.0.then.0.then.0.then.0"],
    [
      "a duration of a month",
      { ...welcome, steps: [{ type: "delay", duration: "P1M" }, email()] },
      "steps.0.duration",
    ],
    [
      "a delay over 365 days",
      { ...welcome, steps: [{ type: "delay", duration: "P400D" }, email()] },
      "steps.0.duration",
    ],
  ])("refuses %s with a 400 naming the field, writing nothing", async (_, body, path) => {
    const s = await shopWith("Bad Workflow Shop");
    const before = await aws.countItems();
    const r = await s.create(body);
    expect(r.status, r.raw).toBe(400);
    expect(r.body.errors.map((e: { path: string }) => e.path)).toEqual([path]);
    expect(await aws.countItems()).toBe(before);
  });

  it("takes a branch per language and a filter's locale, as saved", async () => {
    const s = await shopWith("Language Shop");
    const body =
      '{% if language == "nb" %}Takk for {{ payment.amount }}{% else %}Thanks for {{ payment.amount }}{% endif %}' +
      ' ({{ payment.paidAt | date: "nb-NO" }}, {{ locale }})';
    const made = await s.created({ ...welcome, steps: [email(body)] });
    expect(made.steps[0].body).toBe(body);
  });

  it("takes the merchant's own address as a recipient, in any case", async () => {
    const s = await shopWith("Self Mail Shop");
    const made = await s.created({
      ...welcome,
      steps: [{ ...email(), to: { userEmail: s.shop.email.toUpperCase() } }],
    });
    expect(made.steps[0].to).toEqual({ userEmail: s.shop.email.toLowerCase() });
  });

  it("refuses an edit that breaks the definition, keeping the workflow and its versions as they were", async () => {
    const s = await shopWith("Bad Edit Shop");
    const made = await s.created(welcome);
    const r = await merchantCall(workflows, "PATCH /v1/workflows/{id}", s.shop.secret, {
      id: made.id,
      body: { steps: [email("{{ discountCode.code }}")] },
    });
    expect(r.status, r.raw).toBe(400);
    expect(r.body.errors).toEqual([{ path: "steps.0.body", message: "unknown variable discountCode.code" }]);
    expect(await expectStatus(s.get(made.id))).toEqual(made);
    expect((await s.versions(made.id)).data).toHaveLength(1);
  });
});
