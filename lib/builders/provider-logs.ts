// CDK's shared AwsCustomResource provider (it copies the app client secret at deploy time) gets its own
// log group when the `useCdkManagedLogGroup` flag is on; give it the bridge's retention instead of two years.
import { Stack } from 'aws-cdk-lib';
import { CfnLogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IConstruct } from 'constructs';

/** Path id of CDK's AwsCustomResource provider function: one per stack, at the stack's root. */
export const AWS_CUSTOM_RESOURCE_PROVIDER_ID = 'AWS679f53fac002430cb0da5b7982bd2287';

/** The provider function of this stack, once something in it used an AwsCustomResource. */
export function customResourceProvider(scope: IConstruct): IConstruct | undefined {
  return Stack.of(scope).node.tryFindChild(AWS_CUSTOM_RESOURCE_PROVIDER_ID);
}

export function alignProviderLogRetention(scope: IConstruct, retention: RetentionDays): void {
  const logGroup = customResourceProvider(scope)?.node.tryFindChild('LogGroup')?.node.defaultChild;
  if (logGroup instanceof CfnLogGroup) logGroup.retentionInDays = retention;
}
