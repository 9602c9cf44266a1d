// The stack outputs the platform team needs after `cdk deploy`: what to paste into TwentyThree and
// how to fill the credentials secret. Ids and URLs only, never a secret value.
import { CfnOutput, Fn } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { TWENTYTHREE_SECRET_TEMPLATE } from '../defaults.js';

export interface OutputValues {
  readonly loginUrl: string;
  readonly logoutUrl: string;
  readonly twentyThreeSecretName: string;
  readonly twentyThreeSecretId: string;
  readonly cognitoDomainUrl: string;
  readonly userPoolId: string;
}

/** The put-secret-value command with placeholders where the operator types the values. */
export function nextStepHint(secretId: string): string {
  const shape = JSON.stringify(Object.fromEntries(Object.keys(TWENTYTHREE_SECRET_TEMPLATE).map((key) => [key, '...'])));
  return Fn.join('', [
    'Fill the TwentyThree credentials: aws secretsmanager put-secret-value --secret-id ',
    secretId,
    ` --secret-string '${shape}' ; then enter LoginUrl and LogoutUrl in the TwentyThree site's single sign-on settings.`,
  ]);
}

/** Adds the outputs under fixed names (LoginUrl, …) so README and scripts can rely on them: one bridge per stack. */
export function addOutputs(scope: Construct, values: OutputValues): void {
  const outputs: Array<[string, string, string]> = [
    ['LoginUrl', values.loginUrl, "TwentyThree security settings, Single sign-on: the remote log-in page."],
    ['LogoutUrl', values.logoutUrl, "TwentyThree security settings, Single sign-on: the log-out link."],
    ['TwentyThreeSecretName', values.twentyThreeSecretName, 'Secrets Manager secret holding the TwentyThree OAuth credentials.'],
    ['CognitoDomain', values.cognitoDomainUrl, 'Cognito managed-login domain people sign in at.'],
    ['UserPoolId', values.userPoolId, 'Cognito user pool people sign in with.'],
    ['NextStep', nextStepHint(values.twentyThreeSecretId), 'What to do after the first deployment.'],
  ];
  for (const [id, value, description] of outputs) {
    new CfnOutput(scope, id, { value, description }).overrideLogicalId(id);
  }
}
