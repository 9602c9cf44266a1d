// The CDK app: reads the context (see lib/context.ts), builds the stack, and runs cdk-nag's AwsSolutions
// checks on it. A missing or malformed setting prints one sentence and exits 1, without a stack trace.
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readBridgeContext } from '../lib/context.js';
import { TwentyThreeSsoStack } from '../lib/twentythree-sso-stack.js';
import { BridgeConfigError } from '../lib/validation.js';

const app = new App();
try {
  const { stackName, stackProps } = readBridgeContext((key) => app.node.tryGetContext(key));
  // Environment-agnostic on purpose: synth needs no AWS credentials and no lookups.
  new TwentyThreeSsoStack(app, stackName, stackProps);
} catch (error) {
  if (!(error instanceof BridgeConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}
// cdk-nag v3 is a policy-validation plugin: findings fail `cdk synth` unless acknowledged with a reason.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
