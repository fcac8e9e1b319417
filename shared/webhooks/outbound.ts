/**
 * Posts to a merchant's URL (webhook endpoints, workflows' `send_webhook` steps): one attempt, a
 * timeout, no redirects followed, and only the first KiB of the response kept (it is shown to the
 * merchant, escaped, and never trusted). It never throws for the other side's failures: a timeout,
 * a refused connection or an unresolvable host is an outcome the caller records and retries.
 */
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";

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

export interface OutboundOptions {
  /**
   * Loopback targets (`http://127.0.0.1:…`) for a developer's receiver on their laptop: the local
   * runtime (`npm start`) sets it, the CDK stack never does.
   */
  allowLoopback: boolean;
  /** Monotonic milliseconds for durations (a port so tests can pin it). */
  elapsed?: () => number;
}

/** How much of a response is kept. */
export const responseBodyLimit = 1024;

export function outboundHttp(options: OutboundOptions): OutboundPort {
  const now = options.elapsed ?? (() => performance.now());
  return {
    post({ url, body, headers, timeoutMs }) {
      const started = now();
      const durationMs = () => Math.round(now() - started);
      return new Promise<OutboundResult>((resolve) => {
        const target = new URL(url);
        const send = target.protocol === "https:" ? httpsRequest : httpRequest;
        const req = send(
          target,
          {
            method: "POST",
            headers: { ...headers, "content-length": String(Buffer.byteLength(body)) },
            timeout: timeoutMs,
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
              resolve({
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
        req.on("error", (error) => resolve({ outcome: "failed", error: error.message, durationMs: durationMs() }));
        req.end(body);
      });
    },
  };
}
