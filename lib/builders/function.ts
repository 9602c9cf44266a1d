// Builds the bridge function: lambda/handler.ts bundled by the project's own esbuild (no Docker) into
// one minified ESM file with the AWS SDK inside, on Node.js 24 / arm64, with its own role and log group.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { DEFAULTS } from '../defaults.js';

const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The Lambda entry: lambda/handler.ts exports `handler`. */
export const HANDLER_ENTRY = join(PROJECT_ROOT, 'lambda', 'handler.ts');

/**
 * CommonJS dependencies inside an ESM bundle call `require`, which ESM lacks: give them one.
 * (An alias, so the bundle's own `createRequire` imports cannot clash with it.)
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __bridgeCreateRequire } from 'node:module'; const require = __bridgeCreateRequire(import.meta.url);";

export interface FunctionOptions {
  /** Environment exactly as lambda/config.ts reads it: ids and URLs only, never a secret value. */
  readonly environment: Record<string, string>;
  /** The only secrets the function may read. */
  readonly secrets: readonly ISecret[];
  readonly logRetention: RetentionDays;
  /** X-Ray active tracing (timings only). */
  readonly tracing: boolean;
}

export interface BuiltFunction {
  readonly handler: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;
}

export function buildFunction(scope: Construct, options: FunctionOptions): BuiltFunction {
  const logGroup = new LogGroup(scope, 'FunctionLogs', {
    retention: options.logRetention,
    removalPolicy: DEFAULTS.logRemovalPolicy,
  });
  // An explicit role instead of AWSLambdaBasicExecutionRole: write to its own log group, read its own secrets.
  const role = new Role(scope, 'FunctionRole', {
    assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
    description: 'TwentyThree SSO bridge function: its own log group and secrets only.',
  });
  logGroup.grantWrite(role);
  for (const secret of options.secrets) secret.grantRead(role);

  const handler = new NodejsFunction(scope, 'Function', {
    description: 'TwentyThree SSO bridge: /login, /callback, /logout',
    entry: HANDLER_ENTRY,
    handler: 'handler',
    projectRoot: PROJECT_ROOT,
    depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
    runtime: Runtime.NODEJS_24_X,
    architecture: Architecture.ARM_64,
    timeout: DEFAULTS.functionTimeout,
    memorySize: DEFAULTS.functionMemoryMb,
    role,
    logGroup,
    tracing: options.tracing ? Tracing.ACTIVE : Tracing.DISABLED,
    environment: {
      ...options.environment,
      // Responses carry the one-time TwentyThree token and errors may quote input: a Powertools tracer,
      // if one is ever added, must record neither.
      POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
      POWERTOOLS_TRACER_CAPTURE_ERROR: 'false',
    },
    bundling: {
      format: OutputFormat.ESM,
      minify: true,
      sourceMap: true,
      // Stack traces need the mappings, not a second copy of every source file.
      sourcesContent: false,
      // Bundle everything, the AWS SDK included: one pinned version, no dependence on the runtime's copy.
      externalModules: [],
      banner: ESM_REQUIRE_BANNER,
      mainFields: ['module', 'main'],
      logLevel: LogLevel.WARNING,
    },
  });
  return { handler, role, logGroup };
}
