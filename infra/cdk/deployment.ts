import { Aspects, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { suppressAcceptedFindings } from './nag';
import { readDeploymentSettings, type DeploymentSettings } from './settings';
import { IntegrationStack } from './stack';

export const DEFAULT_STACK_NAME = 'OngoingBaseLinker';

/**
 * Puts the integration into a CDK app: settings from context, the stack, cdk-nag's AwsSolutions checks
 * (an unsuppressed finding is an error annotation, which fails `cdk synth`/`cdk deploy`) and the written
 * reasons for the findings accepted on purpose.
 */
export function defineDeployment(app: App, options: { settings?: DeploymentSettings; stackName?: string } = {}): IntegrationStack {
  const settings = options.settings ?? readDeploymentSettings(app.node);
  const stackName = options.stackName ?? (app.node.tryGetContext('stackName') as string | undefined) ?? DEFAULT_STACK_NAME;
  // Environment-agnostic: one template for any account and region (`cdk deploy` takes them from the AWS profile).
  const stack = new IntegrationStack(app, stackName, {
    settings,
    description: 'ongoing-baselinker: Ongoing WMS <-> BaseLinker integration',
  });
  suppressAcceptedFindings(stack);
  Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
  return stack;
}
