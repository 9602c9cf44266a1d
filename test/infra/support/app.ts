// Builds CDK apps for the infra tests with the same feature flags as cdk.json, so tests see what
// `cdk synth` produces. Bundling and CloudFormation's own validation are opt-in: both are slow.
import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';

const CDK_JSON = new URL('../../../cdk.json', import.meta.url);

/** The `context` block of cdk.json (feature flags). */
export function cdkJsonContext(): Record<string, unknown> {
  return (JSON.parse(readFileSync(CDK_JSON, 'utf8')) as { context: Record<string, unknown> }).context;
}

export interface TestAppOptions {
  /** Run esbuild for NodejsFunction assets (seconds per function). @default false */
  readonly bundle?: boolean;
  /** Run CDK's built-in CloudFormation template validation at synth (seconds). @default false */
  readonly cloudFormationValidation?: boolean;
  readonly context?: Record<string, unknown>;
}

export function testApp(options: TestAppOptions = {}): App {
  return new App({
    builtinCloudFormationValidation: options.cloudFormationValidation ?? false,
    context: {
      ...cdkJsonContext(),
      // An empty list skips asset bundling for every stack (the documented CDK switch).
      ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
      ...options.context,
    },
  });
}
