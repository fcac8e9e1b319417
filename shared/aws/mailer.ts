/**
 * The mailer port and its SES adapter. Templates are rendered by Kassa (escaped HTML + text) and
 * sent as a simple SendEmail; a mail with attachments (an invoice PDF) or extra headers
 * (`List-Unsubscribe`) is built as MIME by
 * nodemailer's MailComposer (`mime.ts`) and sent with SendRawEmail, which is also what the local SES
 * stand-in parses. Either way every address SES is given is `mimeAddress`'s: a non-ASCII display
 * name as RFC 2047 encoded words.
 */
import { SESClient, SendEmailCommand, SendRawEmailCommand } from "@aws-sdk/client-ses";
import { config } from "../config.ts";
import { awsClientConfig } from "./clients.ts";
import { buildMimeMessage, mimeAddress } from "./mime.ts";

export interface MailAttachment {
  filename: string;
  /** e.g. `application/pdf`. */
  contentType: string;
  content: Uint8Array;
}

export interface Mail {
  to: { email: string; name?: string };
  subject: string;
  text: string;
  html: string;
  attachments?: MailAttachment[];
  /**
   * Extra header fields, e.g. `List-Unsubscribe` and `List-Unsubscribe-Post` (RFC 8058) on a
   * buyer-facing workflow email. SendEmail cannot carry them: such a mail goes as MIME too.
   */
  headers?: Record<string, string>;
}

export interface Mailer {
  send(mail: Mail): Promise<{ messageId: string }>;
}

let ses: SESClient | undefined;
const sesClient = (): SESClient => {
  ses ??= new SESClient(awsClientConfig);
  return ses;
};

export const sesMailer: Mailer = {
  async send(mail) {
    if (mail.attachments?.length || Object.keys(mail.headers ?? {}).length > 0) {
      const source = config.mailFrom();
      const raw = await buildMimeMessage({ from: source, ...mail });
      const out = await sesClient().send(
        new SendRawEmailCommand({
          Source: source,
          Destinations: [mail.to.email],
          RawMessage: { Data: new TextEncoder().encode(raw) },
        }),
      );
      return { messageId: out.MessageId ?? "" };
    }
    const out = await sesClient().send(
      new SendEmailCommand({
        Source: mimeAddress(config.mailFrom()),
        Destination: { ToAddresses: [mimeAddress(mail.to)] },
        Message: {
          Subject: { Data: mail.subject, Charset: "UTF-8" },
          Body: { Text: { Data: mail.text, Charset: "UTF-8" }, Html: { Data: mail.html, Charset: "UTF-8" } },
        },
      }),
    );
    return { messageId: out.MessageId ?? "" };
  },
};
