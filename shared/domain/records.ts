/**
 * What a capability's ports speak in, so that no capability needs the store's types: a value with
 * the version its conditional write is checked against, a page of values, the window a list asks
 * for, and a change of a unit of work. The store (`shared/store/`) implements the ports.
 */

export interface Versioned<T> {
  value: T;
  version: number;
}

export interface Page<T> {
  items: T[];
  /** The key to continue after, when there is more. */
  next?: Record<string, string>;
}

/** Which page of a list: its size, where the previous one ended, and a creation-time window. */
export interface PageRequest {
  limit: number;
  /** The key of the last item of the previous page. */
  after?: Record<string, unknown>;
  createdAfter?: Date;
  createdBefore?: Date;
}

declare const changeBrand: unique symbol;

/**
 * One change of a unit of work (write an object, record an event, lock a payable…), made by a
 * store port and committed together with others in one transaction by another. Opaque outside the
 * store: a capability combines changes, it never sees what they write.
 */
export interface Change {
  readonly [changeBrand]: true;
}
