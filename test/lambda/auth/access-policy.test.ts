// The access policy: who is admitted (groups, e-mail domains) and what is sent to TwentyThree
// (e-mail only when verified, a clean full name), with suffix tricks, case and junk claims.
import fc from 'fast-check';
import { admit, fullNameOf, groupsOf, type IdClaims } from '../../../lambda/auth/access-policy.js';
import type { AccessPolicy } from '../../../lambda/config.js';
import { AccessDeniedError } from '../../../lambda/errors.js';

/** Property runs per generator; raise locally with FC_NUM_RUNS=100000 for a deeper search. */
const NUM_RUNS = Number(process.env.FC_NUM_RUNS ?? 2000);

const OPEN: AccessPolicy = { allowedGroups: [], allowedEmailDomains: [], sendEmail: 'verified' };
const DOMAINS: AccessPolicy = { ...OPEN, allowedEmailDomains: ['example.com'] };
const GROUPS: AccessPolicy = { ...OPEN, allowedGroups: ['viewers', 'Staff'] };

function claims(overrides: Partial<IdClaims> = {}): IdClaims {
  return { sub: 'user-1', email: 'ann@example.com', email_verified: true, ...overrides };
}

function denial(fn: () => unknown): AccessDeniedError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AccessDeniedError);
    return error as AccessDeniedError;
  }
  throw new Error('expected AccessDeniedError, but the person was admitted');
}

describe('Function: admit', () => {
  describe('defaults (no groups, no domains, sendEmail verified)', () => {
    it('admits any signed-in user and sends the verified e-mail and name', () => {
      expect(admit(claims({ name: 'Ann Lee' }), OPEN)).toEqual({ email: 'ann@example.com', fullName: 'Ann Lee' });
    });

    it.each([
      ['boolean true', true],
      ['the string "true" (federated users)', 'true'],
    ])('sends the e-mail when email_verified is %s', (_label, verified) => {
      expect(admit(claims({ email_verified: verified }), OPEN).email).toBe('ann@example.com');
    });

    it.each([
      ['false', false],
      ['"false"', 'false'],
      ['missing', undefined],
      ['"TRUE"', 'TRUE'],
      ['" true"', ' true'],
      ['1', 1],
      ['"1"', '1'],
      ['"yes"', 'yes'],
      ['an object', { value: true }],
      ['an array', [true]],
      ['null', null],
    ])('admits without the e-mail when email_verified is %s', (_label, verified) => {
      expect(admit(claims({ email_verified: verified }), OPEN)).toEqual({});
    });

    it.each([
      ['two @ signs', 'a@b@example.com'],
      ['a quoted local part with @', '"a@b"@example.com'],
      ['no @', 'example.com'],
      ['empty local part', '@example.com'],
      ['empty domain', 'ann@'],
      ['a space', 'ann lee@example.com'],
      ['a newline', 'ann@example.com\nbcc@evil.com'],
      ['a trailing dot domain', 'ann@example.com.'],
      ['an IP literal domain', 'ann@[127.0.0.1]'],
      ['a Kelvin sign that lower-cases to k', 'admin@ban\u212A.com'],
      ['full-width letters', '\uFF41dmin@example.com'],
      ['an over-long address', `${'a'.repeat(250)}@example.com`],
      ['a number', 42],
      ['an array', ['ann@example.com']],
      ['an object', { toString: () => 'ann@example.com' }],
    ])('does not send a verified e-mail with %s', (_label, email) => {
      expect(admit(claims({ email }), OPEN).email).toBeUndefined();
    });

    it('never sends the e-mail when sendEmail is never', () => {
      expect(admit(claims({ name: 'Ann' }), { ...OPEN, sendEmail: 'never' })).toEqual({ fullName: 'Ann' });
    });
  });

  describe('allowedEmailDomains', () => {
    it.each(['ann@example.com', 'ann@EXAMPLE.COM', 'Ann.Lee+video@Example.Com'])('admits %s (exact domain, any case)', (email) => {
      expect(admit(claims({ email }), DOMAINS).email).toBe(email);
    });

    it('admits when the allowed domain is configured in another case', () => {
      expect(admit(claims(), { ...OPEN, allowedEmailDomains: ['Example.COM'] }).email).toBe('ann@example.com');
    });

    it.each([
      ['a longer name ending in the domain', 'eve@evilexample.com'],
      ['the domain followed by another', 'eve@example.com.evil.io'],
      ['a subdomain', 'eve@mail.example.com'],
      ['a parent domain', 'eve@com'],
      ['the domain in the local part', 'example.com@evil.io'],
      ['two @ signs ending in the domain', 'eve@evil.io@example.com'],
      ['two @ signs starting with the domain', 'eve@example.com@evil.io'],
      ['a quoted local part', '"eve@evil.io"@example.com'],
      ['a trailing dot', 'eve@example.com.'],
      ['a percent hack', 'eve%example.com@evil.io'],
      ['a Unicode look-alike', 'eve@ex\u0430mple.com'],
      ['a dotless i capital', 'eve@EXAMPLE.COM\u0130'],
      ['a trailing newline', 'eve@example.com\n'],
      ['a NUL', 'eve@example.com\u0000.evil.io'],
    ])('refuses %s: %j', (_label, email) => {
      const error = denial(() => admit(claims({ email }), DOMAINS));
      expect(error.message).not.toContain('@');
      expect(error.message).not.toContain(email);
    });

    it.each([
      ['false', false],
      ['"false"', 'false'],
      ['missing', undefined],
    ])('refuses an address in an allowed domain when email_verified is %s', (_label, verified) => {
      const error = denial(() => admit(claims({ email_verified: verified }), DOMAINS));
      expect(error.message).toMatch(/unverified/);
      expect(error.message).not.toContain('ann');
    });

    it('refuses when there is no e-mail claim', () => {
      expect(denial(() => admit({ sub: 'x' }, DOMAINS)).message).toMatch(/no e-mail/);
    });

    it('checks the domain but sends nothing when sendEmail is never', () => {
      expect(admit(claims(), { ...DOMAINS, sendEmail: 'never' })).toEqual({});
      denial(() => admit(claims({ email: 'eve@evil.io' }), { ...DOMAINS, sendEmail: 'never' }));
    });

    it('admits only exact allowed domains when the address is generated', () => {
      fc.assert(
        fc.property(fc.emailAddress(), fc.boolean(), (email, verified) => {
          const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();
          const admitted = (() => {
            try {
              admit(claims({ email, email_verified: verified }), DOMAINS);
              return true;
            } catch (error) {
              expect(error).toBeInstanceOf(AccessDeniedError);
              return false;
            }
          })();
          if (admitted) {
            expect(verified).toBe(true);
            expect(domain).toBe('example.com');
          }
        }),
        { numRuns: NUM_RUNS },
      );
    });
  });

  describe('allowedGroups', () => {
    it.each([
      ['an array', ['viewers']],
      ['an array with other groups', ['other', 'Staff']],
      ['a bracketed string', '[other, viewers]'],
      ['a comma string', 'other,viewers'],
      ['a single-name string', 'Staff'],
      ['a string with spaces', '[ viewers ]'],
    ])('admits a member when cognito:groups is %s', (_label, groups) => {
      expect(() => admit(claims({ 'cognito:groups': groups }), GROUPS)).not.toThrow();
    });

    it.each([
      ['missing', undefined],
      ['empty array', []],
      ['empty string', ''],
      ['"[]"', '[]'],
      ['another case', ['VIEWERS', 'staff']],
      ['a longer name', ['viewers-old']],
      ['a prefix', ['view']],
      ['a nested array', [['viewers']]],
      ['an object', { viewers: true }],
      ['a number', 1],
      ['null', null],
      ['true', true],
      ['a string with the name inside another', 'preview-viewers-list'],
    ])('refuses when cognito:groups is %s', (_label, groups) => {
      const error = denial(() => admit(claims({ 'cognito:groups': groups }), GROUPS));
      expect(error.message).toMatch(/group/);
      expect(error.message).not.toContain('ann@example.com');
    });

    it('requires both rules when groups and domains are configured', () => {
      const both: AccessPolicy = { ...GROUPS, allowedEmailDomains: ['example.com'] };
      expect(admit(claims({ 'cognito:groups': ['viewers'] }), both).email).toBe('ann@example.com');
      denial(() => admit(claims({ 'cognito:groups': ['viewers'], email: 'eve@evil.io' }), both));
      denial(() => admit(claims({ 'cognito:groups': ['guests'] }), both));
    });
  });

  describe('property: junk claims', () => {
    it('only ever admits or throws AccessDeniedError, and never puts an e-mail in the message, when every claim is arbitrary', () => {
      const junk = fc.oneof(fc.anything(), fc.string({ unit: 'binary' }), fc.emailAddress(), fc.constantFrom(true, 'true', 'false'));
      fc.assert(
        fc.property(
          fc.record({ email: junk, email_verified: junk, name: junk, given_name: junk, family_name: junk, 'cognito:groups': junk }, { requiredKeys: [] }),
          fc.constantFrom(OPEN, DOMAINS, GROUPS, { ...DOMAINS, ...GROUPS, sendEmail: 'never' as const }),
          (extra, policy) => {
            const input = { sub: 'x', ...extra } as IdClaims;
            try {
              const admission = admit(input, policy);
              if (admission.email !== undefined) {
                expect(policy.sendEmail).toBe('verified');
                expect(input.email_verified === true || input.email_verified === 'true').toBe(true);
                expect(admission.email).toBe(input.email);
              }
              if (admission.fullName !== undefined) {
                expect(admission.fullName).toBe(admission.fullName.trim());
                expect(admission.fullName.length).toBeGreaterThan(0);
                expect(admission.fullName).not.toMatch(/[\u0000-\u001F\u007F]/);
              }
            } catch (error) {
              expect(error).toBeInstanceOf(AccessDeniedError);
              expect((error as Error).message).not.toMatch(/@/);
            }
          },
        ),
        { numRuns: NUM_RUNS },
      );
    });
  });
});

describe('Function: groupsOf', () => {
  it.each([
    [['a', 'b'], ['a', 'b']],
    [['a', 2, null, ' b ', ''], ['a', 'b']],
    ['[a, b]', ['a', 'b']],
    ['a,b', ['a', 'b']],
    ['[a]', ['a']],
    ['', []],
    [undefined, []],
    [{ length: 1, 0: 'a' }, []],
  ])('reads %j as %j', (claim, expected) => {
    expect(groupsOf(claim)).toEqual(expected);
  });
});

describe('Function: fullNameOf', () => {
  it.each([
    [{ name: '  Ann Lee  ' }, 'Ann Lee'],
    [{ name: '', given_name: 'Ann', family_name: 'Lee' }, 'Ann Lee'],
    [{ name: '   ', given_name: 'Ann' }, 'Ann'],
    [{ family_name: 'Lee' }, 'Lee'],
    [{ name: 42, given_name: 'Ann', family_name: { x: 1 } }, 'Ann'],
    [{ name: 'Zoë O\u2019Brien (QA)' }, 'Zoë O\u2019Brien (QA)'],
    [{ name: 'Ann\r\nLee\u0000\u202E' }, 'Ann Lee'],
    [{}, undefined],
    [{ name: '\u200B', given_name: ' ', family_name: '\t' }, undefined],
  ])('reads %j as %j', (extra, expected) => {
    expect(fullNameOf({ sub: 'x', ...extra })).toBe(expected);
  });

  it('caps a very long name at 200 characters without splitting a character', () => {
    const name = fullNameOf({ sub: 'x', name: '😀'.repeat(500) })!;
    expect(Array.from(name)).toHaveLength(200);
    expect(name).toBe('😀'.repeat(200));
  });
});
