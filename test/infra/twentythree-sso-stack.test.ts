// The stack with existing resources imported by id and with every access-policy option set. All variants
// live in one app and are synthesized once, without bundling (the default test covers the bundle).
import { CfnOutput, Duration, RemovalPolicy, SecretValue } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { loadConfig } from '../../lambda/config.js';
import { TwentyThreeSsoStack } from '../../lib/twentythree-sso-stack.js';
import { testApp } from './support/app.js';
import { fakeResolve } from './support/fake-resolve.js';
import { findSecretLeaks } from './support/secret-scan.js';

const SITE = 'https://videos.example.com';
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/twentythree-AbCdEf';
const POOL_ID = 'eu-west-1_AbC123xyz';

type Json = Record<string, any>;
interface Variant {
  readonly stack: TwentyThreeSsoStack;
  readonly template: Template;
  readonly json: { Resources: Record<string, { Type: string; Properties: Json; DeletionPolicy?: string }>; Outputs: Record<string, { Value: unknown }> };
}

const variants: Record<string, Variant> = {};
let plantedLeaks: string[];

beforeAll(() => {
  const app = testApp();
  const stacks = {
    byName: new TwentyThreeSsoStack(app, 'ByName', { bridge: { twentyThreeUrl: SITE }, twentyThreeSecretName: 'prod/twentythree' }),
    byArn: new TwentyThreeSsoStack(app, 'ByArn', { bridge: { twentyThreeUrl: SITE }, twentyThreeSecretArn: SECRET_ARN }),
    existingPool: new TwentyThreeSsoStack(app, 'ExistingPool', {
      bridge: { twentyThreeUrl: SITE, cognitoDomain: 'corp-sso', identityProvider: 'AzureAD' },
      userPoolId: POOL_ID,
    }),
    customDomain: new TwentyThreeSsoStack(app, 'CustomDomain', {
      bridge: { twentyThreeUrl: SITE, cognitoDomain: 'login.example.com', managedLoginBranding: true },
      userPoolId: POOL_ID,
    }),
    policy: new TwentyThreeSsoStack(app, 'Policy', {
      bridge: {
        twentyThreeUrl: 'https://Videos.Example.com/',
        cognitoDomainPrefix: 'my-videos-sso',
        allowedGroups: ['video-viewers', 'staff'],
        allowedEmailDomains: ['Example.com', 'example.org'],
        sendEmail: 'never',
        returnUrlHosts: ['www.example.com'],
        twentyThreeTimeout: Duration.seconds(3),
        throttle: { rateLimit: 5, burstLimit: 10 },
        logRetention: RetentionDays.THREE_MONTHS,
        removalPolicy: RemovalPolicy.DESTROY,
        tracing: true,
      },
    }),
    planted: new TwentyThreeSsoStack(app, 'Planted', { bridge: { twentyThreeUrl: SITE } }),
  };

  // Someone "simplifying" the bridge: each line is a way a secret value could end up in the template.
  const bridge = stacks.planted.bridge;
  bridge.handler.addEnvironment('OIDC_CLIENT_SECRET', 'q7Hk2vT9xWm4pLs8RbN3');
  bridge.handler.addEnvironment('TWENTYTHREE_CREDENTIALS', bridge.twentyThreeSecret.secretValue.unsafeUnwrap());
  new CfnOutput(stacks.planted, 'ClientSecretValue', { value: bridge.userPoolClient.userPoolClientSecret.unsafeUnwrap() });
  new Secret(stacks.planted, 'HandMadeSecret', { secretObjectValue: { consumer_secret: SecretValue.unsafePlainText('c0nsum3r-s3cr3t') } });

  app.synth();
  for (const [name, stack] of Object.entries(stacks)) {
    const template = Template.fromStack(stack);
    variants[name] = { stack, template, json: template.toJSON() as Variant['json'] };
  }
  plantedLeaks = findSecretLeaks(variants.planted!.json);
}, 120_000);

function v(name: string): Variant {
  return variants[name]!;
}

function logicalId(variant: Variant, construct: IConstruct): string {
  return variant.stack.getLogicalId((construct.node.defaultChild ?? construct) as never);
}

function env(variant: Variant): Record<string, unknown> {
  return variant.json.Resources[logicalId(variant, variant.stack.bridge.handler)]!.Properties.Environment.Variables;
}

function secretStatementResources(variant: Variant): unknown[] {
  const roleId = logicalId(variant, variant.stack.bridge.functionRole);
  return Object.values(variant.template.findResources('AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
    .flatMap((p) => p.Properties.PolicyDocument.Statement)
    .filter((s: { Action: string[] }) => [s.Action].flat().some((a) => a.startsWith('secretsmanager:')))
    .flatMap((s: { Resource: unknown }) => [s.Resource].flat());
}

describe('Stack: TwentyThreeSsoStack', () => {
  describe('Tracing', () => {
    it('turns on X-Ray active tracing only when asked', () => {
      v('policy').template.hasResourceProperties('AWS::Lambda::Function', { TracingConfig: { Mode: 'Active' } });
      v('byName').template.hasResourceProperties('AWS::Lambda::Function', { Runtime: 'nodejs24.x', TracingConfig: Match.absent() });
    });

    it('never lets a tracer capture responses (they carry the one-time TwentyThree token) or errors', () => {
      for (const name of ['policy', 'byName']) {
        expect(env(v(name))).toMatchObject({ POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false', POWERTOOLS_TRACER_CAPTURE_ERROR: 'false' });
      }
    });
  });

  describe('existing TwentyThree secret, by name', () => {
    it('creates only the client and state-key secrets', () => {
      v('byName').template.resourceCountIs('AWS::SecretsManager::Secret', 2);
    });

    it('gives the function the secret name (a partial ARN would be ambiguous)', () => {
      expect(env(v('byName')).TWENTYTHREE_SECRET_ID).toBe('prod/twentythree');
    });

    it('lets the function read only that secret, matched by its name and random suffix', () => {
      const resources = JSON.stringify(secretStatementResources(v('byName')));
      expect(resources).toContain(':secret:prod/twentythree-??????');
      expect(resources).not.toContain('*');
    });

    it('prints the name and the command to fill it', () => {
      v('byName').template.hasOutput('TwentyThreeSecretName', { Value: 'prod/twentythree' });
      expect(JSON.stringify(v('byName').json.Outputs.NextStep!.Value)).toContain('--secret-id prod/twentythree --secret-string');
    });
  });

  describe('existing TwentyThree secret, by ARN', () => {
    it('creates only the client and state-key secrets', () => {
      v('byArn').template.resourceCountIs('AWS::SecretsManager::Secret', 2);
    });

    it('gives the function the complete ARN', () => {
      expect(env(v('byArn')).TWENTYTHREE_SECRET_ID).toBe(SECRET_ARN);
    });

    it('lets the function read exactly that ARN', () => {
      expect(secretStatementResources(v('byArn'))).toContain(SECRET_ARN);
      expect(JSON.stringify(secretStatementResources(v('byArn')))).not.toContain('*');
    });
  });

  describe('existing user pool and domain', () => {
    it('creates no user pool, domain or branding', () => {
      const { template } = v('existingPool');
      template.resourceCountIs('AWS::Cognito::UserPool', 0);
      template.resourceCountIs('AWS::Cognito::UserPoolDomain', 0);
      template.resourceCountIs('AWS::Cognito::ManagedLoginBranding', 0);
    });

    it('adds the app client to the existing pool', () => {
      v('existingPool').template.hasResourceProperties('AWS::Cognito::UserPoolClient', { UserPoolId: POOL_ID, AllowedOAuthFlows: ['code'] });
    });

    it("points the function at the pool's issuer and its prefix domain", () => {
      const e = env(v('existingPool'));
      expect(e.OIDC_ISSUER).toEqual({
        'Fn::Join': ['', ['https://cognito-idp.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }, `/${POOL_ID}`]],
      });
      expect(e.COGNITO_DOMAIN_URL).toEqual({ 'Fn::Join': ['', ['https://corp-sso.auth.', { Ref: 'AWS::Region' }, '.amazoncognito.com']] });
    });

    it('uses the custom domain host as is', () => {
      expect(env(v('customDomain')).COGNITO_DOMAIN_URL).toBe('https://login.example.com');
      v('customDomain').template.hasOutput('CognitoDomain', { Value: 'https://login.example.com' });
    });

    it('creates the managed-login branding for an existing pool when asked', () => {
      v('customDomain').template.resourceCountIs('AWS::Cognito::ManagedLoginBranding', 1);
    });

    it('offers the named identity provider on the client and tells the function to go straight to it', () => {
      v('existingPool').template.hasResourceProperties('AWS::Cognito::UserPoolClient', { SupportedIdentityProviders: ['COGNITO', 'AzureAD'] });
      expect(env(v('existingPool')).IDENTITY_PROVIDER).toBe('AzureAD');
    });

    it('prints the existing pool id', () => {
      v('existingPool').template.hasOutput('UserPoolId', { Value: POOL_ID });
    });
  });

  describe('access policy and limits', () => {
    it('passes groups, e-mail domains (lower-cased), return hosts and the e-mail policy to the function', () => {
      expect(env(v('policy'))).toMatchObject({
        TWENTYTHREE_URL: SITE,
        ALLOWED_GROUPS: 'video-viewers,staff',
        ALLOWED_EMAIL_DOMAINS: 'example.com,example.org',
        RETURN_URL_HOSTS: 'www.example.com',
        SEND_EMAIL: 'never',
        TWENTYTHREE_TIMEOUT_MS: '3000',
      });
    });

    it('sets an access policy the function reads back unchanged', () => {
      const variant = v('policy');
      const types = Object.fromEntries(Object.entries(variant.json.Resources).map(([id, r]) => [id, r.Type]));
      const config = loadConfig(Object.fromEntries(Object.entries(env(variant)).map(([k, val]) => [k, fakeResolve(val as never, { types })])));
      expect(config.accessPolicy).toEqual({ allowedGroups: ['video-viewers', 'staff'], allowedEmailDomains: ['example.com', 'example.org'], sendEmail: 'never' });
      expect(config.returnUrlHosts).toEqual(['www.example.com']);
      expect(config.twentyThreeTimeoutMs).toBe(3000);
    });

    it('uses the given domain prefix', () => {
      v('policy').template.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: 'my-videos-sso' });
    });

    it('uses the given stage throttling', () => {
      v('policy').template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        DefaultRouteSettings: { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 },
      });
    });

    it('uses the given log retention on every log group', () => {
      for (const group of Object.values(v('policy').template.findResources('AWS::Logs::LogGroup'))) {
        expect(group.Properties.RetentionInDays).toBe(90);
      }
    });

    it('applies the given removal policy to the TwentyThree secret', () => {
      const variant = v('policy');
      expect(variant.json.Resources[logicalId(variant, variant.stack.bridge.twentyThreeSecret)]!.DeletionPolicy).toBe('Delete');
    });
  });

  describe('checks on every variant', () => {
    it('passes cdk-nag AwsSolutions with no unacknowledged finding', () => {
      for (const name of ['byName', 'byArn', 'existingPool', 'customDomain', 'policy']) {
        const report = new AwsSolutionsChecks().validateScope(v(name).stack);
        expect({ name, violations: report.violations.map((x) => x.ruleName) }).toEqual({ name, violations: [] });
      }
    });

    it('has no secret value in any template', () => {
      for (const name of ['byName', 'byArn', 'existingPool', 'customDomain', 'policy']) {
        expect({ name, leaks: findSecretLeaks(v(name).json) }).toEqual({ name, leaks: [] });
      }
    });
  });

  describe('secret scan (regression: it must catch a secret someone adds)', () => {
    it('catches a plain secret in an environment variable', () => {
      expect(plantedLeaks).toContainEqual(expect.stringMatching(/environment variable OIDC_CLIENT_SECRET is not part of/));
    });

    it('catches a secret resolved into an environment variable at deploy time', () => {
      expect(plantedLeaks).toContainEqual(expect.stringMatching(/Variables\.TWENTYTHREE_CREDENTIALS\b.*: dynamic reference to a secret value/));
    });

    it("catches the app client's secret in an output", () => {
      expect(plantedLeaks).toContainEqual(expect.stringMatching(/^Outputs\.ClientSecretValue\.Value: uses secret attribute UserPoolClient\.ClientSecret/));
    });

    it('catches a secret value written into a secret by the template', () => {
      expect(plantedLeaks).toContainEqual(expect.stringMatching(/HandMadeSecret.*: literal SecretString/));
      expect(plantedLeaks).toContainEqual(expect.stringMatching(/"consumer_secret" has a value/));
    });
  });

  it('refuses both an ARN and a name for the TwentyThree secret', () => {
    const app = testApp();
    expect(
      () =>
        new TwentyThreeSsoStack(app, 'Both', {
          bridge: { twentyThreeUrl: SITE },
          twentyThreeSecretArn: SECRET_ARN,
          twentyThreeSecretName: 'prod/twentythree',
        }),
    ).toThrow('Set only one of twentyThreeSecretArn and twentyThreeSecretName.');
  });
});
