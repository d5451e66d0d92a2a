import type { CfnElement } from 'aws-cdk-lib';
import { NagSuppressions, type NagPackSuppression } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { DEFAULT_SECRET_PREFIX } from '../../shared/tenants/registry';
import { LABELS_PREFIX } from './constructs/flow-function';
import type { IntegrationStack } from './stack';

/**
 * The cdk-nag AwsSolutions findings this stack accepts on purpose, each with its reason. Anything not listed
 * here stays an error and fails `cdk synth`. Suppressions are attached to the exact resources (and, for
 * wildcards, the exact resource string), never stack-wide, so a new resource is checked in full.
 */
export function suppressAcceptedFindings(stack: IntegrationStack): void {
  const suppress = (construct: IConstruct, suppressions: NagPackSuppression[]) => NagSuppressions.addResourceSuppressions(construct, suppressions, true);

  for (const flow of [...stack.flowFunctions.values(), stack.shipment]) {
    suppress(flow.fn, [
      {
        id: 'AwsSolutions-L1',
        reason:
          'Pinned to Node.js 22 (nodejs22.x, in AWS support): the project is built and tested for Node 22 and 20; a runtime upgrade is a deliberate, tested change, not a synth-time default.',
      },
    ]);
  }

  const labelsObjects = `Resource::<${stack.getLogicalId(stack.labelsBucket.node.defaultChild as CfnElement)}.Arn>/${LABELS_PREFIX}*`;
  const tenantSecrets = `Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:${DEFAULT_SECRET_PREFIX}*`;
  for (const flow of [...stack.flowFunctions.values(), stack.shipment]) {
    if (!flow.role.node.tryFindChild('DefaultPolicy')) continue;
    suppress(flow.role, [
      {
        id: 'AwsSolutions-IAM5',
        reason: `Label keys (${LABELS_PREFIX}<tenant>/<order>/<package>.<ext>) are known only at run time; the wildcard covers only the ${LABELS_PREFIX} prefix of this stack's bucket, for s3:GetObject and s3:PutObject.`,
        appliesTo: [labelsObjects],
      },
      {
        id: 'AwsSolutions-IAM5',
        reason: `Tenants are added at run time (the tenant registry), so their secrets cannot be listed in the template; the wildcard covers only secrets named ${DEFAULT_SECRET_PREFIX}<tenant>, for secretsmanager:GetSecretValue alone.`,
        appliesTo: [tenantSecrets],
      },
    ]);
  }

  suppress(stack.labelsBucket, [
    {
      id: 'AwsSolutions-S1',
      reason:
        'Only the shipment and tracking function roles can reach the labels, under one prefix; reads and writes are logged by those functions. Object-level auditing, if wanted, is CloudTrail S3 data events, rather than a second bucket of access logs about personal-data objects.',
    },
  ]);

  for (const queue of [stack.failedRuns, stack.undeliveredTicks, ...[...stack.fanOuts.values()].map((f) => f.deadLetters)]) {
    suppress(queue, [
      {
        id: 'AwsSolutions-SQS3',
        reason: 'This queue is itself a dead-letter queue (Lambda on-failure destination, EventBridge target DLQ, or a flow queue\'s redrive target); nothing consumes it automatically, so it needs no DLQ of its own. Its depth has an alarm.',
      },
    ]);
  }

  const api = stack.webhook.api;
  suppress(api, [
    {
      id: 'AwsSolutions-APIG2',
      reason:
        'Parameters are validated (the tenant path parameter and the API key are required at the gateway). The body is validated by the shipment function against Ongoing\'s payload schema (zod); a second schema in the gateway would drift from it and turn a parse detail into an unexplained 400.',
    },
    {
      id: 'AwsSolutions-APIG3',
      reason: 'Only Ongoing calls this endpoint, with a per-tenant API key (unknown keys are refused by the gateway) that is also the secret the function checks in constant time; the usage plan throttles each key. A WAF web ACL can be attached later if the endpoint is abused.',
    },
    {
      id: 'AwsSolutions-APIG6',
      reason:
        'Execution logging needs the account-wide API Gateway CloudWatch role, which this stack must not own (it is shared by every API in the account and region). Access logs record every request, and the shipment function logs each webhook it handles.',
    },
  ]);
  const webhookAuth = {
    reason:
      'Ongoing webhooks can only send a static header, so IAM, Cognito and OAuth authorizers are not options. Each tenant has its own API key in that header: the gateway refuses unknown keys before any Lambda runs, and the shipment function compares it with the route tenant\'s secret in constant time.',
  };
  suppress(api.root, [
    { id: 'AwsSolutions-APIG4', ...webhookAuth },
    { id: 'AwsSolutions-COG4', ...webhookAuth },
  ]);
}
