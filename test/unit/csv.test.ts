/** The CSV writer of list exports: RFC 4180 text, CRLF, no BOM, formula neutralisation, exact amounts. */
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { amountColumn, numberColumn, textColumn } from "../../shared/http/csv.ts";
import { csvHeader, csvLine, neutralise } from "../../shared/http/csv-writer.ts";
import { wantsCsv } from "../../shared/http/list.ts";

interface Row {
  name?: string | undefined;
  count: number;
  amount: number;
  currency: string;
  active: boolean;
}

const columns = [
  textColumn<Row>("name", "Name", (r) => r.name),
  numberColumn<Row>("count", "Count", (r) => r.count),
  textColumn<Row>("currency", "Currency", (r) => r.currency),
  amountColumn<Row>("amount", "Amount", (r) => r.amount),
  textColumn<Row>("active", "Active", (r) => r.active),
];

const row = (over: Partial<Row>): Row => ({ name: "Ada", count: 1, amount: 4250, currency: "USD", active: true, ...over });
const line = (over: Partial<Row>) => csvLine(columns, row(over));

describe("CSV writer", () => {
  it("writes a header and rows ending in CRLF, without a BOM", () => {
    const text = csvHeader(columns) + line({});
    expect(text).toBe("name,count,currency,amount,active\r\nAda,1,USD,42.50,true\r\n");
    expect(Buffer.from(text, "utf8")[0]).not.toBe(0xef);
    expect(line({ name: "Zoë – Müller 東京" })).toBe("Zoë – Müller 東京,1,USD,42.50,true\r\n");
  });

  it("quotes per RFC 4180: commas, quotes, CR and LF; empty cells for absent values", () => {
    expect(line({ name: "Doe, Jane" })).toBe('"Doe, Jane",1,USD,42.50,true\r\n');
    expect(line({ name: 'The "best" shop' })).toBe('"The ""best"" shop",1,USD,42.50,true\r\n');
    expect(line({ name: "two\nlines" })).toBe('"two\nlines",1,USD,42.50,true\r\n');
    expect(line({ name: "a\r\nb" })).toBe('"a\r\nb",1,USD,42.50,true\r\n');
    expect(line({ name: undefined })).toBe(",1,USD,42.50,true\r\n");
  });

  it.each([
    ['=HYPERLINK("x")', `"'=HYPERLINK(""x"")"`],
    ["+1 555", "'+1 555"],
    ["-12", "'-12"],
    ["@SUM(A1)", "'@SUM(A1)"],
    ["\tindent", "'\tindent"],
    ["\rcr", `"'\rcr"`],
    ["plain = text", "plain = text"],
  ])("neutralises a text cell starting with a formula character: %j", (name, cell) => {
    expect(line({ name })).toBe(`${cell},1,USD,42.50,true\r\n`);
  });

  it("leaves numbers and amounts as numbers, negative ones too", () => {
    expect(line({ count: -3, amount: -1250 })).toBe("Ada,-3,USD,-12.50,true\r\n");
    expect(neutralise("-12.50")).toBe("'-12.50");
  });

  it.each([
    ["JPY", 5000, "5000"],
    ["USD", 4250, "42.50"],
    ["USD", 5, "0.05"],
    ["KWD", 1250, "1.250"],
    ["KWD", -1, "-0.001"],
    ["USD", 9007199254740991, "90071992547409.91"],
  ])("writes %s %i minor units as %s (exponent exact, never a float)", (currency, amount, text) => {
    expect(line({ currency, amount })).toBe(`Ada,1,${currency},${text},true\r\n`);
  });
});

describe("CSV or JSON", () => {
  const event = (accept?: string) =>
    ({ headers: accept === undefined ? {} : { accept } }) as unknown as APIGatewayProxyEventV2;
  it.each([
    [undefined, undefined, false],
    ["text/csv", undefined, true],
    ["application/json", undefined, false],
    ["text/csv;q=0.5, application/json", undefined, false],
    ["application/json;q=0.2, text/csv", undefined, true],
    ["text/csv;q=0", undefined, false],
    ["*/*", undefined, false],
    ["application/json", "csv", true],
    ["text/csv", "json", false],
  ] as const)("Accept %j and format %j → CSV %s", (accept, format, csv) => {
    expect(wantsCsv(event(accept), format)).toBe(csv);
  });
});
