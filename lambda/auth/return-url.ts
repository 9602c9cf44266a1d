// The return-URL policy: decides where TwentyThree may send the visitor after sign-in, so /login can
// never be used as an open redirect. Anything that is not plainly a same-site path or an https URL on
// an allowed host becomes '/'.

export interface ReturnUrlPolicy {
  /** The TwentyThree site origin, e.g. `https://videos.example.com` (config.siteOrigin). */
  readonly siteOrigin: string;
  /** Extra host names (lower-case, no port) a return URL may point at (config.returnUrlHosts). */
  readonly extraHosts: readonly string[];
}

/** Longest return URL accepted, before and after normalisation. */
// 1 KB: far above any real page address, and it keeps a sealed state cookie under 2 KB.
export const MAX_RETURN_URL_LENGTH = 1024;

/** What every refused value becomes: the site's home page. */
const FALLBACK = '/';

/** How many rounds of percent-decoding are inspected before a value counts as over-encoded. */
const MAX_DECODE_ROUNDS = 4;

// C0 and C1 controls, DEL, every Unicode space and line/paragraph separator, soft hyphen, zero-width and
// bidi-control characters, BOM, lone surrogates and the U+FFF0–U+FFFF specials (which include U+FFFD,
// what a broken UTF-8 escape decodes to).
const FORBIDDEN_CHAR = /[\u0000-\u0020\u007F-\u00A0\u00AD\u1680\u180E\u2000-\u200F\u2028-\u202F\u205F-\u206F\u3000\uD800-\uDFFF\uFEFF\uFFF0-\uFFFF]/u;
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;
const ENCODED_SLASH_OR_BACKSLASH = /%(?:2f|5c)/i;
// `.`/`..` segments, literal or in the `%2e` spelling the WHATWG parser also honours.
const DOT_SEGMENT = /(?:^|\/)(?:\.|%2e){1,2}(?:\/|$)/i;

/**
 * Only a same-site path (`/…`, not `//`, not `/\`, no control chars) or an absolute https URL on the site or an
 * extra host survives; everything else (and undefined/empty) becomes '/'. Returns the string to send to get-token:
 * the normalised path (`/…`) or the normalised absolute URL.
 */
export function resolveReturnUrl(raw: string | undefined, policy: ReturnUrlPolicy): string {
  const allowed = allowedTargets(policy);
  const candidate = vet(raw, allowed);
  // The result must survive the policy again unchanged: if normalising produced something the policy
  // would read differently the second time (a browser or TwentyThree re-parsing it), it is not safe.
  if (candidate === undefined || vet(candidate, allowed) !== candidate) return FALLBACK;
  return candidate;
}

interface AllowedTargets {
  readonly site: URL;
  readonly hosts: ReadonlySet<string>;
  readonly protocols: ReadonlySet<string>;
}

function allowedTargets(policy: ReturnUrlPolicy): AllowedTargets {
  const site = new URL(policy.siteOrigin);
  return {
    site,
    // Hosts are compared in the URL parser's canonical form (lower-case, punycode), as the browser will see them.
    hosts: new Set([site.hostname, ...policy.extraHosts.map((host) => host.trim().toLowerCase()).filter((host) => host.length > 0)]),
    // https always; plain http only when the site itself is http (local mode on loopback).
    protocols: new Set(['https:', site.protocol]),
  };
}

/** The normalised return URL, or undefined when the value is refused. */
function vet(raw: string | undefined, allowed: AllowedTargets): string | undefined {
  // Missing or not a string (a repeated query parameter, junk): nothing to honour.
  if (typeof raw !== 'string' || raw.length === 0) return undefined;
  // Bounds the work done on attacker input, and no real page address is this long.
  if (raw.length > MAX_RETURN_URL_LENGTH) return undefined;
  // Browsers silently drop tabs/newlines and trim spaces and controls, so `/\t/evil.com` becomes `//evil.com`
  // after we looked at it; a genuine URL never contains them literally.
  if (FORBIDDEN_CHAR.test(raw)) return undefined;
  // Browsers treat `\` as `/` in http(s) URLs (`/\evil.com` is `//evil.com`); other parsers do not, so any
  // backslash means two readers could disagree on the host.
  if (raw.includes('\\')) return undefined;

  if (raw.startsWith('/')) return vetPath(raw, allowed);
  if (SCHEME.test(raw)) return vetAbsolute(raw, allowed);
  // Relative references (`evil.com`, `../x`, `?q`) resolve against wherever TwentyThree happens to be: refuse.
  return undefined;
}

function vetPath(raw: string, allowed: AllowedTargets): string | undefined {
  // `//host` is a protocol-relative URL: another site.
  if (raw.startsWith('//')) return undefined;
  const url = parse(raw, allowed.site);
  // Resolving a path against the site must stay on the site (belt and braces: a path cannot change the origin).
  if (url === undefined || url.origin !== allowed.site.origin) return undefined;
  if (!safePathname(url.pathname)) return undefined;
  const normalised = `${url.pathname}${url.search}${url.hash}`;
  // Normalising can grow a value (percent-encoding): the bound applies to what we send on.
  return normalised.length <= MAX_RETURN_URL_LENGTH ? normalised : undefined;
}

function vetAbsolute(raw: string, allowed: AllowedTargets): string | undefined {
  // Only `https://host…` (or the site's own scheme): this refuses javascript:, data:, and sloppy forms such
  // as `https:evil.com` or `https:/evil.com` that parsers repair in different ways.
  const scheme = raw.slice(0, raw.indexOf(':') + 1).toLowerCase();
  if (!allowed.protocols.has(scheme) || !raw.slice(scheme.length).startsWith('//')) return undefined;
  // An authority starting with a third slash (`https:///evil.com`) is repaired differently by different parsers.
  if (raw.charAt(scheme.length + 2) === '/') return undefined;
  const url = parse(raw);
  // Judge the parsed URL, not the text: the parser is what the browser will follow.
  if (url === undefined || !allowed.protocols.has(url.protocol)) return undefined;
  // `https://site.com@evil.com` style: userinfo only ever serves to disguise the real host.
  if (url.username !== '' || url.password !== '') return undefined;
  // The host must be exactly the site's or an extra host (no suffix or prefix matching).
  if (!allowed.hosts.has(url.hostname)) return undefined;
  // Default port, or the site's own (local mode): another port can be another service on that host.
  if (url.port !== '' && url.port !== allowed.site.port) return undefined;
  // Same path rules as for a bare path: TwentyThree may reduce the URL to its path when redirecting.
  if (!safePathname(url.pathname)) return undefined;
  // Normalising can grow a value (punycode, percent-encoding): the bound applies to what we send on.
  return url.href.length <= MAX_RETURN_URL_LENGTH ? url.href : undefined;
}

/**
 * Checks a normalised path at every level of percent-decoding, because TwentyThree, a proxy or a browser may
 * decode it once or twice more before using it.
 */
function safePathname(pathname: string): boolean {
  let current = pathname;
  for (let round = 0; round <= MAX_DECODE_ROUNDS; round += 1) {
    // Each decoded level is also checked in NFKC form: a later step that normalises Unicode would turn a
    // full-width solidus `／` into `/` and `．．` into `..`.
    for (const form of round === 0 ? [current] : [current, current.normalize('NFKC')]) {
      // A path that starts with `//` (e.g. `/.//evil.com` after dot-segment removal) is a protocol-relative URL.
      if (!form.startsWith('/') || form.startsWith('//')) return false;
      // An encoded `/` or `\` (`%2F`, `%5C`, or `%252F` one round later) becomes a real one when decoded.
      if (ENCODED_SLASH_OR_BACKSLASH.test(form)) return false;
      if (round > 0) {
        // Decoding revealed a control char, space or backslash: the checks on the raw value were bypassed.
        if (FORBIDDEN_CHAR.test(form) || form.includes('\\')) return false;
        // The parser removed real dot segments; one that appears only after decoding (`%252e%252e`) could
        // still collapse the path into `//host` in a later parser.
        if (DOT_SEGMENT.test(form)) return false;
      }
    }
    const decoded = percentDecode(current);
    if (decoded === current) return true;
    current = decoded;
  }
  // Still changing after several rounds: nobody encodes a genuine path this many times.
  return false;
}

/** Decodes %XX runs as UTF-8 without ever throwing (invalid sequences become U+FFFD, which is refused). */
function percentDecode(value: string): string {
  return value.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    const bytes = new Uint8Array(run.length / 3);
    for (let i = 0; i < bytes.length; i += 1) bytes[i] = Number.parseInt(run.slice(i * 3 + 1, i * 3 + 3), 16);
    return new TextDecoder('utf-8').decode(bytes);
  });
}

function parse(value: string, base?: URL): URL | undefined {
  try {
    return new URL(value, base);
  } catch {
    return undefined;
  }
}
