/**
 * A one-time dashboard sign-in link for the demo merchant's owner, printed by `npm start` (local only):
 * asked for through the dashboard's own sign-in form, like a person would, and read from the mail the
 * SES stand-in caught. Nothing is minted behind the dashboard's back.
 */

/** A sign-in link in a mail's text: `<base>/app/sign-in/<token>`. */
export const signInLinkPattern = /https?:\/\/[^\s"'<>]+\/app\/sign-in\/[A-Za-z0-9_-]{43}/;

interface StoredMail {
  destination: { to: string[] };
  body: { text: string; html: string };
}

const linksTo = (mails: StoredMail[], email: string): string[] =>
  mails
    .filter((m) => m.destination.to.some((to) => to.toLowerCase().includes(email.toLowerCase())))
    .flatMap((m) => signInLinkPattern.exec(`${m.body.text}\n${m.body.html}`)?.[0] ?? []);

/** Asks the dashboard at `apiUrl` to mail `email` a link, and answers it once the mail is in; undefined if none comes. */
export async function requestLocalSignInLink(
  apiUrl: string,
  mailUrl: string,
  email: string,
  timeoutMs = 20_000,
): Promise<string | undefined> {
  const mails = async () =>
    ((await (await fetch(`${mailUrl}/store`)).json()) as { emails: StoredMail[] }).emails;
  const before = new Set(linksTo(await mails(), email));
  const form = await fetch(`${apiUrl}/app/sign-in`);
  const cookie = form.headers.getSetCookie()[0]?.split(";")[0];
  const csrf = /name="csrf" value="([^"]+)"/.exec(await form.text())?.[1];
  if (!cookie || !csrf) return undefined;
  const asked = await fetch(`${apiUrl}/app/sign-in`, {
    method: "POST",
    headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ csrf, email }).toString(),
  });
  if (asked.status !== 200) return undefined;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const fresh = linksTo(await mails(), email).filter((link) => !before.has(link));
    if (fresh.length) return fresh.at(-1);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return undefined;
}
