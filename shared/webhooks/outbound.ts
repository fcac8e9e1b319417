/**
 * Posts to a merchant's URL (webhook endpoints, workflows' `send_webhook` steps): one attempt, a
 * timeout, no redirects followed, and only the first KiB of the response kept (it is shown to the
 * merchant, escaped, and never trusted). It never throws for the other side's failures: a timeout,
 * a refused connection or an unresolvable host is an outcome the caller records and retries.
 *
 * The URL is the merchant's, so every post is guarded against server-side request forgery: https
 * only (plain http only to a loopback receiver, and loopback only when the local runtime allows
 * it), the host resolved and every address it resolves to checked (shared/webhooks/addresses.ts),
 * then the connection made to exactly the checked address — a DNS answer that changes between the
 * check and the connect (rebinding) is never asked for. The Host header and TLS SNI stay the URL's
 * hostname, so certificates are verified as usual. A 3xx is an answer like any non-2xx: its
 * Location is never contacted. A refusal opens no socket.
 */
import { type LookupAddress, lookup } from "node:dns";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { isIP, type LookupFunction } from "node:net";
import { forbiddenAddress, isLoopbackAddress } from "./addresses.ts";

export interface OutboundPost {
  url: string;
  /** The raw body, sent byte for byte as signed. */
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
}

export type OutboundResult =
  /** The other side answered (any status: the caller decides what counts as success). */
  | { outcome: "responded"; status: number; body: string; durationMs: number }
  /** No answer: timeout, connection refused or reset, DNS failure. */
  | { outcome: "failed"; error: string; durationMs: number }
  /** Not sent: the URL or the address it resolves to is not one Kassa posts to. */
  | { outcome: "refused"; error: string; durationMs: number };

export interface OutboundPort {
  post(request: OutboundPost): Promise<OutboundResult>;
}

/** A hostname's addresses (IP literals); rejects when it does not resolve. */
export type Resolve = (hostname: string) => Promise<readonly string[]>;

export interface OutboundOptions {
  /**
   * Loopback targets (`http://127.0.0.1:…`) for a developer's receiver on their laptop: the local
   * runtime (`npm start`) sets it, the CDK stack never does.
   */
  allowLoopback: boolean;
  /** Monotonic milliseconds for durations (a port so tests can pin it). */
  elapsed?: () => number;
  /** The DNS (a port so tests can make a name resolve to a private address); `dns.lookup` by default. */
  resolve?: Resolve;
}

/** How much of a response is kept. */
export const responseBodyLimit = 1024;

/** Every address of a hostname, as the operating system's resolver gives them (`/etc/hosts` included). */
export const systemResolve: Resolve = (hostname) =>
  new Promise((resolve, reject) =>
    lookup(hostname, { all: true, verbatim: true }, (error, addresses: LookupAddress[]) =>
      error ? reject(error) : resolve(addresses.map((a) => a.address)),
    ),
  );

type Vetted =
  | { ok: true; target: URL; addresses: readonly string[] }
  | { ok: false; outcome: "refused" | "failed"; error: string };

/** The URL's hostname without IPv6 brackets (WHATWG URL has already turned `2130706433` into `127.0.0.1`). */
const bareHost = (target: URL) => target.hostname.replace(/^\[(.*)\]$/, "$1");

/** What the URL is as text alone: a reason to refuse it, or the parsed URL. */
function parse(url: string, allowLoopback: boolean): { target: URL } | { refused: string } {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return { refused: "must be an absolute URL" };
  }
  if (target.protocol !== "https:" && !(allowLoopback && target.protocol === "http:"))
    return { refused: allowLoopback ? "must be an https (or loopback http) URL" : "must be an https URL" };
  // Credentials in a URL would sit unsealed wherever the URL is kept and shown.
  if (target.username || target.password) return { refused: "must not carry a user name or password" };
  return { target };
}

/** Why none of `addresses` may be posted to (all are checked: the connection may use any), or undefined. */
function addressesRefusal(target: URL, addresses: readonly string[], allowLoopback: boolean) {
  if (addresses.length === 0) return `${target.hostname} resolves to no address`;
  for (const address of addresses) {
    const reason = forbiddenAddress(address, { allowLoopback });
    if (reason) return `${target.hostname} resolves to ${reason}`;
    // Plain http is for a developer's receiver on the same machine, never across a network.
    if (target.protocol === "http:" && !isLoopbackAddress(address))
      return `http is allowed only to a loopback receiver; ${target.hostname} resolves to ${address}`;
  }
  return undefined;
}

/** Resolves within `ms`: a DNS that never answers must not hold a request past its timeout. */
function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no DNS answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

async function vet(
  url: string,
  allowLoopback: boolean,
  resolve: Resolve,
  timeoutMs: number,
): Promise<Vetted> {
  const parsed = parse(url, allowLoopback);
  if ("refused" in parsed) return { ok: false, outcome: "refused", error: `The URL ${parsed.refused}` };
  const { target } = parsed;
  const host = bareHost(target);
  let addresses: readonly string[];
  try {
    addresses = isIP(host) ? [host] : await within(resolve(host), timeoutMs);
  } catch (error) {
    return { ok: false, outcome: "failed", error: `${host} did not resolve: ${(error as Error).message}` };
  }
  const refusal = addressesRefusal(target, addresses, allowLoopback);
  if (refusal) return { ok: false, outcome: "refused", error: refusal };
  return { ok: true, target, addresses };
}

/** How long a create-time check waits for DNS before accepting the URL (it is checked again at delivery). */
const checkResolveMs = 2_000;

/**
 * Why `url` is not a webhook URL Kassa posts to (for a 400 at create and update), or undefined when
 * it is. A hostname that does not resolve now is accepted: it may by the first delivery, which
 * checks again.
 */
export async function checkWebhookUrl(
  url: string,
  options: { allowLoopback: boolean; resolve?: Resolve },
): Promise<string | undefined> {
  const vetted = await vet(url, options.allowLoopback, options.resolve ?? systemResolve, checkResolveMs);
  if (vetted.ok) return undefined;
  if (vetted.outcome === "refused") return vetted.error;
  // Plain http is only for a loopback receiver, which resolves now: an unresolvable http host would
  // otherwise be accepted here and refused at every delivery.
  return new URL(url).protocol === "http:"
    ? `must be an https URL: plain http only to a loopback receiver, and ${vetted.error}`
    : undefined;
}

/**
 * A `lookup` that answers with the checked addresses only, whatever it is asked: the socket connects
 * where the check looked. Node asks with `all: true` when it races address families (so a receiver
 * on `127.0.0.1` is reached when `localhost` is `::1` first); otherwise it gets the first.
 */
function pinnedLookup(addresses: readonly string[]): LookupFunction {
  const answers: LookupAddress[] = addresses.map((address) => ({ address, family: isIP(address) }));
  const [first] = answers as [LookupAddress];
  return (_hostname, options, callback) => {
    if (options.all) (callback as (e: null, a: LookupAddress[]) => void)(null, answers);
    else callback(null, first.address, first.family);
  };
}

export function outboundHttp(options: OutboundOptions): OutboundPort {
  const now = options.elapsed ?? (() => performance.now());
  const resolve = options.resolve ?? systemResolve;
  return {
    async post({ url, body, headers, timeoutMs }) {
      const started = now();
      const durationMs = () => Math.round(now() - started);
      const vetted = await vet(url, options.allowLoopback, resolve, timeoutMs);
      if (!vetted.ok) return { outcome: vetted.outcome, error: vetted.error, durationMs: durationMs() };
      const { target, addresses } = vetted;
      // The DNS answer's time counts against the same timeout.
      const remainingMs = Math.max(1, timeoutMs - durationMs());
      return new Promise<OutboundResult>((resolved) => {
        // A receiver trickling bytes resets an idle timeout forever: the whole post has a deadline too.
        const deadline = setTimeout(
          () => req.destroy(new Error(`no complete response within ${timeoutMs} ms`)),
          remainingMs,
        );
        const settle = (result: OutboundResult) => {
          clearTimeout(deadline);
          resolved(result);
        };
        const send = target.protocol === "https:" ? httpsRequest : httpRequest;
        const req = send(
          target,
          {
            method: "POST",
            headers: { ...headers, "content-length": String(Buffer.byteLength(body)) },
            timeout: remainingMs,
            lookup: pinnedLookup(addresses),
            // No pooled socket: a kept-alive one may lead to an address checked for an earlier post.
            agent: false,
          },
          (res: IncomingMessage) => {
            const chunks: Buffer[] = [];
            let kept = 0;
            res.on("data", (chunk: Buffer) => {
              if (kept >= responseBodyLimit) return;
              chunks.push(chunk);
              kept += chunk.length;
              if (kept >= responseBodyLimit) res.destroy();
            });
            const done = () =>
              settle({
                outcome: "responded",
                status: res.statusCode ?? 0,
                body: Buffer.concat(chunks).subarray(0, responseBodyLimit).toString("utf8"),
                durationMs: durationMs(),
              });
            res.on("end", done);
            res.on("close", done);
          },
        );
        req.on("timeout", () => req.destroy(new Error(`no response within ${timeoutMs} ms`)));
        req.on("error", (error) =>
          settle({ outcome: "failed", error: error.message, durationMs: durationMs() }),
        );
        req.end(body);
      });
    },
  };
}
