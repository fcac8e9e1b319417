/**
 * A mail with a PDF attachment sent through the real SES stand-in (SendRawEmail), read back from its
 * store: the stand-in parses the raw MIME with mailparser, so this checks the message against an
 * independent MIME reader, byte for byte.
 */
import { randomUUID } from "node:crypto";
import { PDFDocument, StandardFonts } from "pdf-lib";
import { beforeAll, describe, expect, it } from "vitest";
import { sesMailer } from "../../shared/aws/mailer.ts";
import { type TestAws, useTestAws } from "../helpers/aws.ts";

async function samplePdf(): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  doc.addPage().drawText("Invoice INV-0001", { x: 50, y: 700, size: 24, font });
  return doc.save();
}

describe("sesMailer against the SES stand-in", () => {
  let aws: TestAws;
  beforeAll(async () => {
    aws = await useTestAws([]);
  });

  it("delivers the attachment byte for byte, with subject, text and html intact", async () => {
    const email = `buyer-${randomUUID()}@example.test`;
    const pdf = await samplePdf();
    const subject = "Rechnung INV-0001 von Kaffee Müller — fällig am 7. Januar ☕";
    const text = "Hallo Jörg,\n\nanbei Ihre Rechnung über 1.234,56 €.\n\nKaffee Müller";
    const html = `<p>Hallo Jörg,</p><p>anbei Ihre Rechnung über <b>1.234,56&nbsp;€</b>.</p>${"<p>…</p>".repeat(20)}`;

    const { messageId } = await sesMailer.send({
      to: { email, name: "Jörg Müller" },
      subject,
      text,
      html,
      attachments: [{ filename: "INV-0001.pdf", contentType: "application/pdf", content: pdf }],
    });

    expect(messageId).not.toBe("");
    const [mail, ...others] = await aws.mailTo(email);
    expect(others).toEqual([]);
    expect(mail!.from).toBe("billing@kassa.test");
    expect(mail!.destination.to).toEqual([`"Jörg Müller" <${email}>`]);
    expect(mail!.subject).toBe(subject);
    expect(mail!.body.text.replace(/\r\n/g, "\n").trimEnd()).toBe(text);
    expect(mail!.body.html.trimEnd()).toBe(html);
    expect(mail!.attachments).toHaveLength(1);
    expect(mail!.attachments[0]).toMatchObject({ filename: "INV-0001.pdf", contentType: "application/pdf" });
    expect(mail!.attachments[0]!.content).toBe(Buffer.from(pdf).toString("base64"));
  });
});
