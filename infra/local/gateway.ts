/** The local HTTP API: serves every manifest route by invoking its handler with an API Gateway v2 event. */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { APIGatewayProxyResultV2 } from "aws-lambda";
import type { FunctionDefinition } from "../manifest.ts";
import { type CompiledRoute, compileRoute, fromHandlerResult, matchRoute, toApiGatewayEvent } from "./apigateway.ts";
import { type Handler, invokeLambda, LambdaTimeoutError } from "./invoke-lambda.ts";

/** API Gateway's own payload limit. */
const maxPayloadBytes = 10 * 1024 * 1024;

export interface Gateway {
  url: string;
  stop(): Promise<void>;
}

type Target = { fn: FunctionDefinition; handler: Handler };

function problem(status: number, title: string, detail: string) {
  return {
    statusCode: status,
    headers: { "content-type": "application/problem+json" },
    cookies: [],
    body: Buffer.from(JSON.stringify({ type: "about:blank", title, status, detail })),
  };
}

function readBody(req: IncomingMessage): Promise<Buffer | "too_large"> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxPayloadBytes) chunks.push(chunk);
    });
    req.on("end", () => resolve(size > maxPayloadBytes ? "too_large" : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** Local-only control routes under `/_local/` (never deployed): the path and the parsed JSON body in, a JSON answer out. */
export type LocalControl = (path: string, body: unknown) => Promise<unknown>;

export async function startGateway(targets: Target[], options: { port?: number; control?: LocalControl } = {}): Promise<Gateway> {
  const routes: CompiledRoute<Target>[] = targets.flatMap((t) => (t.fn.routes ?? []).map((r) => compileRoute(r, t)));
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const body = await readBody(req);
    const matched = matchRoute(routes, req.method ?? "GET", url.pathname);
    let result: ReturnType<typeof fromHandlerResult>;
    if (options.control && url.pathname.startsWith("/_local/") && req.method === "POST" && body !== "too_large") {
      try {
        const answer = await options.control(url.pathname, body.length ? JSON.parse(body.toString("utf8")) : {});
        result = { statusCode: 200, headers: { "content-type": "application/json" }, cookies: [], body: Buffer.from(JSON.stringify(answer)) };
      } catch (error) {
        result = problem(400, "Bad control request", (error as Error).message);
      }
    } else if (body === "too_large") result = problem(413, "Payload too large", "The request exceeds 10 MB");
    else if (matched === "not_found") result = problem(404, "Not found", `No route for ${url.pathname}`);
    else if (matched === "method_not_allowed") result = problem(405, "Method not allowed", `${req.method} is not allowed on ${url.pathname}`);
    else {
      const { fn, handler } = matched.match.target;
      const event = toApiGatewayEvent({
        method: req.method ?? "GET",
        url,
        headers: req.headers,
        body,
        route: matched.match.route,
        pathParameters: matched.pathParameters,
        sourceIp: req.socket.remoteAddress?.replace(/^::ffff:/, "") ?? "127.0.0.1",
      });
      try {
        result = fromHandlerResult((await invokeLambda(fn, handler, event)) as APIGatewayProxyResultV2);
      } catch (error) {
        console.error(`[gateway] ${fn.name} failed:`, error);
        result =
          error instanceof LambdaTimeoutError
            ? problem(503, "Service unavailable", "The function timed out")
            : problem(500, "Internal server error", "The function failed");
      }
    }
    res.statusCode = result.statusCode;
    for (const [name, value] of Object.entries(result.headers)) res.setHeader(name, value);
    if (result.cookies.length) res.setHeader("set-cookie", result.cookies);
    res.end(result.body);
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
