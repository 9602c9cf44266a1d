// OAuth 1.0a HMAC-SHA1 request signing (RFC 5849), as TwentyThree's API expects it. Pure: the nonce and
// timestamp can be injected, so the published test vectors can be reproduced byte for byte.
import { createHmac, randomBytes } from 'node:crypto';
import type { TwentyThreeCredentials } from '../secrets/bridge-secrets.js';

const HEX = '0123456789ABCDEF';

/** True for the RFC 3986 unreserved characters `A-Z a-z 0-9 - . _ ~` (as UTF-8 bytes). */
function isUnreserved(byte: number): boolean {
  return (
    (byte >= 0x41 && byte <= 0x5a) || // A-Z
    (byte >= 0x61 && byte <= 0x7a) || // a-z
    (byte >= 0x30 && byte <= 0x39) || // 0-9
    byte === 0x2d || // -
    byte === 0x2e || // .
    byte === 0x5f || // _
    byte === 0x7e // ~
  );
}

/**
 * RFC 5849 section 3.6 / RFC 3986 strict percent-encoding: unreserved characters stay, every other UTF-8
 * byte becomes `%XX` in upper case. Space is `%20`, never `+`; `!*'()` are encoded too (encodeURIComponent
 * leaves them alone, which is exactly how sloppy signers break on names like `Zoë O'Brien (QA)`).
 * A lone UTF-16 surrogate cannot be UTF-8 encoded and is encoded as U+FFFD, the way TextEncoder does,
 * so this function never throws.
 */
export function percentEncode(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    out += isUnreserved(byte) ? String.fromCharCode(byte) : `%${HEX[byte >> 4]}${HEX[byte & 0x0f]}`;
  }
  return out;
}

/** Code-unit order of two ASCII strings (the encoded names and values are ASCII, so this is byte order). */
function compareAscii(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The signature base string of RFC 5849 section 3.4.1: `METHOD&percent(base URI)&percent(parameters)`.
 * `url` is the base string URI (its query and fragment, if any, are dropped: pass query parameters in
 * `params`). `params` are the decoded request parameters plus the `oauth_*` protocol parameters (without
 * `oauth_signature`); each name and value is encoded, then the pairs are sorted by encoded name and, for equal
 * names, by encoded value (section 3.4.1.3.2). Parameters with empty values (such as `raw`) are kept as `raw=`.
 */
export function signatureBaseString(method: string, url: string, params: ReadonlyArray<readonly [string, string]>): string {
  const parsed = new URL(url);
  // Section 3.4.1.2: scheme and host in lower case (URL does this), default port left out (URL does this too),
  // path as sent; no query, no fragment.
  const baseUri = `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  const normalized = params
    .map(([name, value]) => [percentEncode(name), percentEncode(value)] as const)
    .sort((a, b) => compareAscii(a[0], b[0]) || compareAscii(a[1], b[1]))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
  return `${method.toUpperCase()}&${percentEncode(baseUri)}&${percentEncode(normalized)}`;
}

/**
 * HMAC-SHA1 signature (section 3.4.2) of a base string, base64-encoded.
 * The key is `percent(consumer secret)&percent(token secret)`.
 */
export function signBaseString(baseString: string, consumerSecret: string, tokenSecret: string): string {
  const key = `${percentEncode(consumerSecret)}&${percentEncode(tokenSecret)}`;
  return createHmac('sha1', key).update(baseString, 'utf8').digest('base64');
}

/** Decodes one `application/x-www-form-urlencoded` component (section 3.4.1.3.1): `+` is a space. */
function formDecode(component: string): string {
  const spaced = component.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    // A malformed escape is kept as written rather than failing the whole request.
    return spaced;
  }
}

/** The query parameters of `url` as decoded pairs, in order, duplicates kept, `raw` (no `=`) as `['raw', '']`. */
function queryParams(url: URL): Array<[string, string]> {
  const query = url.search.startsWith('?') ? url.search.slice(1) : url.search;
  const pairs: Array<[string, string]> = [];
  for (const part of query.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    pairs.push(eq === -1 ? [formDecode(part), ''] : [formDecode(part.slice(0, eq)), formDecode(part.slice(eq + 1))]);
  }
  return pairs;
}

export interface SignRequestInput {
  readonly method: 'GET' | 'POST';
  /** The full request URL as it will be sent, query included: every query parameter is signed. */
  readonly url: string;
  readonly credentials: TwentyThreeCredentials;
  /** `oauth_nonce`; random (128 bits, hex) when omitted. Injected only by tests. */
  readonly nonce?: string;
  /** `oauth_timestamp` in seconds since the epoch; now when omitted. Injected only by tests. */
  readonly timestamp?: number;
}

/**
 * Signs a request with the consumer key/secret and access token/secret (no three-legged dance: TwentyThree's
 * privileged credentials come as a full set). Returns the `Authorization` header value; the URL must then be
 * sent exactly as given. POST bodies are not signed: the bridge only ever sends GET with a query.
 */
export function signRequest(input: SignRequestInput): { authorization: string } {
  const url = new URL(input.url);
  const oauth: Array<[string, string]> = [
    ['oauth_consumer_key', input.credentials.consumerKey],
    ['oauth_nonce', input.nonce ?? randomBytes(16).toString('hex')],
    ['oauth_signature_method', 'HMAC-SHA1'],
    ['oauth_timestamp', String(input.timestamp ?? Math.floor(Date.now() / 1000))],
    ['oauth_token', input.credentials.accessToken],
    ['oauth_version', '1.0'],
  ];
  const baseString = signatureBaseString(input.method, input.url, [...queryParams(url), ...oauth]);
  const signature = signBaseString(baseString, input.credentials.consumerSecret, input.credentials.accessTokenSecret);
  const fields = [...oauth, ['oauth_signature', signature] as const]
    .sort((a, b) => compareAscii(a[0], b[0]))
    .map(([name, value]) => `${percentEncode(name)}="${percentEncode(value)}"`);
  return { authorization: `OAuth ${fields.join(', ')}` };
}
