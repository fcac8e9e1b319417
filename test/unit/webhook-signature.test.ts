import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signatureHeader, verifySignature } from "../../shared/webhooks/signature.ts";

const body = '{"id":"evt_1","type":"invoice.paid"}';
const t = 1_767_225_600;

describe("Kassa-Signature", () => {
  it("is t=<seconds>,v1=HMAC-SHA256(whole whsec_ secret as UTF-8, `<t>.` + raw body) in hex", () => {
    const secret = "whsec_abc";
    const expected = createHmac("sha256", Buffer.from(secret, "utf8")).update(`${t}.${body}`).digest("hex");
    expect(signatureHeader([secret], t, body)).toBe(`t=${t},v1=${expected}`);
  });

  it("during a rotation carries the new secret's v1 first, then the old one's; either verifies", () => {
    const header = signatureHeader(["whsec_new", "whsec_old"], t, body);
    const [, first, second] = header.split(",");
    expect(first).toBe(signatureHeader(["whsec_new"], t, body).split(",")[1]);
    expect(second).toBe(signatureHeader(["whsec_old"], t, body).split(",")[1]);
    expect(verifySignature(header, "whsec_new", body, t)).toBe(true);
    expect(verifySignature(header, "whsec_old", body, t)).toBe(true);
    expect(verifySignature(header, "whsec_other", body, t)).toBe(false);
  });

  it("refuses a changed body, and a timestamp more than 5 minutes away", () => {
    const header = signatureHeader(["whsec_abc"], t, body);
    expect(verifySignature(header, "whsec_abc", `${body} `, t)).toBe(false);
    expect(verifySignature(header, "whsec_abc", body, t + 300)).toBe(true);
    expect(verifySignature(header, "whsec_abc", body, t + 301)).toBe(false);
    expect(verifySignature(header, "whsec_abc", body, t - 301)).toBe(false);
    expect(verifySignature("v1=deadbeef", "whsec_abc", body, t)).toBe(false);
  });
});
