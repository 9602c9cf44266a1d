// Reads the untrusted parts of a request — the query string and the cookies — defensively: bounded sizes,
// no ambiguity about repeated security parameters, and no exception other than InvalidRequestError.
import { InvalidRequestError } from '../errors.js';

/** Longest query string accepted (chars); longer → 414. Real callbacks carry a code and a state. */
export const MAX_QUERY_LENGTH = 4096;
/** Largest total of Cookie header(s) accepted (chars); larger → 400. */
export const MAX_COOKIE_LENGTH = 8192;
/** Parameters that must appear at most once: a second copy could be read by one component and not another. */
export const SINGLE_VALUED_PARAMETERS: readonly string[] = ['state', 'code', 'return_url'];

/** Parses the Cookie header(s) / API GW v2 `cookies` array into a map; first occurrence wins; never throws. */
export function parseCookies(cookies: readonly string[] | undefined, cookieHeader?: string): Map<string, string> {
  const map = new Map<string, string>();
  try {
    // API Gateway v2 moves the Cookie header into `cookies`; take both in case a client or adapter sends the header.
    const sources = [...(Array.isArray(cookies) ? cookies : []), ...(typeof cookieHeader === 'string' ? [cookieHeader] : [])];
    for (const source of sources) {
      if (typeof source !== 'string') continue;
      for (const pair of source.split(';')) {
        const eq = pair.indexOf('=');
        // A pair without '=' has no value we could use.
        if (eq < 0) continue;
        const name = pair.slice(0, eq).trim();
        if (name.length === 0) continue;
        // Browsers send the most specific Path first, so first-wins prefers our Path=/callback cookie over a
        // same-named one planted with a broader path (e.g. by a sibling subdomain).
        if (map.has(name)) continue;
        // Values are kept raw (only surrounding spaces trimmed): ours are base64url/JWE and need no decoding,
        // and decoding others could throw or turn `%3B` into a separator.
        map.set(name, pair.slice(eq + 1).trim());
      }
    }
  } catch {
    // Unreachable for string input; a hostile object must still not crash the request.
  }
  return map;
}

/**
 * Parses a raw query string; throws InvalidRequestError(414) when longer than 4096 chars,
 * InvalidRequestError(400) on a repeated security-relevant parameter (state, code, return_url).
 */
export function parseQuery(rawQueryString: string | undefined): URLSearchParams {
  if (rawQueryString == null) return new URLSearchParams();
  if (typeof rawQueryString !== 'string') throw invalidQuery();
  // Checked before parsing so an oversized query costs nothing.
  if (rawQueryString.length > MAX_QUERY_LENGTH) {
    throw new InvalidRequestError('query_too_long', 'The address of this request is too long.', 414);
  }
  let params: URLSearchParams;
  try {
    params = new URLSearchParams(rawQueryString);
  } catch {
    throw invalidQuery();
  }
  for (const name of SINGLE_VALUED_PARAMETERS) {
    // Names are compared after decoding, so `st%61te` counts as `state`.
    if (params.getAll(name).length > 1) throw invalidQuery();
  }
  return params;
}

/** Throws InvalidRequestError(400) when the total cookie size exceeds 8192 chars. */
export function assertCookieSize(cookies: readonly string[] | undefined, cookieHeader?: string): void {
  let total = 0;
  if (Array.isArray(cookies)) {
    cookies.forEach((cookie, index) => {
      // The entries were one header, `a=1; b=2`: count the `; ` that joined them as well.
      total += (typeof cookie === 'string' ? cookie.length : 0) + (index > 0 ? 2 : 0);
    });
  }
  if (typeof cookieHeader === 'string') total += cookieHeader.length;
  if (total > MAX_COOKIE_LENGTH) {
    throw new InvalidRequestError('cookies_too_large', 'Your browser sent too many cookies. Clear the cookies for this site and try again.', 400);
  }
}

function invalidQuery(): InvalidRequestError {
  return new InvalidRequestError('query_invalid', 'The address of this request is not valid. Please start again.', 400);
}
