/**
 * An API operation: route, auth, the zod schemas that validate its input (and document its output),
 * and its success status. The handler wrapper, the manifest's routes and the OpenAPI document are all
 * read from these, so validation, deployment and docs cannot disagree.
 */
import type * as z from "zod";
import { lazy } from "../lazy.ts";
import type { CsvColumn } from "./csv.ts";

export type HttpMethod = "GET" | "POST" | "PATCH" | "PUT" | "DELETE";
export type Auth = "admin" | "merchant" | "public";

export interface Operation {
  /** camelCase operation id, e.g. `createCustomer`. */
  readonly id: string;
  readonly method: HttpMethod;
  /** API Gateway route path with `{param}` placeholders. */
  readonly path: string;
  readonly auth: Auth;
  readonly summary: string;
  /** The OpenAPI tag (resource) it is listed under. */
  readonly tag: string;
  readonly params?: z.ZodType;
  readonly body?: z.ZodType;
  /** The JSON body may be left out entirely: an action whose every field has a default (cancel). */
  readonly bodyOptional?: boolean;
  readonly query?: z.ZodType;
  /** The success response body, for the OpenAPI document. */
  readonly response?: z.ZodType;
  /** 201 for creation, 200 for reads and actions, 202 for work accepted to run later, 204 for deletion. */
  readonly status: 200 | 201 | 202 | 204;
  /** Bodies larger than this are refused with 413 before parsing (default 256 KB). */
  readonly maxBodyBytes?: number;
  /**
   * A request body the handler reads itself (the wrapper neither parses nor validates it): its media
   * type and shape, for the OpenAPI document.
   */
  readonly rawBody?: { readonly contentType: string; readonly schema: () => z.ZodType };
  /** Statuses it answers besides `status` and the errors every operation can give. */
  readonly otherResponses?: Readonly<Record<number, OtherResponse>>;
  /**
   * A list that also answers `text/csv` (`Accept: text/csv` or `?format=csv`): its columns, which the
   * CSV writer and the OpenAPI document both read (shared/http/list.ts `listResponse`).
   */
  readonly csv?: readonly CsvColumn<never>[];
  /** Non-JSON success responses (PDF, HTML), for the OpenAPI document. */
  readonly produces?: string;
  /**
   * The success response carries a secret shown only here (an API key's). An idempotent replay must
   * still return it, so the kept response is sealed (shared/auth/sealed.ts), never stored in plain;
   * the function serving the operation needs the `dataEncryptionKey` secret.
   */
  readonly responseCarriesSecret?: boolean;
}

/**
 * A status an operation answers besides its success status and the errors every operation can give
 * (shared/http/openapi.ts), for the OpenAPI document.
 */
export interface OtherResponse {
  readonly description: string;
  /**
   * What its body is: `success` the success response's (e.g. 202 while processing), `problem` a problem
   * document, `none` no body, or a media type (e.g. `text/html`, a page). A status every operation can
   * give (400, 409…) keeps its problem document and adds these.
   */
  readonly content: readonly ("success" | "problem" | "none" | `${string}/${string}`)[];
  /** Response headers it sets: name → description. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** The fields holding an operation's schemas, written as functions that build them (shared/lazy.ts). */
type SchemaField = "params" | "body" | "query" | "response";

/** An operation as written: its schemas as functions, so none is built before a reader asks for it. */
export type OperationSpec = Omit<Operation, SchemaField> & {
  readonly [F in SchemaField]?: () => z.ZodType;
};

/** The operation `S` defines: each schema a property, built when first read. */
export type Defined<S extends OperationSpec> = Omit<S, SchemaField> & {
  readonly [F in SchemaField & keyof S]: S[F] extends () => infer Schema ? Schema : never;
};

/**
 * The operation, its schemas read as plain properties (`operation.body`) but built on first read: a
 * function builds only the schemas of the requests it serves, the OpenAPI generator and the tests all.
 */
export function defineOperation<const S extends OperationSpec>(spec: S): Defined<S> {
  const operation = { ...spec };
  for (const field of ["params", "body", "query", "response"] as const) {
    const build = spec[field];
    if (build) Object.defineProperty(operation, field, { get: lazy(build), enumerable: true });
  }
  return operation as unknown as Defined<S>;
}

export const routeKeyOf = (operation: Pick<Operation, "method" | "path">): string =>
  `${operation.method} ${operation.path}`;
