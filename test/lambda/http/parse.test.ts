// The request parsers: cookies and query strings from untrusted clients, oversized input, repeated
// security parameters — and nothing but InvalidRequestError ever escapes.
import fc from 'fast-check';
import { assertCookieSize, parseCookies, parseQuery } from '../../../lambda/http/parse.js';
import { InvalidRequestError } from '../../../lambda/errors.js';

/** Property runs per generator; raise locally with FC_NUM_RUNS=100000 for a deeper search. */
const NUM_RUNS = Number(process.env.FC_NUM_RUNS ?? 2000);

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('Function: parseCookies', () => {
  it('reads the API Gateway v2 cookies array and the Cookie header', () => {
    const map = parseCookies(['a=1', 'b=2'], 'c=3; d=4');
    expect([...map]).toEqual([
      ['a', '1'],
      ['b', '2'],
      ['c', '3'],
      ['d', '4'],
    ]);
  });

  it('keeps the first occurrence when a name repeats (the most specific Path comes first)', () => {
    expect(parseCookies(['t23sso_x=ours', 't23sso_x=planted'], 't23sso_x=header').get('t23sso_x')).toBe('ours');
    expect(parseCookies(undefined, 'a=1; a=2').get('a')).toBe('1');
  });

  it('keeps values raw: no percent-decoding, quotes and = kept, only surrounding spaces trimmed', () => {
    const map = parseCookies(['a=%3B%ZZ', 'b="quoted"', 'c=x=y==', 'd=  spaced  '], undefined);
    expect(map.get('a')).toBe('%3B%ZZ');
    expect(map.get('b')).toBe('"quoted"');
    expect(map.get('c')).toBe('x=y==');
    expect(map.get('d')).toBe('spaced');
  });

  it('keeps a JWE compact value intact', () => {
    const jwe = 'eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..aBc_-1.dEf-_2.gHi_3';
    expect(parseCookies([`t23sso_abcdefghijklmnop=${jwe}`]).get('t23sso_abcdefghijklmnop')).toBe(jwe);
  });

  it('skips pairs without a name or without =, and splits array entries that carry several pairs', () => {
    const map = parseCookies(['=orphan', 'flag', 'x=1; y=2', ''], ';;  ; z=3');
    expect([...map]).toEqual([
      ['x', '1'],
      ['y', '2'],
      ['z', '3'],
    ]);
  });

  it('treats __proto__ and constructor as ordinary names', () => {
    const map = parseCookies(['__proto__=a', 'constructor=b']);
    expect(map.get('__proto__')).toBe('a');
    expect(map.get('constructor')).toBe('b');
    expect(({} as Record<string, unknown>).a).toBeUndefined();
  });

  it('returns an empty map when there are no cookies or the input is not text', () => {
    expect(parseCookies(undefined).size).toBe(0);
    expect(parseCookies([1, null, {}] as unknown as string[], 42 as unknown as string).size).toBe(0);
  });

  it('never throws when the cookies array and header are arbitrary', () => {
    fc.assert(
      fc.property(fc.option(fc.array(fc.string({ unit: 'binary', maxLength: 100 }), { maxLength: 10 }), { nil: undefined }), fc.option(fc.string({ unit: 'binary', maxLength: 300 }), { nil: undefined }), (cookies, header) => {
        const map = parseCookies(cookies, header);
        expect(map).toBeInstanceOf(Map);
        for (const [name, value] of map) {
          expect(name).toBe(name.trim());
          expect(name.length).toBeGreaterThan(0);
          expect(name).not.toMatch(/[;=]/);
          expect(value).not.toMatch(/;/);
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });
});

describe('Function: parseQuery', () => {
  it('parses a callback query', () => {
    const query = parseQuery('code=abc&state=xyz&return_url=%2Fv%2F1');
    expect(query.get('code')).toBe('abc');
    expect(query.get('state')).toBe('xyz');
    expect(query.get('return_url')).toBe('/v/1');
  });

  it('returns empty parameters when there is no query string', () => {
    expect([...parseQuery(undefined)]).toEqual([]);
    expect([...parseQuery('')]).toEqual([]);
  });

  it('accepts a query of exactly 4096 characters', () => {
    expect(parseQuery(`a=${'x'.repeat(4094)}`).get('a')).toHaveLength(4094);
  });

  it('refuses with 414 when the query is 4097 characters or an 8 KB query', () => {
    for (const raw of [`a=${'x'.repeat(4095)}`, `return_url=${'%2F'.repeat(2731)}`]) {
      const error = thrown(() => parseQuery(raw));
      expect(error).toBeInstanceOf(InvalidRequestError);
      expect((error as InvalidRequestError).status).toBe(414);
      expect((error as InvalidRequestError).code).toBe('query_too_long');
    }
  });

  it.each([
    'state=a&state=b',
    'code=a&code=a',
    'return_url=/a&return_url=//evil.com',
    'state=a&st%61te=b',
    'code=&code=x',
    'state&state',
  ])('refuses with 400 when a security parameter repeats: %s', (raw) => {
    const error = thrown(() => parseQuery(raw));
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as InvalidRequestError).status).toBe(400);
    expect((error as InvalidRequestError).code).toBe('query_invalid');
  });

  it('allows other parameters to repeat', () => {
    expect(parseQuery('x=1&x=2&state=s').getAll('x')).toEqual(['1', '2']);
  });

  it('keeps malformed percent-encoding as text instead of throwing', () => {
    expect(parseQuery('return_url=%E0%A4%A&state=%ZZ').get('state')).toBe('%ZZ');
  });

  it('only returns parameters or throws InvalidRequestError when the query is arbitrary', () => {
    const piece = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.constantFrom('state=', 'code=', 'return_url=', 'st%61te=', '&', '=', '%', '%ZZ', '%E0%A4%A', '+', '#', '?', '\u0000', '\uD800'),
    );
    fc.assert(
      fc.property(fc.oneof(fc.array(piece, { maxLength: 12 }).map((parts) => parts.join('')), fc.string({ unit: 'binary', minLength: 4000, maxLength: 5000 })), (raw) => {
        const error = thrown(() => parseQuery(raw));
        if (error === undefined) return;
        expect(error).toBeInstanceOf(InvalidRequestError);
        expect([400, 414]).toContain((error as InvalidRequestError).status);
      }),
      { numRuns: NUM_RUNS },
    );
  });
});

describe('Function: assertCookieSize', () => {
  it('accepts ordinary cookies', () => {
    expect(() => assertCookieSize(['a=1', 'b=2'], 'c=3')).not.toThrow();
    expect(() => assertCookieSize(undefined, undefined)).not.toThrow();
  });

  it('accepts exactly 8192 characters, counting the separators of the cookies array', () => {
    expect(() => assertCookieSize([`a=${'x'.repeat(8190)}`])).not.toThrow();
    expect(() => assertCookieSize([`a=${'x'.repeat(4093)}`, `b=${'x'.repeat(4093)}`])).not.toThrow();
    expect(() => assertCookieSize([`a=${'x'.repeat(4093)}`, `b=${'x'.repeat(4094)}`])).toThrow(InvalidRequestError);
  });

  it.each([
    ['a 16 KB Cookie header', undefined, `a=${'x'.repeat(16 * 1024)}`],
    ['a 16 KB cookies array', Array.from({ length: 64 }, (_, i) => `c${i}=${'x'.repeat(250)}`), undefined],
    ['a header and an array that together pass 8 KB', [`a=${'x'.repeat(5000)}`], `b=${'x'.repeat(5000)}`],
  ])('refuses with 400 when given %s', (_label, cookies, header) => {
    const error = thrown(() => assertCookieSize(cookies, header));
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as InvalidRequestError).status).toBe(400);
    expect((error as InvalidRequestError).code).toBe('cookies_too_large');
  });

  it('only passes or throws InvalidRequestError when the input is arbitrary', () => {
    fc.assert(
      fc.property(fc.option(fc.array(fc.oneof(fc.string({ maxLength: 3000 }), fc.anything() as fc.Arbitrary<string>), { maxLength: 8 }), { nil: undefined }), fc.option(fc.string({ maxLength: 10000 }), { nil: undefined }), (cookies, header) => {
        const error = thrown(() => assertCookieSize(cookies, header));
        if (error !== undefined) expect(error).toBeInstanceOf(InvalidRequestError);
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
