// The derived Cognito domain prefix: always valid by Cognito's rules, stable, and distinct per bridge.
import fc from 'fast-check';
import { defaultDomainPrefix } from '../../lib/defaults.js';
import { isValidDomainPrefix } from '../../lib/validation.js';

describe('Function: defaultDomainPrefix', () => {
  it('starts with the site host and ends with a short hash', () => {
    expect(defaultDomainPrefix('https://videos.example.com', 'Stack/Bridge')).toMatch(/^videos-example-com-sso-[0-9a-f]{8}$/);
  });

  it('gives the same prefix for the same site and construct path', () => {
    expect(defaultDomainPrefix('https://videos.example.com', 'Stack/Bridge')).toBe(defaultDomainPrefix('https://videos.example.com', 'Stack/Bridge'));
  });

  it('gives two bridges of the same site different prefixes', () => {
    expect(defaultDomainPrefix('https://videos.example.com', 'Staging/Bridge')).not.toBe(defaultDomainPrefix('https://videos.example.com', 'Prod/Bridge'));
  });

  it('drops the words Cognito reserves, even when removing one forms another', () => {
    const prefix = defaultDomainPrefix('https://aawsws.amazon-cognito-videos.example.com', 'S/B');
    expect(prefix).not.toMatch(/aws|amazon|cognito/);
    expect(prefix).toMatch(/^videos-example-com-sso-/);
  });

  it('keeps long hosts within 63 characters', () => {
    const prefix = defaultDomainPrefix(`https://${'a'.repeat(60)}.${'b'.repeat(60)}.example.com`, 'S/B');
    expect(prefix.length).toBeLessThanOrEqual(63);
    expect(isValidDomainPrefix(prefix)).toBe(true);
  });

  it('produces a valid Cognito prefix for any host name', () => {
    fc.assert(
      fc.property(fc.domain(), fc.string(), (host, path) => {
        expect(isValidDomainPrefix(defaultDomainPrefix(`https://${host}`, path))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
