/**
 * Kassa's logs and metrics, through Powertools for AWS Lambda: one logger (structured JSON lines; in
 * the local runtime `POWERTOOLS_DEV` prints them indented) and the metrics port every emitter uses
 * (Embedded Metric Format lines on stdout, which CloudWatch turns into metrics in the `Kassa`
 * namespace). What a log line may carry is decided where it is written: ids, route keys, statuses,
 * types and outcomes — never a request body, a header, a raw path (hosted paths hold page tokens),
 * a secret or card data.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type middy from "@middy/core";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import { config } from "./config.ts";
import { type MetricName, metricsNamespace, metricsService } from "./metrics-names.ts";

const serviceName = metricsService;

export const logger = new Logger({ serviceName, logLevel: config.logLevel() });

/**
 * The keys of the unit being served (a request, a message) live in async context, not on the
 * logger: the local runtime serves many functions in one process, concurrently, and one unit's keys
 * must never land on another's lines.
 */
const unitKeys = new AsyncLocalStorage<Record<string, string>>();

const defined = (keys: Record<string, string | undefined>): Record<string, string> =>
  Object.fromEntries(
    Object.entries(keys).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );

/** Runs one unit (a request, a message) with its log keys and the Lambda context's, when there is one. */
export function inLogContext<T>(
  context: Partial<Context> | undefined,
  keys: Record<string, string | undefined>,
  run: () => Promise<T>,
): Promise<T> {
  const lambda = { function_name: context?.functionName, function_request_id: context?.awsRequestId };
  return unitKeys.run({ ...defined(lambda), ...defined(keys) }, run);
}

/** Adds keys to every later line of the current unit (its correlation id, the merchant once known). */
export const logContext = (keys: Record<string, string | undefined>): void => {
  const current = unitKeys.getStore();
  if (current) Object.assign(current, defined(keys));
};

/** The correlation id of the unit being served: written on the events it causes, so their consumers log it. */
export const currentCorrelationId = (): string | undefined => unitKeys.getStore()?.correlationId;

type Fields = Record<string, unknown>;

/** Log lines carrying the current unit's keys. */
export const log = {
  info: (message: string, fields: Fields = {}) => logger.info(message, { ...unitKeys.getStore(), ...fields }),
  error: (message: string, fields: Fields = {}) =>
    logger.error(message, { ...unitKeys.getStore(), ...fields }),
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

type ApiMiddleware = middy.MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>;

/**
 * One line per API request, written after the problem mapper shaped an error: the status and the
 * latency, with the unit's keys (`apiLogContext`: route key, request id; the merchant once known).
 * Register it before the error mapper so its onError runs after it.
 */
/** Runs one API request in its log context: the route key (never the raw path) and the request id. */
export const inApiLogContext = <T>(
  event: APIGatewayProxyEventV2,
  context: Partial<Context> | undefined,
  run: () => Promise<T>,
) =>
  inLogContext(
    context,
    {
      route: event.routeKey,
      requestId: event.requestContext?.requestId,
      correlationId: event.requestContext?.requestId,
    },
    run,
  );

export function apiRequestLog(): ApiMiddleware {
  const timers = new WeakMap<object, () => number>();
  const line = (request: middy.Request<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>) => {
    const status = request.response?.statusCode ?? 500;
    const fields = { status, latencyMs: timers.get(request)?.() ?? 0 };
    if (status >= 500) log.error("API request", fields);
    else log.info("API request", fields);
  };
  return {
    before: (request) => {
      timers.set(request, stopwatch());
    },
    after: line,
    onError: line,
  };
}
