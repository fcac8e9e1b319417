/**
 * Kassa's logs and metrics, through Powertools for AWS Lambda: one logger (structured JSON lines; in
 * the local runtime `POWERTOOLS_DEV` prints them indented) and the metrics port every emitter uses
 * (Embedded Metric Format lines on stdout, which CloudWatch turns into metrics in the `Kassa`
 * namespace). What a log line may carry is decided where it is written: ids, route keys, statuses,
 * types and outcomes — never a request body, a header, a raw path (hosted paths hold page tokens),
 * a secret or card data.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type middy from "@middy/core";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import { config } from "./config.ts";
import { type MetricName, metricsNamespace } from "./metrics-names.ts";

export const serviceName = "kassa";

export const logger = new Logger({ serviceName, logLevel: config.logLevel() });

/** Keys a consumer adds to every line it writes for one message (its correlation id, the event's type). */
export const logContext = (keys: Record<string, string | undefined>): void => {
  logger.appendKeys(Object.fromEntries(Object.entries(keys).filter(([, v]) => v !== undefined)));
};

/**
 * How long something took, in whole milliseconds. A duration, not a date: measured on the monotonic
 * timer, which neither the clock port nor the local runtime's clock moves shift.
 */
export function stopwatch(): () => number {
  const started = performance.now();
  return () => Math.round(performance.now() - started);
}

/** One metric data point: a name from shared/metrics-names.ts, its value and its dimensions. */
export interface MetricPoint {
  name: MetricName;
  value: number;
  unit: "Count" | "Seconds";
  dimensions?: Readonly<Record<string, string>>;
}

/** Where metrics go: EMF on stdout in functions; tests may pass their own. */
export interface MetricsPort {
  emit(point: MetricPoint): void;
}

const metrics = new Metrics({ namespace: metricsNamespace, serviceName });

/**
 * Each point is written at once as its own EMF line (a single-metric instance): points of one
 * invocation carry different dimensions, and nothing is lost if the invocation fails after them.
 */
export const emfMetrics: MetricsPort = {
  emit({ name, value, unit, dimensions = {} }) {
    const single = metrics.singleMetric();
    for (const [dimension, dimensionValue] of Object.entries(dimensions))
      single.addDimension(dimension, dimensionValue);
    single.addMetric(name, MetricUnit[unit], value);
  },
};

/**
 * Starts one unit's log context (a request, a message): the keys of the one before are dropped, the
 * Lambda context (function, cold start, invocation id) is added when there is one.
 */
export function startLogContext(
  context: Partial<Context> | undefined,
  keys: Record<string, string | undefined>,
) {
  logger.resetKeys();
  if (context?.functionName) logger.addContext(context as Context);
  logContext(keys);
}

type ApiMiddleware = middy.MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>;

/**
 * One line per API request, written after the problem mapper shaped an error: the route key (never
 * the raw path), the status, the latency, the request id and — once authenticated — the merchant.
 * Register it before the error mapper so its onError runs after it.
 */
export function apiRequestLog(): ApiMiddleware {
  const timers = new WeakMap<object, () => number>();
  const log = (request: middy.Request<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>) => {
    const status = request.response?.statusCode ?? 500;
    const fields = { status, latencyMs: timers.get(request)?.() ?? 0 };
    if (status >= 500) logger.error("API request", fields);
    else logger.info("API request", fields);
  };
  return {
    before: (request) => {
      timers.set(request, stopwatch());
      startLogContext(request.context, {
        route: request.event.routeKey,
        requestId: request.event.requestContext?.requestId,
        correlationId: request.event.requestContext?.requestId,
      });
    },
    after: log,
    onError: log,
  };
}
