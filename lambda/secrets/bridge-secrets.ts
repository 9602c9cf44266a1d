// Reads the bridge's three secrets through the cache and checks their shape. Errors name the secret and the
// missing field, never a value (not even a fragment: JSON parse errors quote the input, so they are not kept).
import { SecretInvalidError } from '../errors.js';
import type { SecretCache } from './secret-cache.js';

/** TwentyThree's privileged OAuth 1.0a credentials (Settings → API & Applications). */
export interface TwentyThreeCredentials {
  consumerKey: string;
  consumerSecret: string;
  accessToken: string;
  accessTokenSecret: string;
}

export interface ReadOptions {
  /** Ask Secrets Manager again even if a cached value is fresh (e.g. after `invalid_signature`). */
  forceRefresh?: boolean;
}

/** Minimum length of the state-cookie key material (it is stretched with HKDF, but must carry enough entropy). */
export const MIN_STATE_KEY_LENGTH = 32;

const TWENTYTHREE_FIELDS = [
  ['consumer_key', 'consumerKey'],
  ['consumer_secret', 'consumerSecret'],
  ['access_token', 'accessToken'],
  ['access_token_secret', 'accessTokenSecret'],
] as const;

/** Parses a JSON object; undefined when the text is not one (never throws, never keeps the parser's message). */
function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A non-empty string after trimming (a pasted value often carries a stray newline or space), else undefined. */
function nonEmpty(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

/**
 * The TwentyThree credentials from a JSON secret `{consumer_key, consumer_secret, access_token, access_token_secret}`.
 * @throws SecretInvalidError naming every missing or empty field (or saying the secret is not a JSON object).
 */
export async function readTwentyThreeCredentials(cache: SecretCache, secretId: string, options?: ReadOptions): Promise<TwentyThreeCredentials> {
  const json = parseObject(await cache.getString(secretId, options));
  const expected = TWENTYTHREE_FIELDS.map(([field]) => field).join(', ');
  if (json === undefined) {
    throw new SecretInvalidError(`Secret "${secretId}" is not a JSON object; it must hold ${expected}.`);
  }
  const missing = TWENTYTHREE_FIELDS.filter(([field]) => nonEmpty(json[field]) === undefined).map(([field]) => field);
  if (missing.length > 0) {
    throw new SecretInvalidError(`Secret "${secretId}" is missing ${missing.join(', ')} (each must be a non-empty string; expected ${expected}).`);
  }
  const credentials = {} as TwentyThreeCredentials;
  for (const [field, property] of TWENTYTHREE_FIELDS) credentials[property] = nonEmpty(json[field]) as string;
  return credentials;
}

/**
 * A value stored either as the plain secret string or as JSON `{"<field>": "..."}`. Text that starts with `{`
 * is read as JSON (a generated plain value never does), so a broken JSON secret is reported instead of used as is.
 */
async function readPlainOrField(cache: SecretCache, secretId: string, field: string, options?: ReadOptions): Promise<string> {
  const text = (await cache.getString(secretId, options)).trim();
  if (text.startsWith('{')) {
    const json = parseObject(text);
    if (json === undefined) throw new SecretInvalidError(`Secret "${secretId}" starts with "{" but is not valid JSON; store the plain value or {"${field}": "..."}.`);
    const value = nonEmpty(json[field]);
    if (value === undefined) throw new SecretInvalidError(`Secret "${secretId}" is missing ${field} (a non-empty string).`);
    return value;
  }
  if (text === '') throw new SecretInvalidError(`Secret "${secretId}" is empty; store the plain value or {"${field}": "..."}.`);
  return text;
}

/** The app client's secret: plain string or JSON `{"client_secret": "..."}`. @throws SecretInvalidError */
export function readClientSecret(cache: SecretCache, secretId: string, options?: ReadOptions): Promise<string> {
  return readPlainOrField(cache, secretId, 'client_secret', options);
}

/**
 * The state-cookie key material: plain string or JSON `{"key": "..."}`, at least 32 characters.
 * @throws SecretInvalidError when missing or shorter than 32 characters (the length is named, never the value).
 */
export async function readStateKeyMaterial(cache: SecretCache, secretId: string, options?: ReadOptions): Promise<string> {
  const key = await readPlainOrField(cache, secretId, 'key', options);
  if (key.length < MIN_STATE_KEY_LENGTH) {
    throw new SecretInvalidError(`Secret "${secretId}" holds key material of ${key.length} characters; it needs at least ${MIN_STATE_KEY_LENGTH}.`);
  }
  return key;
}
