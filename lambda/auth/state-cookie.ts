// The per-flow sign-in state cookie: carries state, nonce, PKCE verifier and return URL from /login to
// /callback, encrypted and authenticated (JWE dir + A256GCM), one cookie per attempt so two tabs can
// sign in at once. Over https the cookie carries the `__Host-` prefix, so the browser accepts it only
// from this exact host with Path=/ (a sibling subdomain cannot plant a state for a login-CSRF).
import { hkdfSync, timingSafeEqual } from 'node:crypto';
import { EncryptJWT, errors as joseErrors, jwtDecrypt } from 'jose';
import { ConfigError, StateError } from '../errors.js';

/** What one sign-in attempt must remember between /login and /callback. */
export interface FlowState {
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
  readonly returnUrl: string;
}

export interface StateCookieOptions {
  /** Secret key material (≥ 32 chars) from Secrets Manager; the cookie key is derived from it with HKDF. */
  readonly keyMaterial: string;
  /** Lifetime of a sign-in attempt in seconds: the cookie's Max-Age and the sealed `exp`. */
  readonly maxAgeSeconds: number;
  /** Adds `Secure`; false only in local mode over plain http. */
  readonly secure: boolean;
  /** Clock in milliseconds since the epoch, for tests. (default: Date.now) */
  readonly now?: () => number;
}

export interface StateCookies {
  /** (`__Host-` when secure) `t23sso_` + the first 16 chars of the state. Throws StateError('state_invalid') for a malformed state. */
  cookieName(state: string): string;
  /** Full Set-Cookie value. */
  issue(flow: FlowState): Promise<string>;
  /**
   * Finds the cookie for `state` among the request cookies, decrypts, checks expiry and that the stored state
   * equals `state` (constant time). Throws StateError(state_missing|state_invalid|state_expired|state_mismatch),
   * never anything else.
   */
  open(cookies: ReadonlyMap<string, string>, state: string): Promise<FlowState>;
  /** Set-Cookie value that deletes the cookie for `state`. Throws StateError('state_invalid') for a malformed state. */
  clear(state: string): string;
  /**
   * Deleting Set-Cookies for the oldest unfinished attempts among the request cookies, keeping the newest
   * `MAX_PENDING_ATTEMPTS - 1` so a new one fits: abandoned attempts (or a site that keeps sending the
   * browser to /login) can never grow the Cookie header until sign-in breaks.
   */
  prune(cookies: ReadonlyMap<string, string>): string[];
}

export const STATE_COOKIE_PREFIX = 't23sso_';
/** How many sign-in attempts (tabs) may be in progress at once in one browser. */
export const MAX_PENDING_ATTEMPTS = 4;

/** True for the name of a state cookie (either spelling), so size checks can treat ours separately. */
export function isStateCookieName(name: string): boolean {
  return name.startsWith(STATE_COOKIE_PREFIX) || name.startsWith(`__Host-${STATE_COOKIE_PREFIX}`);
}
/** HKDF `info`: binds the derived key to this one purpose and format version. */
const HKDF_INFO = 'twentythree-sso state cookie v1';
/** HKDF salt: fixed (the key material is already high-entropy); it only separates us from other HKDF users. */
const HKDF_SALT = 'twentythree-sso/state-cookie/salt';
const MIN_KEY_MATERIAL_LENGTH = 32;
/** openid-client's randomState() gives 43 base64url chars; 22 (≥128 bits) to 128 is accepted. */
const STATE_PATTERN = /^[A-Za-z0-9_-]{22,128}$/;
/** The cookie value is JWE compact: five base64url parts (the second, the encrypted key, empty for `dir`). */
const JWE_COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
/** No cookie of ours is bigger (a 2 KB return URL seals to about 3 KB). */
const MAX_COOKIE_VALUE_LENGTH = 4096;

export function createStateCookies(options: StateCookieOptions): StateCookies {
  if (typeof options.keyMaterial !== 'string' || options.keyMaterial.length < MIN_KEY_MATERIAL_LENGTH) {
    throw new ConfigError(`The state cookie key material must be at least ${MIN_KEY_MATERIAL_LENGTH} characters.`);
  }
  if (!Number.isInteger(options.maxAgeSeconds) || options.maxAgeSeconds < 1) {
    throw new ConfigError('The state cookie lifetime must be a whole number of seconds, at least 1.');
  }
  const now = options.now ?? Date.now;
  // Derived once per key material (the caller rebuilds this object only when the secret changes).
  const key = new Uint8Array(hkdfSync('sha256', options.keyMaterial, HKDF_SALT, HKDF_INFO, 32));
  // `__Host-` requires Secure and Path=/ and forbids Domain; plain http (local mode) cannot use the prefix.
  const prefix = options.secure ? `__Host-${STATE_COOKIE_PREFIX}` : STATE_COOKIE_PREFIX;
  const attributes = `Path=/; HttpOnly; SameSite=Lax${options.secure ? '; Secure' : ''}`;

  function cookieName(state: string): string {
    return `${prefix}${checkedState(state).slice(0, 16)}`;
  }

  async function issue(flow: FlowState): Promise<string> {
    const name = cookieName(flow.state);
    for (const field of ['nonce', 'codeVerifier', 'returnUrl'] as const) {
      if (typeof flow[field] !== 'string' || flow[field].length === 0) throw new TypeError(`FlowState.${field} must be a non-empty string`);
    }
    const issuedAt = Math.floor(now() / 1000);
    const value = await new EncryptJWT({ st: flow.state, nn: flow.nonce, cv: flow.codeVerifier, ru: flow.returnUrl })
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + options.maxAgeSeconds)
      .encrypt(key);
    return `${name}=${value}; Max-Age=${options.maxAgeSeconds}; ${attributes}`;
  }

  async function open(cookies: ReadonlyMap<string, string>, state: string): Promise<FlowState> {
    try {
      return await openOrThrow(cookies, state);
    } catch (error) {
      if (error instanceof StateError) throw error;
      // Anything unexpected (a jose error, junk input) is still just a state we cannot trust.
      throw new StateError('state_invalid', `state cookie rejected: ${describe(error)}`);
    }
  }

  async function openOrThrow(cookies: ReadonlyMap<string, string>, state: string): Promise<FlowState> {
    const name = cookieName(state);
    const value = cookies.get(name);
    if (value === undefined || value === '') throw new StateError('state_missing', 'no state cookie for this state (another browser, expired, or already used)');
    // Cheap shape checks before any crypto: bounded size, JWE compact syntax, canonical base64url (so that
    // flipping a padding bit, which base64 decoders ignore, cannot yield a second valid spelling of a cookie).
    if (typeof value !== 'string' || value.length > MAX_COOKIE_VALUE_LENGTH || !JWE_COMPACT.test(value) || !value.split('.').every(isCanonicalBase64url)) {
      throw new StateError('state_invalid', 'state cookie is not a well-formed sealed value');
    }
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtDecrypt(value, key, {
        // Only what we issue: a cookie naming another algorithm is refused before any decryption.
        keyManagementAlgorithms: ['dir'],
        contentEncryptionAlgorithms: ['A256GCM'],
        currentDate: new Date(now()),
        requiredClaims: ['iat', 'exp'],
        // Also bounds the age by `iat`, so a cookie cannot outlive the configured lifetime even if exp were far off.
        maxTokenAge: options.maxAgeSeconds,
      }));
    } catch (error) {
      // Only an authentic cookie gets this far in jose's checks, so "expired" is a genuine late callback.
      if (error instanceof joseErrors.JWTExpired) throw new StateError('state_expired', 'state cookie has expired');
      throw new StateError('state_invalid', `state cookie rejected: ${describe(error)}`);
    }
    const { st, nn, cv, ru } = payload;
    if (![st, nn, cv, ru].every((v) => typeof v === 'string' && v.length > 0)) {
      throw new StateError('state_invalid', 'state cookie payload is incomplete');
    }
    // Constant-time comparison: the stored state is a secret-ish CSRF token that must match the query's exactly.
    if (!constantTimeEqual(st as string, state)) throw new StateError('state_mismatch', 'state cookie belongs to another sign-in attempt');
    return { state: st as string, nonce: nn as string, codeVerifier: cv as string, returnUrl: ru as string };
  }

  function clearName(name: string): string {
    // Same name, Path and attributes as when issued, or the browser would keep the original cookie.
    return `${name}=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; ${attributes}`;
  }

  function clear(state: string): string {
    return clearName(cookieName(state));
  }

  function prune(cookies: ReadonlyMap<string, string>): string[] {
    // Browsers list cookies of equal Path oldest first (RFC 6265 §5.4), and the map keeps that order.
    // Only names of our exact shape: they are echoed into Set-Cookie headers.
    const ours = new RegExp(`^${prefix}[A-Za-z0-9_-]{16}$`);
    const pending = [...cookies.keys()].filter((name) => ours.test(name));
    return pending.slice(0, Math.max(0, pending.length - (MAX_PENDING_ATTEMPTS - 1))).map(clearName);
  }

  return { cookieName, issue, open, clear, prune };
}

/** The state as it may appear in a cookie name; StateError('state_invalid') otherwise. */
function checkedState(state: unknown): string {
  // Only base64url of a sane length: the state becomes part of a cookie name and must not carry `=`, `;`, spaces.
  if (typeof state !== 'string' || !STATE_PATTERN.test(state)) throw new StateError('state_invalid', 'state parameter is malformed');
  return state;
}

function isCanonicalBase64url(part: string): boolean {
  return Buffer.from(part, 'base64url').toString('base64url') === part;
}

function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  // Lengths are not secret (both are public-format states); timingSafeEqual needs equal lengths.
  return left.length === right.length && timingSafeEqual(left, right);
}

/** An error's class and code, never its message (which could quote input). */
function describe(error: unknown): string {
  if (error instanceof joseErrors.JOSEError) return error.code;
  return error instanceof Error ? error.name : typeof error;
}
