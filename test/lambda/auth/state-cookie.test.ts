// The per-flow state cookie: round trip, attributes, and every way a cookie can be missing, forged,
// altered, expired, or belong to another attempt — always a StateError, never anything else.
import { hkdfSync, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { EncryptJWT, SignJWT, UnsecuredJWT } from 'jose';
import { createStateCookies, type FlowState, type StateCookieOptions } from '../../../lambda/auth/state-cookie.js';
import { ConfigError, StateError } from '../../../lambda/errors.js';

/** Property runs per generator; raise locally with FC_NUM_RUNS=100000 for a deeper search. */
const NUM_RUNS = Number(process.env.FC_NUM_RUNS ?? 2000);

const KEY_MATERIAL = 'k'.repeat(20) + 'test-key-material-0123456789';
const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);

/** A state as openid-client's randomState() makes it: 32 random bytes, base64url (43 chars). */
function randomState(): string {
  return randomBytes(32).toString('base64url');
}

function newFlow(overrides: Partial<FlowState> = {}): FlowState {
  return { state: randomState(), nonce: randomState(), codeVerifier: randomState(), returnUrl: '/v/123', ...overrides };
}

function setup(options: Partial<StateCookieOptions> = {}) {
  let clock = T0;
  const cookies = createStateCookies({ keyMaterial: KEY_MATERIAL, maxAgeSeconds: 600, secure: true, now: () => clock, ...options });
  return {
    cookies,
    advance(ms: number) {
      clock += ms;
    },
  };
}

/** The request cookie map a browser would send back for these Set-Cookie values. */
function jar(...setCookies: string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const header of setCookies) {
    const pair = header.split(';', 1)[0]!;
    const eq = pair.indexOf('=');
    map.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
  return map;
}

function valueOf(setCookie: string): string {
  const pair = setCookie.split(';', 1)[0]!;
  return pair.slice(pair.indexOf('=') + 1);
}

/** The key the module must derive: HKDF-SHA256(material, fixed salt, 'twentythree-sso state cookie v1', 32). Pinned: changing it voids live cookies. */
function derivedKey(material: string = KEY_MATERIAL): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', material, 'twentythree-sso/state-cookie/salt', 'twentythree-sso state cookie v1', 32));
}

async function expectStateError(promise: Promise<unknown>, code: StateError['code']): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StateError);
  expect((error as StateError).code).toBe(code);
}

describe('Function: createStateCookies', () => {
  describe('Method: issue', () => {
    it('names the cookie __Host-t23sso_ plus the first 16 characters of the state and sets every attribute', async () => {
      // Prepare
      const { cookies } = setup();
      const flow = newFlow();
      // Act
      const header = await cookies.issue(flow);
      // Assess
      // `__Host-`: the browser takes it only from this exact host, Secure, Path=/ and no Domain (no cookie tossing).
      expect(header.startsWith(`__Host-t23sso_${flow.state.slice(0, 16)}=`)).toBe(true);
      const attributes = header.split('; ').slice(1);
      expect(attributes).toEqual(['Max-Age=600', 'Path=/', 'HttpOnly', 'SameSite=Lax', 'Secure']);
      expect(cookies.cookieName(flow.state)).toBe(`__Host-t23sso_${flow.state.slice(0, 16)}`);
    });

    it('drops Secure and the __Host- prefix (which requires Secure) only when secure is false', async () => {
      const { cookies } = setup({ secure: false });
      const flow = newFlow();
      const header = await cookies.issue(flow);
      expect(header).not.toMatch(/Secure/);
      expect(header.startsWith(`t23sso_${flow.state.slice(0, 16)}=`)).toBe(true);
      expect(header).toMatch(/; Path=\/;/);
    });

    it('seals the flow so that nothing of it is readable in the cookie', async () => {
      const { cookies } = setup();
      const flow = newFlow({ returnUrl: '/a-very-recognisable-return-path' });
      const value = valueOf(await cookies.issue(flow));
      expect(value.split('.')).toHaveLength(5);
      const decodedParts = value.split('.').map((part) => Buffer.from(part, 'base64url').toString('latin1')).join('|');
      for (const secret of [flow.nonce, flow.codeVerifier, flow.returnUrl, flow.state]) expect(decodedParts).not.toContain(secret);
      expect(JSON.parse(Buffer.from(value.split('.')[0]!, 'base64url').toString())).toEqual({ alg: 'dir', enc: 'A256GCM' });
    });

    it('refuses a malformed state when issuing', async () => {
      const { cookies } = setup();
      await expectStateError(cookies.issue(newFlow({ state: 'short' })), 'state_invalid');
    });
  });

  describe('Method: open', () => {
    it('returns the flow when the cookie for the state is present and fresh', async () => {
      const { cookies } = setup();
      const flow = newFlow();
      const opened = await cookies.open(jar(await cookies.issue(flow)), flow.state);
      expect(opened).toEqual(flow);
    });

    it('opens both flows when two tabs start signing in at once', async () => {
      // Prepare: two /login responses, both cookies kept by the browser
      const { cookies } = setup();
      const first = newFlow({ returnUrl: '/v/1' });
      const second = newFlow({ returnUrl: '/v/2' });
      const [a, b] = await Promise.all([cookies.issue(first), cookies.issue(second)]);
      const browser = jar(a, b);
      // Act + Assess: the first tab finishes after the second started
      expect(await cookies.open(browser, first.state)).toEqual(first);
      expect(await cookies.open(browser, second.state)).toEqual(second);
    });

    it('refuses with state_missing when there is no cookie for the state (a state from another browser)', async () => {
      const { cookies } = setup();
      const mine = newFlow();
      const theirs = newFlow();
      await expectStateError(cookies.open(jar(await cookies.issue(mine)), theirs.state), 'state_missing');
      await expectStateError(cookies.open(new Map(), mine.state), 'state_missing');
      await expectStateError(cookies.open(new Map([[cookies.cookieName(mine.state), '']]), mine.state), 'state_missing');
    });

    it('refuses with state_mismatch when the cookie name matches but the sealed state differs', async () => {
      // Prepare: a state sharing the 16-character cookie-name prefix with a genuine one
      const { cookies } = setup();
      const flow = newFlow();
      const lookalike = `${flow.state.slice(0, 16)}${randomState().slice(16)}`;
      // Act + Assess
      await expectStateError(cookies.open(jar(await cookies.issue(flow)), lookalike), 'state_mismatch');
    });

    it('refuses with state_mismatch when the query state is a prefix or extension of the sealed state', async () => {
      const { cookies } = setup();
      const flow = newFlow();
      const browser = jar(await cookies.issue(flow));
      await expectStateError(cookies.open(browser, flow.state.slice(0, 30)), 'state_mismatch');
      await expectStateError(cookies.open(browser, `${flow.state}A`), 'state_mismatch');
    });

    it('refuses with state_expired when the cookie is older than its lifetime', async () => {
      const { cookies, advance } = setup({ maxAgeSeconds: 600 });
      const flow = newFlow();
      const browser = jar(await cookies.issue(flow));
      advance(599_000);
      expect(await cookies.open(browser, flow.state)).toEqual(flow);
      advance(2_000);
      await expectStateError(cookies.open(browser, flow.state), 'state_expired');
    });

    it('refuses with state_expired when a validly sealed cookie has a distant exp but an old iat', async () => {
      const { cookies } = setup();
      const flow = newFlow();
      const iat = Math.floor(T0 / 1000) - 3600;
      const value = await new EncryptJWT({ st: flow.state, nn: 'n', cv: 'c', ru: '/' })
        .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
        .setIssuedAt(iat)
        .setExpirationTime(iat + 86400 * 365)
        .encrypt(derivedKey());
      await expectStateError(cookies.open(new Map([[cookies.cookieName(flow.state), value]]), flow.state), 'state_expired');
    });

    it('refuses with state_invalid when a validly sealed cookie was issued in the future or lacks a field', async () => {
      const { cookies } = setup();
      const flow = newFlow();
      const name = cookies.cookieName(flow.state);
      const now = Math.floor(T0 / 1000);
      const future = await new EncryptJWT({ st: flow.state, nn: 'n', cv: 'c', ru: '/' })
        .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
        .setIssuedAt(now + 3600)
        .setExpirationTime(now + 4000)
        .encrypt(derivedKey());
      await expectStateError(cookies.open(new Map([[name, future]]), flow.state), 'state_invalid');
      const noNonce = await new EncryptJWT({ st: flow.state, cv: 'c', ru: '/' })
        .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
        .setIssuedAt(now)
        .setExpirationTime(now + 60)
        .encrypt(derivedKey());
      await expectStateError(cookies.open(new Map([[name, noNonce]]), flow.state), 'state_invalid');
      const numberState = await new EncryptJWT({ st: 42, nn: 'n', cv: 'c', ru: '/' })
        .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
        .setIssuedAt(now)
        .setExpirationTime(now + 60)
        .encrypt(derivedKey());
      await expectStateError(cookies.open(new Map([[name, numberState]]), flow.state), 'state_invalid');
    });

    it('refuses with state_invalid when the cookie was sealed under another key', async () => {
      const { cookies } = setup();
      const other = setup({ keyMaterial: 'another-key-material-of-enough-length!!' }).cookies;
      const flow = newFlow();
      await expectStateError(cookies.open(jar(await other.issue(flow)), flow.state), 'state_invalid');
    });

    it('refuses with state_invalid when the cookie uses another algorithm, is signed, or is unsecured', async () => {
      const { cookies } = setup();
      const flow = newFlow();
      const name = cookies.cookieName(flow.state);
      const now = Math.floor(T0 / 1000);
      const claims = { st: flow.state, nn: 'n', cv: 'c', ru: '/' };
      const a128 = await new EncryptJWT(claims)
        .setProtectedHeader({ alg: 'dir', enc: 'A128GCM' })
        .setIssuedAt(now)
        .setExpirationTime(now + 60)
        .encrypt(derivedKey().slice(0, 16));
      const signed = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt(now).setExpirationTime(now + 60).sign(derivedKey());
      const unsecured = new UnsecuredJWT(claims).setIssuedAt(now).setExpirationTime(now + 60).encode();
      for (const forged of [a128, signed, unsecured]) {
        await expectStateError(cookies.open(new Map([[name, forged]]), flow.state), 'state_invalid');
      }
    });

    it('refuses with state_invalid when any single character of a valid cookie is changed', async () => {
      // Prepare
      const { cookies } = setup();
      const flow = newFlow();
      const value = valueOf(await cookies.issue(flow));
      const name = cookies.cookieName(flow.state);
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.';
      // Act + Assess: every position, a replacement from the base64url alphabet and one from outside it
      for (let i = 0; i < value.length; i += 1) {
        const replacement = alphabet[(alphabet.indexOf(value[i]!) + 1 + (i % 60)) % alphabet.length]!;
        for (const c of [replacement, '%']) {
          const altered = `${value.slice(0, i)}${c}${value.slice(i + 1)}`;
          await expectStateError(cookies.open(new Map([[name, altered]]), flow.state), 'state_invalid');
        }
      }
    });

    it('refuses with state_invalid when any single bit of a valid cookie is flipped', async () => {
      const { cookies } = setup();
      const flow = newFlow();
      const value = valueOf(await cookies.issue(flow));
      const name = cookies.cookieName(flow.state);
      for (let i = 0; i < value.length; i += 1) {
        for (let bit = 0; bit < 7; bit += 1) {
          const altered = `${value.slice(0, i)}${String.fromCharCode(value.charCodeAt(i) ^ (1 << bit))}${value.slice(i + 1)}`;
          await expectStateError(cookies.open(new Map([[name, altered]]), flow.state), 'state_invalid');
        }
      }
    });

    it('refuses with state_invalid when the state is malformed', async () => {
      const { cookies } = setup();
      for (const state of ['', 'short', 'a'.repeat(129), 'has space in it and is long enough', 'semi;colon-and-long-enough-xxxxxx', 'é'.repeat(43), 'A'.repeat(42) + '=']) {
        await expectStateError(cookies.open(new Map(), state), 'state_invalid');
      }
      await expectStateError(cookies.open(new Map(), undefined as unknown as string), 'state_invalid');
    });

    it('rejects with StateError only when the cookie value is an arbitrary string', async () => {
      const { cookies } = setup();
      const state = randomState();
      const name = cookies.cookieName(state);
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.string({ unit: 'binary', maxLength: 600 }),
            fc.uint8Array({ maxLength: 600 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
            fc.uint8Array({ maxLength: 600 }).map((bytes) => Buffer.from(bytes).toString('base64url')),
            // JWE-shaped: five base64url parts, the shape that reaches the decryption step
            fc.array(fc.uint8Array({ maxLength: 120 }), { minLength: 5, maxLength: 5 }).map((parts) => parts.map((p) => Buffer.from(p).toString('base64url')).join('.')),
            fc.tuple(fc.json(), fc.uint8Array({ minLength: 12, maxLength: 12 }), fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ minLength: 16, maxLength: 16 })).map(
              ([header, iv, ciphertext, tag]) =>
                [Buffer.from(header).toString('base64url'), '', Buffer.from(iv).toString('base64url'), Buffer.from(ciphertext).toString('base64url'), Buffer.from(tag).toString('base64url')].join('.'),
            ),
          ),
          async (value) => {
            const error = await cookies.open(new Map([[name, value]]), state).then(
              () => 'opened',
              (e: unknown) => e,
            );
            expect(error).toBeInstanceOf(StateError);
            expect(['state_missing', 'state_invalid']).toContain((error as StateError).code);
          },
        ),
        { numRuns: NUM_RUNS },
      );
    });

    it('rejects with StateError only when the state and the cookie map are arbitrary', async () => {
      const { cookies } = setup();
      await fc.assert(
        fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 80 }), fc.dictionary(fc.string({ maxLength: 30 }), fc.string({ unit: 'binary', maxLength: 200 })), async (state, record) => {
          const error = await cookies.open(new Map(Object.entries(record)), state).then(
            () => 'opened',
            (e: unknown) => e,
          );
          expect(error).toBeInstanceOf(StateError);
        }),
        { numRuns: NUM_RUNS },
      );
    });

    it('rejects with StateError only when the cookie map itself misbehaves', async () => {
      const { cookies } = setup();
      const state = randomState();
      const hostile = {
        get() {
          throw new Error('boom');
        },
      } as unknown as ReadonlyMap<string, string>;
      await expectStateError(cookies.open(hostile, state), 'state_invalid');
      await expectStateError(cookies.open(new Map([[cookies.cookieName(state), 42 as unknown as string]]), state), 'state_invalid');
    });
  });

  describe('Method: clear', () => {
    it('returns a deleting Set-Cookie with the same name, Path and attributes', async () => {
      const { cookies } = setup();
      const flow = newFlow();
      const issued = await cookies.issue(flow);
      const cleared = cookies.clear(flow.state);
      expect(cleared.startsWith(`${cookies.cookieName(flow.state)}=;`)).toBe(true);
      expect(cleared).toMatch(/; Max-Age=0;/);
      for (const attribute of ['Path=/', 'HttpOnly', 'SameSite=Lax', 'Secure']) {
        expect(issued.split('; ')).toContain(attribute);
        expect(cleared.split('; ')).toContain(attribute);
      }
    });

    it('refuses with state_invalid when the state is malformed', () => {
      const { cookies } = setup();
      expect(() => cookies.clear('x; Domain=evil.com')).toThrow(StateError);
    });
  });

  describe('Method: prune', () => {
    it('keeps the newest attempts so a new one fits, and clears the oldest', async () => {
      const { cookies } = setup();
      const flows = Array.from({ length: 6 }, () => newFlow());
      const jar = new Map<string, string>([['other', 'x']]);
      for (const flow of flows) jar.set(cookies.cookieName(flow.state), valueOf(await cookies.issue(flow)));
      const cleared = cookies.prune(jar);
      // Six in the jar, three kept (the fourth is the one being issued): the three oldest go.
      expect(cleared.map((c) => c.split('=')[0])).toEqual(flows.slice(0, 3).map((f) => cookies.cookieName(f.state)));
      for (const c of cleared) expect(c).toMatch(/=; Max-Age=0; .*Path=\/; HttpOnly; SameSite=Lax; Secure$/);
      expect(cookies.prune(new Map([...jar].slice(0, 4)))).toEqual([]);
    });

    it('never echoes a cookie name that is not of our exact shape', () => {
      const { cookies } = setup();
      const jar = new Map(Array.from({ length: 6 }, (_, i) => [`__Host-t23sso_${'A'.repeat(15)}${i}, Domain=evil`, 'x'] as [string, string]));
      expect(cookies.prune(jar)).toEqual([]);
    });
  });

  describe('options', () => {
    it('refuses key material shorter than 32 characters', () => {
      expect(() => createStateCookies({ keyMaterial: 'x'.repeat(31), maxAgeSeconds: 600, secure: true })).toThrow(ConfigError);
    });

    it('refuses a lifetime that is not a positive whole number of seconds', () => {
      for (const maxAgeSeconds of [0, -1, 1.5, Number.NaN]) {
        expect(() => createStateCookies({ keyMaterial: KEY_MATERIAL, maxAgeSeconds, secure: true })).toThrow(ConfigError);
      }
    });
  });
});
