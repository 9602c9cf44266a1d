// The return-URL policy: known open-redirect payloads (each a regression test) and generated hostile input.
import fc from 'fast-check';
import { resolveReturnUrl, type ReturnUrlPolicy } from '../../../lambda/auth/return-url.js';

/** Property runs per generator; raise locally with FC_NUM_RUNS=100000 for a deeper search. */
const NUM_RUNS = Number(process.env.FC_NUM_RUNS ?? 2000);

const SITE = 'https://videos.example.com';
const policy: ReturnUrlPolicy = { siteOrigin: SITE, extraHosts: ['www.example.com'] };
const ALLOWED_ORIGINS = new Set([SITE, 'https://www.example.com']);

/**
 * The oracle, written independently of the implementation: what a browser would do with the value when
 * TwentyThree sends it as a redirect from its redeem-token page.
 */
function expectSafe(out: string, allowedOrigins: ReadonlySet<string> = ALLOWED_ORIGINS, site: string = SITE): void {
  expect(typeof out).toBe('string');
  // Never a control character, whitespace or backslash anywhere in what we pass on.
  expect(out).not.toMatch(/[\u0000-\u0020\u007F-\u009F\\]/);
  const redeemPage = new URL('/api/session/redeem-token', site);
  if (out.startsWith('/')) {
    expect(out.startsWith('//')).toBe(false);
    expect(out.startsWith('/\\')).toBe(false);
    expect(new URL(out, site).origin).toBe(new URL(site).origin);
    expect(new URL(out, redeemPage).origin).toBe(new URL(site).origin);
    // Decoding the path once or twice more (a proxy, TwentyThree) must not turn it into `//host` either.
    let path = out.split(/[?#]/)[0]!;
    for (let i = 0; i < 3; i += 1) {
      path = safeDecode(path);
      expect(path.startsWith('//')).toBe(false);
      expect(path).not.toMatch(/[\u0000-\u001F\u007F\\]/);
    }
  } else {
    const url = new URL(out);
    expect(allowedOrigins.has(url.origin)).toBe(true);
    expect(url.username).toBe('');
    expect(url.password).toBe('');
    expect(new URL(out, redeemPage).origin).toBe(url.origin);
    expect(url.pathname.startsWith('//')).toBe(false);
  }
  // Stable: the policy accepts its own output unchanged.
  expect(resolveReturnUrl(out, { siteOrigin: site, extraHosts: [...allowedOrigins].map((o) => new URL(o).hostname) })).toBe(out);
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

describe('Function: resolveReturnUrl', () => {
  describe('accepts', () => {
    it.each([
      ['/', '/'],
      ['/v/123', '/v/123'],
      ['/v/123?autoplay=1#t=10', '/v/123?autoplay=1#t=10'],
      ['/search?q=a%20b', '/search?q=a%20b'],
      ['/?next=//evil.com', '/?next=//evil.com'],
      ['/50%25-off', '/50%25-off'],
      ['/vidéo', '/vid%C3%A9o'],
      ['/a/./b/../c', '/a/c'],
      ['https://videos.example.com', 'https://videos.example.com/'],
      ['https://videos.example.com/v/1?x=1', 'https://videos.example.com/v/1?x=1'],
      ['HTTPS://Videos.Example.COM:443/v/1', 'https://videos.example.com/v/1'],
      ['https://www.example.com/landing', 'https://www.example.com/landing'],
    ])('keeps %j as %j', (raw, expected) => {
      // Act
      const out = resolveReturnUrl(raw, policy);
      // Assess
      expect(out).toBe(expected);
      expectSafe(out);
    });

    it('matches extra hosts case-insensitively and ignores blank entries', () => {
      expect(resolveReturnUrl('https://WWW.example.com/', { siteOrigin: SITE, extraHosts: [' WWW.Example.com ', ''] })).toBe('https://www.example.com/');
    });

    it('allows plain http and the port of a loopback site in local mode', () => {
      const local: ReturnUrlPolicy = { siteOrigin: 'http://localhost:3000', extraHosts: [] };
      expect(resolveReturnUrl('http://localhost:3000/x', local)).toBe('http://localhost:3000/x');
      expect(resolveReturnUrl('/x', local)).toBe('/x');
      // The site's host on a default port stays acceptable, as for production sites.
      expect(resolveReturnUrl('https://localhost/x', local)).toBe('https://localhost/x');
    });
  });

  describe('refuses', () => {
    it.each([undefined, ''])('falls back to / when the value is %j', (raw) => {
      expect(resolveReturnUrl(raw, policy)).toBe('/');
    });

    // Each entry is a payload that has opened redirects somewhere; the name says which trick it uses.
    const KNOWN_BAD: ReadonlyArray<readonly [string, string]> = [
      ['protocol-relative URL', '//evil.com'],
      ['triple slash', '///evil.com'],
      ['quadruple slash', '////evil.com'],
      ['slash backslash', '/\\evil.com'],
      ['backslash slash', '\\/evil.com'],
      ['double backslash', '\\\\evil.com'],
      ['slash backslash slash', '/\\/evil.com'],
      ['backslash later in the path', '/a\\b'],
      ['encoded double slash', '/%2F%2Fevil.com'],
      ['encoded slash after a slash', '/%2f/evil.com'],
      ['double-encoded slashes', '/%252F%252Fevil.com'],
      ['triple-encoded slashes', '/%25252F%25252Fevil.com'],
      ['split double encoding', '/%25%32%66evil.com'],
      ['encoding hidden behind a stray percent', '/%%32%66evil.com'],
      ['encoded backslash', '/%5Cevil.com'],
      ['double-encoded backslash', '/%255Cevil.com'],
      ['tab between slashes', '/\t/evil.com'],
      ['newline between slashes', '/\n/evil.com'],
      ['CRLF between slashes', '/\r\n/evil.com'],
      ['leading tab', '\t//evil.com'],
      ['leading space', ' //evil.com'],
      ['trailing space', '/v/1 '],
      ['encoded tab', '/%09/evil.com'],
      ['encoded newline', '/%0a/evil.com'],
      ['encoded NUL', '/%00/evil.com'],
      ['literal NUL', '/\u0000/evil.com'],
      ['line separator', '/\u2028/evil.com'],
      ['encoded line separator', '/%E2%80%A8/evil.com'],
      ['no-break space', '/\u00A0/evil.com'],
      ['zero-width space before slashes', '\u200B//evil.com'],
      ['BOM', '/\uFEFF/evil.com'],
      ['lone surrogate', '/\uD800'],
      ['overlong UTF-8 slash', '/%C0%AF/evil.com'],
      ['full-width solidus (NFKC → /)', '/\uFF0Fevil.com'],
      ['encoded full-width solidus', '/%EF%BC%8F%EF%BC%8Fevil.com'],
      ['full-width reverse solidus', '/\uFF3Cevil.com'],
      ['dot segment collapsing into //', '/.//evil.com'],
      ['dot-dot segment collapsing into //', '/..//evil.com'],
      ['encoded dot segment', '/%2e//evil.com'],
      ['encoded dot-dot segment', '/%2e%2e//evil.com'],
      ['dot-dot after a segment', '/a/..//evil.com'],
      ['double-encoded dot-dot', '/a/%252e%252e//evil.com'],
      ['javascript scheme', 'javascript:alert(document.domain)'],
      ['mixed-case javascript scheme', 'JaVaScRiPt:alert(1)'],
      ['javascript with a tab', 'java\tscript:alert(1)'],
      ['javascript with a leading space', ' javascript:alert(1)'],
      ['data URL', 'data:text/html,<script>alert(1)</script>'],
      ['vbscript', 'vbscript:msgbox(1)'],
      ['file URL', 'file:///etc/passwd'],
      ['ftp to the site', 'ftp://videos.example.com/'],
      ['another host over https', 'https://evil.com'],
      ['another host over http', 'http://evil.com'],
      ['site URL in the path of another host', 'https://evil.com/https://videos.example.com'],
      ['site as a subdomain of another host', 'https://videos.example.com.evil.io/'],
      ['site as a suffix of another host', 'https://evilvideos.example.com/'],
      ['subdomain of the site', 'https://a.videos.example.com/'],
      ['parent domain of the site', 'https://example.com/'],
      ['site as userinfo', 'https://videos.example.com@evil.com/'],
      ['userinfo in front of the site', 'https://evil.com@videos.example.com/'],
      ['user and password in front of the site', 'https://u:p@videos.example.com/'],
      ['site with a password-like colon', 'https://videos.example.com:x@evil.com/'],
      ['backslash before @', 'https://videos.example.com\\@evil.com/'],
      ['backslash in the authority', 'https://evil.com\\@videos.example.com/'],
      ['scheme without slashes', 'https:evil.com'],
      ['scheme without slashes, site host', 'https:videos.example.com'],
      ['scheme with one slash', 'https:/evil.com'],
      ['scheme with three slashes', 'https:///evil.com'],
      ['scheme with backslashes', 'https:\\\\evil.com'],
      ['plain http to an https site (downgrade)', 'http://videos.example.com/'],
      ['another port on the site', 'https://videos.example.com:8443/'],
      ['trailing dot on the host', 'https://videos.example.com./'],
      ['IPv4 literal', 'https://127.0.0.1/'],
      ['decimal IPv4', 'https://2130706433/'],
      ['hex IPv4', 'https://0x7f.0.0.1/'],
      ['IPv6 literal', 'https://[::1]/'],
      ['IPv4-mapped IPv6', 'https://[::ffff:7f00:1]/'],
      ['IDN look-alike of the site', 'https://vidéos.example.com/'],
      ['punycode look-alike of the site', 'https://xn--vdeos-bsa.example.com/'],
      ['protocol-relative to the site itself', '//videos.example.com/v/1'],
      ['encoded slashes in an absolute site URL', 'https://videos.example.com/%2F%2Fevil.com'],
      ['leading double slash in an absolute site URL', 'https://videos.example.com//evil.com'],
      ['bare host name', 'evil.com'],
      ['relative path', 'v/123'],
      ['dot-relative path', './evil'],
      ['query only', '?x=1'],
      ['fragment only', '#x'],
      ['encoded slashes without a leading slash', '%2F%2Fevil.com'],
      ['over-long path', `/${'a'.repeat(2048)}`],
      ['path that grows past the limit when percent-encoded', `/${'é'.repeat(1000)}`],
    ];

    it.each(KNOWN_BAD)('falls back to / for the %s payload', (_name, payload) => {
      expect(resolveReturnUrl(payload, policy)).toBe('/');
    });

    it('refuses another port and another loopback name in local mode', () => {
      const local: ReturnUrlPolicy = { siteOrigin: 'http://localhost:3000', extraHosts: [] };
      expect(resolveReturnUrl('http://localhost:4000/x', local)).toBe('/');
      expect(resolveReturnUrl('http://127.0.0.1:3000/x', local)).toBe('/');
    });

    it('refuses an extra host on a non-default port', () => {
      expect(resolveReturnUrl('https://www.example.com:444/', policy)).toBe('/');
    });
  });

  describe('property: only ever a same-site path or an allowed origin', () => {
    const schemes = fc.constantFrom(
      '', 'javascript:', 'JaVaScRiPt:', 'data:text/html,', 'vbscript:', 'http:', 'https:', 'HTTPS:', 'ftp:', 'file:', 'blob:', 'java\tscript:',
    );
    const slashes = fc.constantFrom('', '/', '//', '///', '////', '\\', '\\\\', '/\\', '\\/', '/\\/', '%2F', '%2f%2F', '%252F', '%5C', '%255C', '/./', '/../', '/.//', '/%2e/', '/%2e%2e/');
    const junk = fc.constantFrom('\t', '\n', '\r', '\u0000', ' ', '\u00A0', '\u2028', '\uFEFF', '\u200B', '%09', '%0A', '%0D', '%00', '%20', '%2509', '%E2%80%A8', '\uFF0F', '\uFF3C', '%EF%BC%8F');
    const hosts = fc.oneof(
      fc.constantFrom(
        'videos.example.com', 'www.example.com', 'VIDEOS.EXAMPLE.COM', 'evil.com', 'videos.example.com.evil.io', 'evilvideos.example.com',
        'example.com', 'videos.example.com.', 'vidéos.example.com', 'xn--vdeos-bsa.example.com', 'ｖｉｄｅｏｓ.example.com', '2130706433',
        '0x7f.0.0.1', '[::1]', '[::ffff:127.0.0.1]', 'localhost', 'videos.example.com:443', 'videos.example.com:8443',
      ),
      fc.ipV4().map(String),
      fc.ipV6().map((ip) => `[${ip}]`),
      fc.nat().map(String),
      fc.domain(),
    );
    const userinfo = fc.constantFrom('', '', '@', 'evil.com@', 'videos.example.com@', 'u:p@', 'videos.example.com:x@', '%40', 'a%2540');
    const pathish = fc.oneof(
      fc.webPath(),
      fc.string({ unit: 'binary', maxLength: 12 }),
      fc.string({ unit: fc.constantFrom('/', '\\', '.', '%', '2', 'e', 'f', 'F', '5', 'c', '@', ':', '?', '#', 'a'), maxLength: 16 }),
    );
    const encodeSome = (s: string, times: number): string => {
      let out = s;
      for (let i = 0; i < times; i += 1) out = encodeURIComponent(out);
      return out;
    };

    /** Weighted towards well-formed values, so that near misses (one bad part in a good URL) are common. */
    const weighted = <T,>(good: fc.Arbitrary<T>, goodWeight: number, other: fc.Arbitrary<T>, otherWeight: number): fc.Arbitrary<T> =>
      fc.oneof({ arbitrary: good, weight: goodWeight }, { arbitrary: other, weight: otherWeight });
    const goodSegment = fc.webSegment().map((segment) => `/${segment}`);

    /** `scheme + slashes + userinfo + host + path`, with junk spliced in and one part percent-encoded 0–2 times. */
    const hostileUrl = fc
      .tuple(
        weighted(fc.constantFrom('https:', ''), 5, schemes, 3),
        weighted(fc.constantFrom('//', '/'), 5, slashes, 3),
        weighted(fc.constant(''), 6, userinfo, 2),
        weighted(fc.constantFrom('videos.example.com', 'www.example.com'), 4, hosts, 4),
        fc.array(fc.oneof({ arbitrary: goodSegment, weight: 6 }, { arbitrary: slashes, weight: 2 }, { arbitrary: junk, weight: 2 }, { arbitrary: pathish, weight: 2 }), { maxLength: 5 }),
        fc.oneof({ arbitrary: fc.constant(0), weight: 6 }, { arbitrary: fc.constantFrom(1, 2), weight: 3 }),
        fc.nat({ max: 3 }),
      )
      .map(([scheme, slash, user, host, rest, encodeTimes, encodeWhich]) => {
        const parts = [scheme, slash, user, host, rest.join('')];
        // Percent-encode one part 0, 1 or 2 times, as an attacker would to slip past one decoding step.
        const which = encodeWhich + 1;
        parts[which] = encodeSome(parts[which]!, encodeTimes);
        return parts.join('');
      });

    it('refuses every open redirect when generated URLs mix schemes, slashes, junk, encodings, userinfo and hosts', () => {
      let kept = 0;
      fc.assert(
        fc.property(hostileUrl, (raw) => {
          const out = resolveReturnUrl(raw, policy);
          expectSafe(out);
          if (out !== '/') kept += 1;
        }),
        { numRuns: NUM_RUNS },
      );
      // The generator must also produce acceptable values, or a policy that always answers '/' would pass.
      expect(kept).toBeGreaterThan(NUM_RUNS / 25);
    });

    it('refuses every open redirect when the input is an arbitrary string', () => {
      fc.assert(
        fc.property(fc.string({ unit: 'binary', maxLength: 64 }), (raw) => {
          expectSafe(resolveReturnUrl(raw, policy));
        }),
        { numRuns: NUM_RUNS },
      );
    });

    it('refuses every open redirect when a same-site path is prefixed with slashes, junk and encodings', () => {
      fc.assert(
        fc.property(fc.array(fc.oneof(slashes, junk, pathish), { minLength: 1, maxLength: 8 }), (parts) => {
          expectSafe(resolveReturnUrl(`/${parts.join('')}`, policy));
        }),
        { numRuns: NUM_RUNS },
      );
    });

    it('refuses every open redirect when generated web URLs use any scheme and host', () => {
      fc.assert(
        fc.property(
          fc.webUrl({ validSchemes: ['http', 'https', 'javascript', 'data'], withQueryParameters: true, withFragments: true, authoritySettings: { withIPv4: true, withIPv6: true, withIPv4Extended: true, withUserInfo: true, withPort: true } }),
          (raw) => {
            expectSafe(resolveReturnUrl(raw, policy));
          },
        ),
        { numRuns: NUM_RUNS },
      );
    });

    it('keeps a generated path on the site when it is a plain same-site path', () => {
      fc.assert(
        fc.property(fc.webPath().filter((p) => p.startsWith('/')), fc.webQueryParameters(), (path, query) => {
          const out = resolveReturnUrl(`${path}?${query}`, policy);
          expectSafe(out);
          expect(out.startsWith('/')).toBe(true);
        }),
        { numRuns: NUM_RUNS },
      );
    });

    it('falls back to / when the value is longer than 2048 characters', () => {
      fc.assert(
        fc.property(fc.string({ minLength: 2048, maxLength: 4096 }), fc.constantFrom('/', 'https://videos.example.com/'), (tail, head) => {
          expect(resolveReturnUrl(`${head}${tail}`, policy)).toBe('/');
        }),
        { numRuns: Math.max(50, Math.floor(NUM_RUNS / 20)) },
      );
    });

    it('refuses every open redirect when the site is a loopback http site (local mode)', () => {
      const site = 'http://localhost:3000';
      const local: ReturnUrlPolicy = { siteOrigin: site, extraHosts: [] };
      fc.assert(
        fc.property(hostileUrl, (raw) => {
          // The site's host with the default port or the site's port, over http (the site's scheme) or https.
          const origins = new Set([site, 'https://localhost:3000', 'http://localhost', 'https://localhost']);
          expectSafe(resolveReturnUrl(raw, local), origins, site);
        }),
        { numRuns: NUM_RUNS },
      );
    });
  });
});
