// Who gets a TwentyThree session, and with which identity: applies the access policy (groups, e-mail
// domains) to verified ID-token claims and decides whether the e-mail may be sent (it can grant back-end login).
import type { AccessPolicy } from '../config.js';
import { AccessDeniedError } from '../errors.js';

export interface IdClaims {
  sub: string;
  email?: unknown;
  email_verified?: unknown;
  name?: unknown;
  given_name?: unknown;
  family_name?: unknown;
  'cognito:groups'?: unknown;
  [k: string]: unknown;
}

/** What TwentyThree is told about the person (each field only when it may be sent). */
export interface Admission {
  email?: string;
  fullName?: string;
}

/** Longest e-mail address accepted (RFC 5321 path limit). */
const MAX_EMAIL_LENGTH = 254;
/** Longest name passed on; longer values are cut (at a character boundary). */
const MAX_NAME_LENGTH = 200;
/** Upper bound on group entries looked at, so a hostile claim cannot make us loop for long. */
const MAX_GROUPS = 1000;
/** ASCII host name: letters, digits, hyphens, dot-separated labels, no leading/trailing dot. */
const DOMAIN_PATTERN = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;
/** Printable ASCII without space. */
const PRINTABLE_ASCII = /^[\x21-\x7E]+$/;
// Characters removed from names: C0/C1 controls, DEL, line/paragraph separators, zero-width and bidi controls, BOM.
const NAME_JUNK = /[\u0000-\u001F\u007F-\u009F\u2028\u2029\u200B-\u200F\u202A-\u202E\u2066-\u2069\uFEFF]/gu;

/**
 * Applies AccessPolicy (lambda/config.ts): groups, e-mail domains (exact, case-insensitive, verified only),
 * sendEmail. Throws AccessDeniedError. email_verified may be boolean true or the string "true" (Cognito sends
 * strings for some federated users). fullName from name, else given + family.
 */
export function admit(claims: IdClaims, policy: AccessPolicy): Admission {
  if (policy.allowedGroups.length > 0) {
    const groups = groupsOf(claims['cognito:groups']);
    // Any one allowed group is enough; names compare exactly, as Cognito group names are case-sensitive.
    const allowed = new Set(policy.allowedGroups);
    if (!groups.some((group) => allowed.has(group))) {
      throw new AccessDeniedError(`access denied: not a member of any allowed group (member of ${groups.length} group(s))`);
    }
  }

  const email = verifiedEmail(claims);
  if (policy.allowedEmailDomains.length > 0) {
    // Only an address the provider verified proves anything about the domain.
    if (email === undefined) {
      throw new AccessDeniedError(`access denied: e-mail domains are restricted and the token has ${describeEmailProblem(claims)}`);
    }
    const allowedDomains = new Set(policy.allowedEmailDomains.map(asciiLower));
    // Exact match on the whole domain: `example.com` admits neither `evilexample.com` nor `example.com.evil.io`.
    if (!allowedDomains.has(email.domain)) throw new AccessDeniedError('access denied: e-mail domain is not in the allowed list');
  }

  const admission: Admission = {};
  // The e-mail can log the person into TwentyThree's back end, so it goes only when verified, and never under 'never'.
  if (policy.sendEmail === 'verified' && email !== undefined) admission.email = email.address;
  const fullName = fullNameOf(claims);
  if (fullName !== undefined) admission.fullName = fullName;
  return admission;
}

/**
 * `cognito:groups` as a list: normally a JSON array of strings; for some federated users a string such as
 * `[a, b]` or `a,b`. Anything else (numbers, objects, nested arrays) counts as no group.
 */
export function groupsOf(claim: unknown): string[] {
  if (Array.isArray(claim)) {
    // Non-string entries are ignored rather than stringified, so `[["admins"]]` or `{}` never matches a name.
    return claim
      .slice(0, MAX_GROUPS)
      .filter((entry): entry is string => typeof entry === 'string')
      .map((entry) => entry.trim())
      .filter((entry) => entry.length > 0);
  }
  if (typeof claim === 'string') {
    const inner = claim.trim().replace(/^\[(.*)\]$/s, '$1');
    return inner
      .split(',', MAX_GROUPS)
      .map((entry) => entry.trim())
      .filter((entry) => entry.length > 0);
  }
  return [];
}

interface VerifiedEmail {
  /** The address as the provider sent it (trimmed of nothing: it must already be clean). */
  readonly address: string;
  /** The part after the '@', ASCII lower-case. */
  readonly domain: string;
}

/** The e-mail when it is present, verified and unambiguous; undefined otherwise. */
function verifiedEmail(claims: IdClaims): VerifiedEmail | undefined {
  // Boolean true, or exactly "true" (Cognito's string form); "yes", 1, "TRUE " and the like do not count.
  if (claims.email_verified !== true && claims.email_verified !== 'true') return undefined;
  const address = claims.email;
  if (typeof address !== 'string' || address.length > MAX_EMAIL_LENGTH) return undefined;
  // Printable ASCII only: no spaces or controls, and no Unicode look-alikes (a Kelvin sign lower-cases to `k`,
  // and case-insensitive collations in other systems may equate full-width letters with ASCII ones).
  if (!PRINTABLE_ASCII.test(address)) return undefined;
  const at = address.lastIndexOf('@');
  // Exactly one '@': with two (`a@b@example.com`, quoted local parts) parsers disagree on where the domain starts.
  if (at <= 0 || address.indexOf('@') !== at) return undefined;
  const domain = asciiLower(address.slice(at + 1));
  // A plain host name: no trailing dot, brackets (IP literals), ports or comments.
  if (!DOMAIN_PATTERN.test(domain)) return undefined;
  return { address, domain };
}

function describeEmailProblem(claims: IdClaims): string {
  if (claims.email === undefined) return 'no e-mail claim';
  if (claims.email_verified !== true && claims.email_verified !== 'true') return 'an unverified e-mail';
  return 'an e-mail that is not a plain address';
}

/** `name` (trimmed, non-empty), else given_name + family_name, else undefined; controls removed, length capped. */
export function fullNameOf(claims: IdClaims): string | undefined {
  const name = cleanName(claims.name);
  if (name !== undefined) return name;
  return cleanName([cleanName(claims.given_name), cleanName(claims.family_name)].filter((part) => part !== undefined).join(' '));
}

function cleanName(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  // Controls and invisible formatting characters would only garble TwentyThree's user list; whitespace runs collapse.
  const cleaned = value.replace(NAME_JUNK, ' ').replace(/\s+/gu, ' ').trim();
  if (cleaned.length === 0) return undefined;
  const codePoints = Array.from(cleaned);
  return codePoints.length <= MAX_NAME_LENGTH ? cleaned : codePoints.slice(0, MAX_NAME_LENGTH).join('').trim();
}

/** Lower-cases A-Z only, so no non-ASCII letter can fold into an ASCII one. */
function asciiLower(value: string): string {
  return value.replace(/[A-Z]/g, (c) => c.toLowerCase());
}
