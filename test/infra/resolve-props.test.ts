// Every prop the construct refuses, with the exact sentence the operator reads. Construction stops at
// validation, so these tests build nothing and synthesize nothing.
import { Duration, Lazy, Stack } from 'aws-cdk-lib';
import { UserPool } from 'aws-cdk-lib/aws-cognito';
import { TwentyThreeSsoBridge, type TwentyThreeSsoBridgeProps } from '../../lib/twentythree-sso-bridge.js';
import { testApp } from './support/app.js';

const SITE = 'https://videos.example.com';

function build(props: Partial<TwentyThreeSsoBridgeProps> & { userPoolId?: string }): () => TwentyThreeSsoBridge {
  const stack = new Stack(testApp(), 'S');
  const { userPoolId, ...rest } = props;
  const userPool = userPoolId === undefined ? undefined : UserPool.fromUserPoolId(stack, 'Pool', userPoolId);
  return () => new TwentyThreeSsoBridge(stack, 'Bridge', { twentyThreeUrl: SITE, ...(userPool ? { userPool } : {}), ...rest });
}

describe('Function: resolveBridgeProps (through the TwentyThreeSsoBridge constructor)', () => {
  describe('twentyThreeUrl', () => {
    it.each([
      ['http://videos.example.com'],
      ['https://videos.example.com/videos'],
      ['https://videos.example.com/?x=1'],
      ['https://videos.example.com/#top'],
      ['https://user:pw@videos.example.com'],
      ['videos.example.com'],
      [''],
    ])('refuses %j, which is not an https origin', (url) => {
      expect(build({ twentyThreeUrl: url })).toThrow(
        `twentyThreeUrl must be the https origin of the TwentyThree site, like https://videos.example.com (got "${url}").`,
      );
    });

    it('refuses a token, which cannot be checked or used to derive the domain prefix', () => {
      expect(build({ twentyThreeUrl: Lazy.string({ produce: () => SITE }) })).toThrow('twentyThreeUrl must be a literal value, not a token.');
    });

    it('accepts the origin with a trailing slash', () => {
      expect(build({ twentyThreeUrl: `${SITE}/` })).not.toThrow();
    });
  });

  describe('user pool and domain', () => {
    it('refuses cognitoDomain without userPool', () => {
      expect(build({ cognitoDomain: 'corp-sso' })).toThrow(
        "cognitoDomain applies only to an existing userPool; use cognitoDomainPrefix to name the created pool's domain.",
      );
    });

    it('refuses userPool without cognitoDomain', () => {
      expect(build({ userPoolId: 'eu-west-1_AbC123' })).toThrow(
        'cognitoDomain is required with userPool: set it to the domain prefix or custom domain host of that pool.',
      );
    });

    it('refuses cognitoDomainPrefix with userPool', () => {
      expect(build({ userPoolId: 'eu-west-1_AbC123', cognitoDomain: 'corp-sso', cognitoDomainPrefix: 'mine' })).toThrow(
        'cognitoDomainPrefix applies only to the created user pool; with an existing userPool, set cognitoDomain.',
      );
    });

    it.each([['https://login.example.com'], ['login.example.com/'], ['Corp SSO'], ['-corp']])('refuses cognitoDomain %j', (domain) => {
      expect(build({ userPoolId: 'eu-west-1_AbC123', cognitoDomain: domain })).toThrow(
        `cognitoDomain must be the domain prefix (like my-sso) or the custom domain host (like login.example.com) of the user pool, without https://, got "${domain}".`,
      );
    });

    it.each([['My_Videos'], ['aws-videos'], ['videos-amazon'], ['cognito'], ['-videos'], ['videos-'], ['a'.repeat(64)], ['']])(
      'refuses cognitoDomainPrefix %j, which Cognito would reject',
      (prefix) => {
        expect(build({ cognitoDomainPrefix: prefix })).toThrow(
          `cognitoDomainPrefix must be 1-63 lower-case letters, digits or hyphens, not start or end with a hyphen, and not contain "aws", "amazon" or "cognito", got "${prefix.length > 100 ? `${prefix.slice(0, 100)}…` : prefix}".`,
        );
      },
    );
  });

  describe('access policy', () => {
    it.each([['a,b'], ['two words'], ['']])('refuses the group name %j', (group) => {
      expect(build({ allowedGroups: ['staff', group] })).toThrow(
        `allowedGroups must contain Cognito group names (1-128 characters, no commas or spaces), got "${group}".`,
      );
    });

    it.each([['@example.com'], ['example.com/'], ['exa mple.com']])('refuses the e-mail domain %j', (domain) => {
      expect(build({ allowedEmailDomains: [domain] })).toThrow(`allowedEmailDomains must contain only e-mail domains like example.com, got "${domain}".`);
    });

    it.each([['https://www.example.com'], ['www.example.com:443'], ['*.example.com']])('refuses the return host %j', (host) => {
      expect(build({ returnUrlHosts: [host] })).toThrow(`returnUrlHosts must contain only host names like www.example.com, got "${host}".`);
    });

    it('refuses a sendEmail other than verified or never', () => {
      expect(build({ sendEmail: 'always' as never })).toThrow('sendEmail must be "verified" or "never", got "always".');
    });

    it.each([['Azure/AD'], ['x'.repeat(33)], ['']])('refuses the identity provider %j', (name) => {
      expect(build({ identityProvider: name })).toThrow(
        `identityProvider must be the name of an identity provider of the user pool (1-32 letters, digits, spaces, "_", "-", "."), got "${name}".`,
      );
    });

    it('refuses tokens in a list, which cannot be checked', () => {
      expect(build({ allowedGroups: [Lazy.string({ produce: () => 'staff' })] })).toThrow('allowedGroups must be a list of literal values, not tokens.');
    });
  });

  describe('limits', () => {
    it.each([
      [Duration.millis(500), 500],
      [Duration.seconds(9), 9000],
    ])('refuses a TwentyThree timeout of %s', (timeout, ms) => {
      expect(build({ twentyThreeTimeout: timeout })).toThrow(`twentyThreeTimeout must be from 1 to 8 seconds (the function stops after 10), got ${ms} ms.`);
    });

    it.each([[0], [-1], [Number.NaN]])('refuses a rate limit of %s', (rateLimit) => {
      expect(build({ throttle: { rateLimit } })).toThrow(`throttle.rateLimit must be a positive number of requests per second, got "${rateLimit}".`);
    });

    it.each([[0], [1.5]])('refuses a burst limit of %s', (burstLimit) => {
      expect(build({ throttle: { burstLimit } })).toThrow(`throttle.burstLimit must be a positive whole number of requests, got "${burstLimit}".`);
    });
  });

  it('creates nothing when a prop is refused', () => {
    const stack = new Stack(testApp(), 'S');
    expect(() => new TwentyThreeSsoBridge(stack, 'Bridge', { twentyThreeUrl: SITE, sendEmail: 'always' as never })).toThrow();
    expect(stack.node.findChild('Bridge').node.children).toEqual([]);
  });
});
