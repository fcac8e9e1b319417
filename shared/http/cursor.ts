/**
 * Opaque, tamper-proof list cursors: the position (the last item's key) in base64url JSON, signed
 * with HMAC-SHA256 over the position and the list it belongs to (merchant, operation, filters). A
 * cursor that was altered, forged, or taken to another list or merchant is a 400.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { ValidationError } from "../domain/errors.ts";

export type Position = Record<string, string | number>;

function sign(secret: string, context: string, payload: string): Buffer {
  return createHmac("sha256", secret).update(`${context}\n${payload}`).digest().subarray(0, 16);
}

export function encodeCursor(secret: string, context: string, position: Position): string {
  const payload = Buffer.from(JSON.stringify(position)).toString("base64url");
  return `${payload}.${sign(secret, context, payload).toString("base64url")}`;
}

export function decodeCursor(secret: string, context: string, cursor: string): Position {
  const invalid = () =>
    new ValidationError([{ path: "cursor", message: "is not a valid cursor for this list" }]);
  const [payload, signature, extra] = cursor.split(".");
  if (!payload || !signature || extra !== undefined) throw invalid();
  const given = Buffer.from(signature, "base64url");
  const expected = sign(secret, context, payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
  try {
    const position = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    if (position && typeof position === "object" && !Array.isArray(position)) return position as Position;
  } catch {
    // fall through
  }
  throw invalid();
}
