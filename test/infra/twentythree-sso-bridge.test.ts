// The default deployment (`cdk deploy -c twentyThreeUrl=…`), synthesized once with real esbuild bundling
// and CloudFormation validation, then checked resource by resource.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { loadConfig } from '../../lambda/config.js';
import { ACCESS_LOG_FIELDS } from '../../lib/builders/api.js';
import { ESM_REQUIRE_BANNER } from '../../lib/builders/function.js';
import { defaultDomainPrefix } from '../../lib/defaults.js';
import { TwentyThreeSsoStack } from '../../lib/twentythree-sso-stack.js';
import { testApp } from './support/app.js';
import { fakeResolve } from './support/fake-resolve.js';
import { findSecretLeaks } from './support/secret-scan.js';

const SITE = 'https://videos.example.com';

let stack: TwentyThreeSsoStack;
let assembly: CloudAssembly;
let template: Template;
let json: {
  Resources: Record<string, { Type: string; Properties: Record<string, any>; DeletionPolicy?: string }>;
  Outputs: Record<string, { Value: any }>;
};

beforeAll(() => {
  const app = testApp({ bundle: true, cloudFormationValidation: true });
  stack = new TwentyThreeSsoStack(app, 'TwentyThreeSso', { bridge: { twentyThreeUrl: SITE } });
  assembly = app.synth();
  template = Template.fromStack(stack);
  json = template.toJSON() as typeof json;
}, 120_000);

/** Logical id of the one resource of `type` (fails when there is not exactly one). */
function only(type: string): string {
  const ids = Object.keys(template.findResources(type));
  expect(ids).toHaveLength(1);
  return ids[0]!;
}

function logicalId(construct: IConstruct): string {
  return (construct.node.defaultChild ? stack.getLogicalId(construct.node.defaultChild as never) : stack.getLogicalId(construct as never));
}

function functionEnv(): Record<string, unknown> {
  return json.Resources[logicalId(stack.bridge.handler)]!.Properties.Environment.Variables;
}

describe('Construct: TwentyThreeSsoBridge (defaults)', () => {
  describe('HTTP API', () => {
    it('creates one HTTP API', () => {
      template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
      template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
    });

    it('routes GET /login, /callback and /logout, and nothing else', () => {
      const routeKeys = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map((r) => r.Properties.RouteKey);
      expect(routeKeys.sort()).toEqual(['GET /callback', 'GET /login', 'GET /logout']);
    });

    it('sends every route to one Lambda proxy integration with payload format 2.0', () => {
      const integrationId = only('AWS::ApiGatewayV2::Integration');
      template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
        IntegrationType: 'AWS_PROXY',
        PayloadFormatVersion: '2.0',
        IntegrationUri: { 'Fn::GetAtt': [logicalId(stack.bridge.handler), 'Arn'] },
      });
      for (const route of Object.values(template.findResources('AWS::ApiGatewayV2::Route'))) {
        expect(route.Properties.Target).toEqual({ 'Fn::Join': ['', ['integrations/', { Ref: integrationId }]] });
      }
    });

    it('deploys an explicit $default stage automatically', () => {
      template.resourceCountIs('AWS::ApiGatewayV2::Stage', 1);
      template.hasResourceProperties('AWS::ApiGatewayV2::Stage', { StageName: '$default', AutoDeploy: true });
    });

    it('throttles the stage at 20 requests per second with bursts of 40', () => {
      template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        DefaultRouteSettings: { ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 },
      });
    });

    it('writes access logs to its own log group', () => {
      template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        AccessLogSettings: { DestinationArn: { 'Fn::GetAtt': [logicalId(stack.bridge.accessLogGroup), 'Arn'] } },
      });
    });

    it('keeps query strings, headers and cookies out of the access log (/callback carries the code)', () => {
      const stageId = only('AWS::ApiGatewayV2::Stage');
      const format = json.Resources[stageId]!.Properties.AccessLogSettings.Format as string;
      expect(JSON.parse(format)).toEqual(ACCESS_LOG_FIELDS);
      expect(format).toContain('$context.requestId');
      expect(format).not.toMatch(/querystring|requestUri|rawQuery|\$request\.|\$input|header|cookie|authorizer/i);
    });
  });

  describe('Function', () => {
    it('runs on Node.js 24 on arm64', () => {
      template.hasResourceProperties('AWS::Lambda::Function', { Runtime: 'nodejs24.x', Architectures: ['arm64'], Handler: 'index.handler' });
    });

    it('has a 10 s timeout and 256 MB', () => {
      template.hasResourceProperties('AWS::Lambda::Function', { Runtime: 'nodejs24.x', Timeout: 10, MemorySize: 256 });
    });

    it('logs to its own log group', () => {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Runtime: 'nodejs24.x',
        LoggingConfig: { LogGroup: { Ref: logicalId(stack.bridge.functionLogGroup) } },
      });
    });

    it('keeps every log group for one month', () => {
      const groups = Object.values(template.findResources('AWS::Logs::LogGroup'));
      expect(groups.length).toBeGreaterThanOrEqual(2);
      for (const group of groups) expect(group.Properties.RetentionInDays).toBe(30);
    });

    it('sets exactly the environment lambda/config.ts reads', () => {
      expect(Object.keys(functionEnv()).sort()).toEqual(
        [
          'CALLBACK_URL',
          'COGNITO_DOMAIN_URL',
          'NODE_OPTIONS',
          'OIDC_CLIENT_ID',
          'OIDC_CLIENT_SECRET_ID',
          'OIDC_ISSUER',
          'POWERTOOLS_LOG_LEVEL',
          'POWERTOOLS_SERVICE_NAME',
          'POWERTOOLS_TRACER_CAPTURE_ERROR',
          'POWERTOOLS_TRACER_CAPTURE_RESPONSE',
          'POWERTOOLS_METRICS_NAMESPACE',
          'SEND_EMAIL',
          'STATE_KEY_SECRET_ID',
          'TWENTYTHREE_SECRET_ID',
          'TWENTYTHREE_TIMEOUT_MS',
          'TWENTYTHREE_URL',
        ].sort(),
      );
    });

    it('points the environment at the site, the pool, the client, the callback and the three secrets', () => {
      const bridge = stack.bridge;
      expect(functionEnv()).toEqual({
        TWENTYTHREE_URL: SITE,
        TWENTYTHREE_SECRET_ID: { Ref: logicalId(bridge.twentyThreeSecret) },
        TWENTYTHREE_TIMEOUT_MS: '5000',
        OIDC_ISSUER: {
          'Fn::Join': ['', ['https://cognito-idp.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }, '/', { Ref: logicalId(bridge.userPool) }]],
        },
        OIDC_CLIENT_ID: { Ref: logicalId(bridge.userPoolClient) },
        OIDC_CLIENT_SECRET_ID: { Ref: logicalId(bridge.clientSecret) },
        COGNITO_DOMAIN_URL: {
          'Fn::Join': ['', ['https://', { Ref: logicalId(bridge.userPoolDomain!) }, '.auth.', { Ref: 'AWS::Region' }, '.amazoncognito.com']],
        },
        CALLBACK_URL: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalId(bridge.api), 'ApiEndpoint'] }, '/callback']] },
        STATE_KEY_SECRET_ID: { Ref: logicalId(bridge.stateKeySecret) },
        SEND_EMAIL: 'verified',
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: 'twentythree-sso',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
        POWERTOOLS_TRACER_CAPTURE_ERROR: 'false',
        POWERTOOLS_METRICS_NAMESPACE: 'TwentyThreeSso',
      });
    });

    it("sets an environment the function's own config parser accepts once deployed", () => {
      const types = Object.fromEntries(Object.entries(json.Resources).map(([id, r]) => [id, r.Type]));
      const env = Object.fromEntries(Object.entries(functionEnv()).map(([k, v]) => [k, fakeResolve(v as never, { types })]));
      const config = loadConfig(env);
      expect(config.callbackUrl).toBe('https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/callback');
      expect(config.oidcIssuer).toBe('https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123xyz');
      expect(config.accessPolicy).toEqual({ allowedGroups: [], allowedEmailDomains: [], sendEmail: 'verified' });
    });
  });

  describe('Bundle', () => {
    function bundleDir(): string {
      const asset = stack.bridge.handler.node.findChild('Code') as unknown as { assetPath?: string };
      const dir = asset.assetPath ?? '';
      return join(assembly.directory, dir);
    }

    it('is one minified ESM file with a source map and the createRequire banner', () => {
      const files = readdirSync(bundleDir()).sort();
      expect(files).toEqual(['index.mjs', 'index.mjs.map']);
      const code = readFileSync(join(bundleDir(), 'index.mjs'), 'utf8');
      expect(code.startsWith(ESM_REQUIRE_BANNER)).toBe(true);
      // Minified: a few very long lines, not thousands of short ones.
      expect(code.split('\n').length).toBeLessThan(200);
    });

    it('contains the AWS SDK instead of relying on the runtime copy', () => {
      const code = readFileSync(join(bundleDir(), 'index.mjs'), 'utf8');
      expect(code).not.toMatch(/from\s*["']@aws-sdk\//);
      expect(code).toContain('GetSecretValue');
    });

    it('loads on Node.js 24 with the environment the stack sets', async () => {
      const types = Object.fromEntries(Object.entries(json.Resources).map(([id, r]) => [id, r.Type]));
      const env = Object.fromEntries(Object.entries(functionEnv()).map(([k, v]) => [k, fakeResolve(v as never, { types })]));
      const url = pathToFileURL(join(bundleDir(), 'index.mjs')).href;
      const script = `const m = await import(${JSON.stringify(url)}); if (typeof m.handler !== 'function') process.exit(3);`;
      const { stderr } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
        env: { PATH: process.env.PATH, AWS_REGION: 'eu-west-1', ...env },
        timeout: 20_000,
      });
      expect(stderr).toBe('');
    });
  });

  describe('IAM', () => {
    function roleStatements(): Array<{ Action: string | string[]; Resource: unknown; Effect: string }> {
      const roleId = logicalId(stack.bridge.functionRole);
      return Object.values(template.findResources('AWS::IAM::Policy'))
        .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
        .flatMap((p) => p.Properties.PolicyDocument.Statement);
    }
    const actionsOf = (s: { Action: string | string[] }): string[] => (Array.isArray(s.Action) ? s.Action : [s.Action]);

    it('gives the function role no AWS managed policy', () => {
      const role = json.Resources[logicalId(stack.bridge.functionRole)]!;
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    });

    it('scopes every Secrets Manager action to exactly the three secrets', () => {
      const bridge = stack.bridge;
      const expected = [bridge.twentyThreeSecret, bridge.clientSecret, bridge.stateKeySecret].map((s) => ({ Ref: logicalId(s) }));
      const secretStatements = roleStatements().filter((s) => actionsOf(s).some((a) => a.startsWith('secretsmanager:')));
      expect(secretStatements.length).toBeGreaterThan(0);
      const resources = secretStatements.flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]));
      expect(resources).toHaveLength(3);
      expect(resources).toEqual(expect.arrayContaining(expected));
      for (const s of secretStatements) expect(actionsOf(s).sort()).toEqual(['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue']);
    });

    it('allows the function nothing but reading its secrets and writing its own log group', () => {
      const allowed = new Set(['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret', 'logs:CreateLogStream', 'logs:PutLogEvents']);
      for (const s of roleStatements()) {
        expect(s.Effect).toBe('Allow');
        for (const action of actionsOf(s)) expect(allowed.has(action)).toBe(true);
      }
      const logStatements = roleStatements().filter((s) => actionsOf(s).some((a) => a.startsWith('logs:')));
      expect(logStatements.map((s) => s.Resource)).toEqual([{ 'Fn::GetAtt': [logicalId(stack.bridge.functionLogGroup), 'Arn'] }]);
    });

    it("has no '*' in any action or resource of the function role", () => {
      expect(JSON.stringify(roleStatements())).not.toContain('*');
    });
  });

  describe('Cognito', () => {
    it('creates a user pool without self sign-up, signing in by e-mail', () => {
      template.hasResourceProperties('AWS::Cognito::UserPool', {
        AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
        UsernameAttributes: ['email'],
        AutoVerifiedAttributes: ['email'],
      });
    });

    it('requires long, mixed passwords and an authenticator app', () => {
      template.hasResourceProperties('AWS::Cognito::UserPool', {
        Policies: {
          PasswordPolicy: { MinimumLength: 12, RequireLowercase: true, RequireUppercase: true, RequireNumbers: true, RequireSymbols: true },
        },
        MfaConfiguration: 'ON',
        EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      });
    });

    it('gives the pool a managed-login domain with the prefix derived from the site', () => {
      template.hasResourceProperties('AWS::Cognito::UserPoolDomain', {
        Domain: defaultDomainPrefix(SITE, stack.bridge.node.path),
        ManagedLoginVersion: 2,
        UserPoolId: { Ref: logicalId(stack.bridge.userPool) },
      });
    });

    it("creates Cognito's default managed-login branding for the app client", () => {
      template.hasResourceProperties('AWS::Cognito::ManagedLoginBranding', {
        ClientId: { Ref: logicalId(stack.bridge.userPoolClient) },
        UseCognitoProvidedValues: true,
      });
    });

    it('allows the app client only the authorization-code grant', () => {
      template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
        AllowedOAuthFlowsUserPoolClient: true,
        AllowedOAuthFlows: ['code'],
        AllowedOAuthScopes: ['openid', 'email', 'profile'],
      });
    });

    it("registers the API's /callback as the only callback URL and the site as the logout URL", () => {
      template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
        CallbackURLs: [{ 'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalId(stack.bridge.api), 'ApiEndpoint'] }, '/callback']] }],
        LogoutURLs: [`${SITE}/`],
      });
    });

    it('makes the client confidential, revocable and silent about unknown users', () => {
      template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
        GenerateSecret: true,
        EnableTokenRevocation: true,
        PreventUserExistenceErrors: 'ENABLED',
        SupportedIdentityProviders: ['COGNITO'],
      });
    });

    it('issues tokens for the shortest time Cognito allows', () => {
      template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
        IdTokenValidity: 5,
        AccessTokenValidity: 5,
        RefreshTokenValidity: 60,
        TokenValidityUnits: { IdToken: 'minutes', AccessToken: 'minutes', RefreshToken: 'minutes' },
      });
    });
  });

  describe('Secrets', () => {
    it('creates three secrets', () => {
      template.resourceCountIs('AWS::SecretsManager::Secret', 3);
    });

    it('creates the TwentyThree secret with the four empty credential fields and keeps it when removed', () => {
      const secret = json.Resources[logicalId(stack.bridge.twentyThreeSecret)]!;
      expect(JSON.parse(secret.Properties.GenerateSecretString.SecretStringTemplate)).toEqual({
        consumer_key: '',
        consumer_secret: '',
        access_token: '',
        access_token_secret: '',
      });
      expect(secret.Properties.SecretString).toBeUndefined();
      expect(secret.DeletionPolicy).toBe('Retain');
    });

    it('copies the client secret from Cognito at deploy time, through the custom resource', () => {
      const describeId = only('Custom::DescribeCognitoUserPoolClient');
      template.hasResourceProperties('AWS::SecretsManager::Secret', {
        SecretString: { 'Fn::GetAtt': [describeId, 'UserPoolClient.ClientSecret'] },
      });
    });

    it('never logs the client secret while copying it', () => {
      const describe = Object.values(template.findResources('Custom::DescribeCognitoUserPoolClient'))[0]!;
      expect(JSON.stringify(describe.Properties.Create)).toContain('\\"logApiResponseData\\":false');
    });

    it('generates a 64-character state-cookie key without punctuation', () => {
      template.hasResourceProperties('AWS::SecretsManager::Secret', {
        GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true, IncludeSpace: false },
      });
    });
  });

  describe('Alarms', () => {
    it('alarms on any function error', () => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId(stack.bridge.handler) } }],
      });
    });

    it('alarms on API 5xx answers', () => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/ApiGateway',
        MetricName: '5xx',
        Threshold: 5,
        Dimensions: [{ Name: 'ApiId', Value: { Ref: logicalId(stack.bridge.api) } }],
      });
    });

    it('alarms on any function throttle', () => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'AWS/Lambda', MetricName: 'Throttles', Threshold: 1 });
    });

    it("alarms on any rejected ID token, with exactly the dimensions the function's metrics carry", () => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'TwentyThreeSso',
        MetricName: 'ErrorPage',
        Statistic: 'Sum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Dimensions: [
          { Name: 'code', Value: 'id_token_invalid' },
          { Name: 'service', Value: 'twentythree-sso' },
        ],
      });
      // The function names its service and namespace the same way (see test/lambda/app.test.ts › Metrics).
      expect(functionEnv()).toMatchObject({ POWERTOOLS_SERVICE_NAME: 'twentythree-sso', POWERTOOLS_METRICS_NAMESPACE: 'TwentyThreeSso' });
    });

    it('treats no traffic as no alarm', () => {
      for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm'))) {
        expect(alarm.Properties.TreatMissingData).toBe('notBreaching');
      }
    });
  });

  describe('Outputs', () => {
    const endpoint = (): unknown => ({ 'Fn::GetAtt': [logicalId(stack.bridge.api), 'ApiEndpoint'] });

    it('prints the /login URL for TwentyThree', () => {
      template.hasOutput('LoginUrl', { Value: { 'Fn::Join': ['', [endpoint(), '/login']] } });
    });

    it('prints the /logout URL for TwentyThree', () => {
      template.hasOutput('LogoutUrl', { Value: { 'Fn::Join': ['', [endpoint(), '/logout']] } });
    });

    it("prints the TwentyThree secret's name, the Cognito domain and the user pool id", () => {
      template.hasOutput('TwentyThreeSecretName', { Value: Match.objectLike({ 'Fn::Join': Match.anyValue() }) });
      expect(JSON.stringify(json.Outputs.TwentyThreeSecretName!.Value)).toContain(logicalId(stack.bridge.twentyThreeSecret));
      template.hasOutput('CognitoDomain', { Value: functionEnv().COGNITO_DOMAIN_URL });
      template.hasOutput('UserPoolId', { Value: { Ref: logicalId(stack.bridge.userPool) } });
    });

    it('prints the put-secret-value command with placeholders, not values', () => {
      const value = JSON.stringify(json.Outputs.NextStep!.Value);
      expect(value).toContain('aws secretsmanager put-secret-value --secret-id ');
      expect(value).toContain(`{"Ref":"${logicalId(stack.bridge.twentyThreeSecret)}"}`);
      expect(value).toContain('\\"consumer_key\\":\\"...\\",\\"consumer_secret\\":\\"...\\"');
    });
  });

  describe('No secret in the template', () => {
    it('has no secret value anywhere in the synthesized template', () => {
      expect(findSecretLeaks(json)).toEqual([]);
    });
  });

  describe('Checks', () => {
    it('passes cdk-nag AwsSolutions with no unacknowledged error or warning', () => {
      const report = new AwsSolutionsChecks().validateScope(stack);
      expect(report.violations.map((v) => `${v.severity} ${v.ruleName} ${v.violatingResources.map((r) => r.constructPath)}`)).toEqual([]);
    });

    it('gives every acknowledged finding a real reason', () => {
      const acknowledged: Array<[string, string]> = [];
      const visit = (node: IConstruct): void => {
        for (const entry of node.node.metadata) {
          if (entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY) acknowledged.push(...Object.entries(entry.data as Record<string, string>));
        }
        node.node.children.forEach(visit);
      };
      visit(stack);
      expect(acknowledged.map(([id]) => id.replace(/^annotation::/i, '')).sort()).toEqual(
        [
          'AwsSolutions-APIG4',
          'AwsSolutions-COG8',
          'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
          'AwsSolutions-SMG4',
          'AwsSolutions-SMG4',
          'AwsSolutions-SMG4',
        ].sort(),
      );
      for (const [, reason] of acknowledged) expect(reason.length).toBeGreaterThan(80);
    });

    it('raises no CDK error or warning annotation', () => {
      const messages = assembly.getStackArtifact(stack.artifactId).messages.filter((m) => m.level !== 'info');
      expect(messages.map((m) => `${m.id}: ${String(m.entry.data)}`)).toEqual([]);
    });

    it("passes CDK's built-in CloudFormation validation", () => {
      const report = join(assembly.directory, 'validation-report.json');
      expect(existsSync(report)).toBe(true);
      expect((JSON.parse(readFileSync(report, 'utf8')) as { pluginReports: unknown[] }).pluginReports).toEqual([]);
    });
  });
});
