// CDK context → stack props: what `cdk deploy -c key=value` (or cdk.json) may say, and the one sentence
// the operator reads when it is missing or wrong.
import { DEFAULT_STACK_NAME, readBridgeContext, readList, type ContextReader } from '../../lib/context.js';

const SITE = 'https://videos.example.com';
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/twentythree-AbCdEf';

function reader(context: Record<string, unknown>): ContextReader {
  return (key) => context[key];
}

function read(context: Record<string, unknown>): ReturnType<typeof readBridgeContext> {
  return readBridgeContext(reader({ twentyThreeUrl: SITE, ...context }));
}

describe('Function: readBridgeContext', () => {
  describe('twentyThreeUrl', () => {
    it('says how to set the site when it is missing', () => {
      expect(() => readBridgeContext(reader({}))).toThrow('Set the TwentyThree site: npx cdk deploy -c twentyThreeUrl=https://videos.example.com');
    });

    it('treats a blank value as missing', () => {
      expect(() => readBridgeContext(reader({ twentyThreeUrl: '  ' }))).toThrow('Set the TwentyThree site: npx cdk deploy -c twentyThreeUrl=https://videos.example.com');
    });

    it.each([['http://videos.example.com'], ['https://videos.example.com/videos'], ['videos.example.com']])('refuses %j, which is not an https origin', (url) => {
      expect(() => readBridgeContext(reader({ twentyThreeUrl: url }))).toThrow(
        `twentyThreeUrl must be the https origin of the TwentyThree site (got "${url}"): npx cdk deploy -c twentyThreeUrl=https://videos.example.com`,
      );
    });

    it('refuses a value that is not a string', () => {
      expect(() => readBridgeContext(reader({ twentyThreeUrl: 42 }))).toThrow('twentyThreeUrl must be a string, got "42".');
    });

    it('normalises the site to its origin', () => {
      expect(readBridgeContext(reader({ twentyThreeUrl: 'https://Videos.Example.com/' })).stackProps.bridge.twentyThreeUrl).toBe(SITE);
    });
  });

  describe('defaults', () => {
    it('names the stack TwentyThreeSso and creates the secret and the pool', () => {
      expect(read({})).toEqual({
        stackName: DEFAULT_STACK_NAME,
        stackProps: { bridge: { twentyThreeUrl: SITE, allowedGroups: [], allowedEmailDomains: [], returnUrlHosts: [] } },
      });
    });

    it('takes another stack name', () => {
      expect(read({ stackName: 'VideosSso-Prod' }).stackName).toBe('VideosSso-Prod');
    });

    it('refuses a stack name CloudFormation would reject', () => {
      expect(() => read({ stackName: '1st_stack' })).toThrow(
        'stackName must start with a letter and contain only letters, digits and hyphens (at most 128), got "1st_stack".',
      );
    });
  });

  describe('existing TwentyThree secret', () => {
    it('imports it by complete ARN', () => {
      expect(read({ twentyThreeSecretArn: SECRET_ARN }).stackProps.twentyThreeSecretArn).toBe(SECRET_ARN);
    });

    it('imports it by name', () => {
      expect(read({ twentyThreeSecretName: 'prod/twentythree' }).stackProps.twentyThreeSecretName).toBe('prod/twentythree');
    });

    it('refuses both at once', () => {
      expect(() => read({ twentyThreeSecretArn: SECRET_ARN, twentyThreeSecretName: 'prod/twentythree' })).toThrow(
        'Set only one of twentyThreeSecretArn and twentyThreeSecretName.',
      );
    });

    it('refuses a partial ARN', () => {
      const partial = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/twentythree';
      expect(() => read({ twentyThreeSecretArn: partial })).toThrow(
        `twentyThreeSecretArn must be the complete ARN of a Secrets Manager secret (ending in -XXXXXX), got "${partial}"; for a name, set twentyThreeSecretName instead.`,
      );
    });

    it('refuses an ARN given as the name', () => {
      expect(() => read({ twentyThreeSecretName: SECRET_ARN })).toThrow(
        `twentyThreeSecretName must be a Secrets Manager secret name (letters, digits and /_+=.@-), got "${SECRET_ARN}".`,
      );
    });
  });

  describe('existing user pool', () => {
    it('imports the pool with its domain', () => {
      const { stackProps } = read({ userPoolId: 'eu-west-1_AbC123xyz', cognitoDomain: 'Corp-SSO' });
      expect(stackProps.userPoolId).toBe('eu-west-1_AbC123xyz');
      expect(stackProps.bridge.cognitoDomain).toBe('corp-sso');
    });

    it('says to set the domain when only the pool is given', () => {
      expect(() => read({ userPoolId: 'eu-west-1_AbC123xyz' })).toThrow(
        'Set the domain of the existing user pool too: npx cdk deploy -c userPoolId=eu-west-1_AbC123xyz -c cognitoDomain=<its domain prefix or custom domain host>',
      );
    });

    it('says to set the pool when only the domain is given', () => {
      expect(() => read({ cognitoDomain: 'corp-sso' })).toThrow(
        'cognitoDomain needs the pool it belongs to: npx cdk deploy -c userPoolId=<pool id> -c cognitoDomain=corp-sso',
      );
    });

    it('refuses a malformed pool id', () => {
      expect(() => read({ userPoolId: 'AbC123', cognitoDomain: 'corp-sso' })).toThrow(
        'userPoolId must be a Cognito user pool id like eu-west-1_AbC123xyz, got "AbC123".',
      );
    });

    it('refuses a domain prefix for an existing pool', () => {
      expect(() => read({ userPoolId: 'eu-west-1_AbC123xyz', cognitoDomain: 'corp-sso', cognitoDomainPrefix: 'mine' })).toThrow(
        "cognitoDomainPrefix names the domain of a created pool; with userPoolId, set cognitoDomain to that pool's domain instead.",
      );
    });

    it('refuses a domain given as a URL', () => {
      expect(() => read({ userPoolId: 'eu-west-1_AbC123xyz', cognitoDomain: 'https://login.example.com' })).toThrow(
        'cognitoDomain must be the domain prefix (like my-sso) or the custom domain host (like login.example.com) of the user pool, without https://, got "https://login.example.com".',
      );
    });

    it('takes a domain prefix for the created pool', () => {
      expect(read({ cognitoDomainPrefix: 'my-videos-sso' }).stackProps.bridge.cognitoDomainPrefix).toBe('my-videos-sso');
    });

    it.each([
      ['true', true],
      [false, false],
    ])('reads managedLoginBranding=%j', (raw, expected) => {
      expect(read({ managedLoginBranding: raw }).stackProps.bridge.managedLoginBranding).toBe(expected);
    });

    it('reads tracing=true', () => {
      expect(read({ tracing: 'true' }).stackProps.bridge.tracing).toBe(true);
      expect(read({}).stackProps.bridge.tracing).toBeUndefined();
    });

    it('refuses a managedLoginBranding that is not true or false', () => {
      expect(() => read({ managedLoginBranding: 'yes' })).toThrow('managedLoginBranding must be true or false, got "yes".');
    });
  });

  describe('access policy', () => {
    it('reads comma-separated lists', () => {
      const { bridge } = read({ allowedGroups: 'staff, video-viewers', allowedEmailDomains: 'Example.com,example.org', returnUrlHosts: 'www.example.com' }).stackProps;
      expect(bridge.allowedGroups).toEqual(['staff', 'video-viewers']);
      expect(bridge.allowedEmailDomains).toEqual(['example.com', 'example.org']);
      expect(bridge.returnUrlHosts).toEqual(['www.example.com']);
    });

    it('reads JSON arrays, as a string or from cdk.json', () => {
      expect(read({ allowedGroups: '["staff","video-viewers"]' }).stackProps.bridge.allowedGroups).toEqual(['staff', 'video-viewers']);
      expect(read({ allowedGroups: ['staff'] }).stackProps.bridge.allowedGroups).toEqual(['staff']);
    });

    it('refuses a list that is neither', () => {
      expect(() => read({ allowedGroups: '["staff",' })).toThrow(
        'allowedGroups is not valid JSON: use a comma-separated list (-c allowedGroups=a,b) or a JSON array of strings.',
      );
      expect(() => read({ allowedGroups: { staff: true } })).toThrow(
        'allowedGroups must be a comma-separated list (-c allowedGroups=a,b) or a JSON array of strings, got "{"staff":true}".',
      );
    });

    it('refuses a malformed e-mail domain', () => {
      expect(() => read({ allowedEmailDomains: 'example.com,@evil.io' })).toThrow(
        'allowedEmailDomains must contain only e-mail domains like example.com, got "@evil.io".',
      );
    });

    it('reads sendEmail and identityProvider', () => {
      const { bridge } = read({ sendEmail: 'never', identityProvider: 'AzureAD' }).stackProps;
      expect(bridge.sendEmail).toBe('never');
      expect(bridge.identityProvider).toBe('AzureAD');
    });

    it('refuses a bad sendEmail', () => {
      expect(() => read({ sendEmail: 'always' })).toThrow('sendEmail must be "verified" or "never", got "always".');
    });

    it('refuses a bad identityProvider', () => {
      expect(() => read({ identityProvider: 'Azure/AD' })).toThrow(
        'identityProvider must be the name of an identity provider of the user pool (1-32 letters, digits, spaces, "_", "-", "."), got "Azure/AD".',
      );
    });
  });
});

describe('Function: readList', () => {
  it('drops blanks and trims entries', () => {
    expect(readList(reader({ k: ' a, ,b ,' }), 'k')).toEqual(['a', 'b']);
  });

  it('reads nothing as an empty list', () => {
    expect(readList(reader({}), 'k')).toEqual([]);
  });
});
