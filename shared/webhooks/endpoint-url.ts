/**
 * The create/PATCH-time check of an endpoint's URL: undefined when Kassa will post to it, else why
 * not (a 400 on `url`). Stand-in until the SSRF guard's `checkWebhookUrl` (shared/webhooks/outbound.ts)
 * lands: the merge replaces this body with a call to it. Every delivery is checked again by the
 * outbound port itself, so this is the early, friendly refusal, not the guard.
 */
export async function endpointUrlProblem(url: string, options: { allowLoopback: boolean }): Promise<string | undefined> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return "must be an absolute URL";
  }
  if (target.username || target.password) return "must not carry credentials";
  if (target.protocol === "https:") return undefined;
  const loopback = ["127.0.0.1", "localhost", "[::1]"].includes(target.hostname);
  if (target.protocol === "http:" && loopback && options.allowLoopback) return undefined;
  return "must be an https URL";
}
