/**
 * Secrets at rest. A value that must be kept and given back later (an idempotent response that
 * carries an API key's secret; webhook signing secrets and sign-in tokens will follow) is stored
 * only sealed: AES-256-GCM under the data encryption key, with a random 96-bit IV, its tag, and the
 * id of the key that sealed it. So the table, its stream and its point-in-time backups hold
 * ciphertext, and reading them is not enough to act as a merchant.
 *
 * The `dataEncryptionKey` secret holds one or more keys separated by whitespace: the first seals,
 * every one opens. Rotation: put `new old` there, and drop `old` once what it sealed has expired.
 * Each key is stretched with HKDF-SHA256, so any long random string (Secrets Manager's generated
 * passwords) makes a 256-bit key. `context` is bound into the tag as associated data: a sealed value
 * moved to another record does not open.
 */
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from "node:crypto";
import { getSecret, verifyWithSecret } from "../aws/secrets.ts";
import type { Clock } from "../domain/clock.ts";

export interface Sealed {
  /** The format: AES-256-GCM, HKDF-SHA256 key, base64url fields. */
  alg: "A256GCM";
  /** Which key sealed it (a hash of the key, not the key). */
  kid: string;
  iv: string;
  tag: string;
  ciphertext: string;
}

interface DataKey {
  id: string;
  key: Buffer;
}

export interface Keyring {
  /** Seals. */
  current: DataKey;
  /** Opens, by key id. */
  byId: ReadonlyMap<string, DataKey>;
}

function dataKey(material: string): DataKey {
  const key = Buffer.from(hkdfSync("sha256", material, "", "kassa data encryption key", 32));
  return {
    key,
    id: createHash("sha256").update("kassa key id").update(key).digest("base64url").slice(0, 12),
  };
}

/** The keyring a `dataEncryptionKey` value describes: whitespace-separated keys, the sealing one first. */
export function keyringOf(secret: string): Keyring {
  const keys = secret.split(/\s+/).filter(Boolean).map(dataKey);
  const [current] = keys;
  if (!current) throw new Error("The data encryption key is empty");
  return { current, byId: new Map(keys.map((k) => [k.id, k])) };
}

export function seal(keyring: Keyring, plaintext: string, context: string): Sealed {
  const { id, key } = keyring.current;
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv).setAAD(Buffer.from(context, "utf8"));
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return {
    alg: "A256GCM",
    kid: id,
    iv: iv.toString("base64url"),
    tag: cipher.getAuthTag().toString("base64url"),
    ciphertext: ciphertext.toString("base64url"),
  };
}

/** A value sealed under a key this keyring lacks: rotated out too early, or rotated in after it was read. */
export class UnknownDataKeyError extends Error {
  override readonly name = "UnknownDataKeyError";
  constructor(kid: string) {
    super(`No data encryption key ${kid} in the keyring (rotated out too early?)`);
  }
}

/** The plaintext; throws when the key is unknown or the value, its tag or its context was altered. */
export function unseal(keyring: Keyring, sealed: Sealed, context: string): string {
  const dataKey = keyring.byId.get(sealed.kid);
  if (!dataKey) throw new UnknownDataKeyError(sealed.kid);
  const decipher = createDecipheriv("aes-256-gcm", dataKey.key, Buffer.from(sealed.iv, "base64url"))
    .setAAD(Buffer.from(context, "utf8"))
    .setAuthTag(Buffer.from(sealed.tag, "base64url"));
  return Buffer.concat([
    decipher.update(Buffer.from(sealed.ciphertext, "base64url")),
    decipher.final(),
  ]).toString("utf8");
}

/** Seals and opens values bound to one context (e.g. one idempotency record). */
export interface Sealer {
  seal(plaintext: string): Sealed;
  unseal(sealed: Sealed): Promise<string>;
}

/**
 * A sealer under the data encryption key (fetched once per cold start), bound to `context`. A value
 * sealed under a key this container has not seen yet (another container read the rotated secret
 * first) re-reads the secret, at most once a minute, before it is refused.
 */
export async function dataSealer(context: string, clock: Clock): Promise<Sealer> {
  const keyring = keyringOf(await getSecret("dataEncryptionKey"));
  return {
    seal: (plaintext) => seal(keyring, plaintext, context),
    unseal: async (sealed) =>
      keyring.byId.has(sealed.kid)
        ? unseal(keyring, sealed, context)
        : verifyWithSecret(
            "dataEncryptionKey",
            clock,
            (secret) => unseal(keyringOf(secret), sealed, context),
            (error) => error instanceof UnknownDataKeyError,
          ),
  };
}
