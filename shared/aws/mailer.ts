/**
 * The mailer port and its SES adapter. Templates are rendered by Kassa (escaped HTML + text) and
 * sent as a simple SendEmail; attachments, when a later use needs them, go through SendRawEmail.
 */
import { SESClient, SendEmailCommand } from "@aws-sdk/client-ses";
import { config } from "../config.ts";

export interface Mail {
  to: { email: string; name?: string };
  subject: string;
  text: string;
  html: string;
}

export interface Mailer {
  send(mail: Mail): Promise<{ messageId: string }>;
}

let ses: SESClient | undefined;
const sesClient = (): SESClient => {
  ses ??= new SESClient({});
  return ses;
};

/** `"Name" <address>` with the name's quotes and backslashes escaped. */
export function formatAddress({ email, name }: { email: string; name?: string }): string {
  return name ? `"${name.replace(/["\\\r\n]/g, (c) => (c === "\r" || c === "\n" ? " " : `\\${c}`))}" <${email}>` : email;
}

export const sesMailer: Mailer = {
  async send(mail) {
    const out = await sesClient().send(
      new SendEmailCommand({
        Source: config.mailFrom(),
        Destination: { ToAddresses: [formatAddress(mail.to)] },
        Message: {
          Subject: { Data: mail.subject, Charset: "UTF-8" },
          Body: { Text: { Data: mail.text, Charset: "UTF-8" }, Html: { Data: mail.html, Charset: "UTF-8" } },
        },
      }),
    );
    return { messageId: out.MessageId ?? "" };
  },
};
