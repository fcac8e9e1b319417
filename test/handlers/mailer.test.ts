/**
 * The SES mailer adapter: plain mail goes out as SendEmail; mail with attachments as SendRawEmail
 * carrying the MIME message built by shared/aws/mime.ts (nodemailer's MailComposer). Either way a
 * non-ASCII display name reaches SES as RFC 2047 encoded words, never as raw UTF-8.
 */
import { SendEmailCommand, SendRawEmailCommand, SESClient } from "@aws-sdk/client-ses";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { type Mail, sesMailer } from "../../shared/aws/mailer.ts";

const ses = mockClient(SESClient);

const pdf = new Uint8Array([
  0x25, 0x50, 0x44, 0x46, 0x2d, 0x31, 0x2e, 0x37, 0x0a, 0x00, 0xff, 0x80, 0xe2, 0x9c, 0x93,
]);

const mail = (overrides: Partial<Mail> = {}): Mail => ({
  to: { email: "jo@example.test", name: "Jo Müller" },
  subject: "Invoice INV-0001 from Acme Coffee",
  text: "Your invoice is attached.",
  html: "<p>Your invoice is attached.</p>",
  ...overrides,
});

describe("sesMailer", () => {
  beforeEach(() => {
    ses.reset();
    process.env.MAIL_FROM = "billing@kassa.test";
  });

  it("sends a mail with attachments as SendRawEmail with the MIME message", async () => {
    ses.on(SendRawEmailCommand).resolves({ MessageId: "ses-raw-1" });

    const result = await sesMailer.send(
      mail({ attachments: [{ filename: "INV-0001.pdf", contentType: "application/pdf", content: pdf }] }),
    );

    expect(result).toEqual({ messageId: "ses-raw-1" });
    expect(ses).toHaveReceivedCommandTimes(SendRawEmailCommand, 1);
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 0);
    expect(ses).toHaveReceivedCommandWith(SendRawEmailCommand, {
      Source: "billing@kassa.test",
      Destinations: ["jo@example.test"],
    });
    const input = ses.commandCalls(SendRawEmailCommand)[0]!.args[0].input;
    const raw = new TextDecoder().decode(input.RawMessage?.Data);
    expect(raw).toMatch(/^From: billing@kassa\.test\r\n/m);
    expect(raw).toContain("To: =?UTF-8?B?Sm8gTcO8bGxlcg==?= <jo@example.test>\r\n");
    expect(raw).toContain("Subject: Invoice INV-0001 from Acme Coffee\r\n");
    expect(raw).toMatch(/^Content-Type: multipart\/mixed; boundary="/m);
    expect(raw).toMatch(/^Content-Disposition: attachment; filename="?INV-0001\.pdf"?\r\n/m);
    expect(raw).toContain(`\r\n\r\n${Buffer.from(pdf).toString("base64")}\r\n`);
    expect(raw).toContain("Your invoice is attached.");
  });

  it("keeps SendEmail for a mail without attachments", async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: "ses-1" });

    const result = await sesMailer.send(mail({ attachments: [] }));

    expect(result).toEqual({ messageId: "ses-1" });
    expect(ses).toHaveReceivedCommandTimes(SendRawEmailCommand, 0);
    expect(ses).toHaveReceivedCommandWith(SendEmailCommand, {
      Source: "billing@kassa.test",
      Destination: { ToAddresses: ["=?UTF-8?B?Sm8gTcO8bGxlcg==?= <jo@example.test>"] },
      Message: {
        Subject: { Data: "Invoice INV-0001 from Acme Coffee", Charset: "UTF-8" },
        Body: {
          Text: { Data: "Your invoice is attached.", Charset: "UTF-8" },
          Html: { Data: "<p>Your invoice is attached.</p>", Charset: "UTF-8" },
        },
      },
    });
  });

  it("RFC 2047-encodes a non-ASCII display name in every address header, SendEmail and raw alike", async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: "ses-2" });
    ses.on(SendRawEmailCommand).resolves({ MessageId: "ses-raw-2" });
    const to = { email: "jose@example.test", name: "José Ñandú" };
    const encoded = "=?UTF-8?B?Sm9zw6kgw5FhbmTDug==?= <jose@example.test>";

    await sesMailer.send(mail({ to }));
    await sesMailer.send(
      mail({ to, attachments: [{ filename: "INV-0001.pdf", contentType: "application/pdf", content: pdf }] }),
    );

    expect(ses).toHaveReceivedCommandWith(SendEmailCommand, {
      Source: "billing@kassa.test",
      Destination: { ToAddresses: [encoded] },
    });
    const raw = new TextDecoder().decode(
      ses.commandCalls(SendRawEmailCommand)[0]!.args[0].input.RawMessage?.Data,
    );
    expect(raw).toContain(`\r\nTo: ${encoded}\r\n`);
    expect(raw).toMatch(/^[\x20-\x7e\r\n\t]*$/);
    expect(Buffer.from("Sm9zw6kgw5FhbmTDug==", "base64").toString("utf8")).toBe("José Ñandú");
  });

  it("sends a mail with extra headers as SendRawEmail, List-Unsubscribe and its one-click post in the raw MIME", async () => {
    ses.on(SendRawEmailCommand).resolves({ MessageId: "ses-raw-3" });
    const link = "https://pay.kassa.test/u/AbCdEfGhIjKlMnOpQrStUvWxYz012345";

    const result = await sesMailer.send(
      mail({
        headers: {
          "List-Unsubscribe": `<${link}>`,
          "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
      }),
    );

    expect(result).toEqual({ messageId: "ses-raw-3" });
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 0);
    const raw = new TextDecoder().decode(
      ses.commandCalls(SendRawEmailCommand)[0]!.args[0].input.RawMessage?.Data,
    );
    expect(raw).toContain(`List-Unsubscribe: <${link}>\r\n`);
    expect(raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r$/m);
    expect(raw).toContain("Subject: Invoice INV-0001 from Acme Coffee\r\n");
    expect(raw).toContain("Your invoice is attached.");
  });

  it("refuses an extra header that would replace one of the message's own or smuggle a line", async () => {
    await expect(sesMailer.send(mail({ headers: { To: "else@example.test" } }))).rejects.toThrow(RangeError);
    await expect(sesMailer.send(mail({ headers: { "Bcc:x": "else@example.test" } }))).rejects.toThrow(
      RangeError,
    );
    ses.on(SendRawEmailCommand).resolves({ MessageId: "ses-raw-4" });
    await sesMailer.send(mail({ headers: { "X-Note": "one\r\nBcc: else@example.test" } }));
    const raw = new TextDecoder().decode(
      ses.commandCalls(SendRawEmailCommand)[0]!.args[0].input.RawMessage?.Data,
    );
    expect(raw).not.toMatch(/^Bcc:/m);
    expect(raw).toContain("X-Note: one Bcc: else@example.test\r\n");
    expect(ses).toHaveReceivedCommandTimes(SendRawEmailCommand, 1);
  });

  it("surfaces an SES failure", async () => {
    ses.on(SendRawEmailCommand).rejects(new Error("MessageRejected"));

    await expect(
      sesMailer.send(
        mail({ attachments: [{ filename: "a.pdf", contentType: "application/pdf", content: pdf }] }),
      ),
    ).rejects.toThrow("MessageRejected");
  });
});
