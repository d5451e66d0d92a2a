import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { AssetHashType, Aws, DockerImage, Duration, Token } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Architecture, Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { labelKey } from '../../../shared/labels';
import { DEFAULT_SECRET_PREFIX } from '../../../shared/tenants/registry';
import { LAMBDA_BUNDLING } from '../bundling';
import type { DeploymentSettings } from '../settings';

/** Repository root: function entries are given relative to it. */
export const REPO_ROOT = join(__dirname, '..', '..', '..');

/** Every DynamoDB action the state store issues (shared/state): single items and Query, nothing table-wide. */
export const STATE_TABLE_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query'] as const;

/** Labels live under one prefix (shared/labels labelKey); functions that handle labels reach only that. */
export const LABELS_PREFIX = labelKey('t', 'o', 'p', 'pdf').split('/')[0] + '/';

/** Lambda refuses environments above 4 KB (keys and values together). */
const LAMBDA_ENV_LIMIT = 4096;
/** What an unresolved token (table or bucket name) may take once deployed. */
const TOKEN_ALLOWANCE = 255;

export interface FlowFunctionProps {
  /** Names the function in descriptions and logs: a flow name or 'shipment'. */
  flow: string;
  /** Handler file, relative to the repository root. */
  entry: string;
  description: string;
  timeout: Duration;
  settings: DeploymentSettings;
  /** Reads tenant secrets (GetSecretValue under the tenants' secret prefix): workers and the shipment function. */
  readsSecrets: boolean;
  /** More variables (QUEUE_URL). No function gets a tenant list: tenants come from the registry in the table. */
  environment?: Record<string, string>;
  /** State actions beyond STATE_TABLE_ACTIONS (the dispatcher's BatchGetItem over the tenants' last runs). */
  extraStateActions?: string[];
  table: ITable;
  labelsBucket: IBucket;
  /** Grant read/write on the labels prefix (shipment, tracking). */
  labelsAccess: boolean;
  reservedConcurrency?: number;
  /** Scheduled (asynchronous) invocations: no retries, failures to this queue, ticks older than maxEventAge dropped. */
  async?: { onFailure: IQueue; maxEventAge: Duration };
}

/**
 * The function's code as infra/cdk/bundling.ts builds it (the settings the bundle benchmark measures), bundled
 * on this machine by esbuild: index.js and its source map. The asset's hash is the bundle's, so a change anywhere
 * the function imports deploys it and nothing else does. `aws:cdk:bundling-stacks` skips this as for any asset.
 */
function bundledCode(entry: string): Code {
  return Code.fromAsset(REPO_ROOT, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Part of the asset's cache key, so each entry gets its own bundle; never run (local bundling below).
      command: ['bundle-function', entry],
      image: DockerImage.fromRegistry('node:22'),
      local: {
        tryBundle(outputDir: string): boolean {
          const run = spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'infra', 'cdk', 'bundle-function.ts'), join(REPO_ROOT, entry), outputDir], {
            cwd: REPO_ROOT,
            encoding: 'utf8',
          });
          if (run.status !== 0) throw new Error(`bundling ${entry} failed: ${run.stderr || run.error?.message || `exit ${run.status}`}`);
          return true;
        },
      },
    },
  });
}

/**
 * One Lambda function of the integration: bundled and minified by esbuild with the tested SDK versions inside,
 * ARM64, Node.js 22, its own log group and its own role. The same code that hands the function a resource's name
 * (TABLE_NAME, LABELS_BUCKET, QUEUE_URL) grants exactly the access that name needs.
 */
export class FlowFunction extends Construct {
  readonly fn: LambdaFunction;
  readonly role: iam.Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: FlowFunctionProps) {
    super(scope, id);
    const { settings } = props;

    this.logGroup = new LogGroup(this, 'Logs', { retention: settings.logRetentionDays as RetentionDays });

    // Own role, not AWSLambdaBasicExecutionRole: logs go to this function's log group only.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `ongoing-baselinker ${props.flow} function`,
    });
    this.logGroup.grantWrite(this.role);

    const environment: Record<string, string> = {
      ...props.environment,
      TABLE_NAME: props.table.tableName,
      // The scheduled handler requires it even for flows that never touch labels; access is granted separately.
      LABELS_BUCKET: props.labelsBucket.bucketName,
      LOG_LEVEL: settings.logLevel,
      SERVICE_NAME: settings.serviceName,
      METRICS_NAMESPACE: settings.metricsNamespace,
      NODE_OPTIONS: LAMBDA_BUNDLING.nodeOptions,
      SET_ASIDE_RAW_DAYS: String(settings.setAsideRawDays),
    };
    checkEnvironmentSize(props.flow, environment);

    this.fn = new LambdaFunction(this, 'Function', {
      code: bundledCode(props.entry),
      handler: 'index.handler',
      description: `ongoing-baselinker ${props.flow}: ${props.description}`,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: settings.memoryMb,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      environment,
      reservedConcurrentExecutions: props.reservedConcurrency,
      ...(props.async && {
        retryAttempts: 0,
        maxEventAge: props.async.maxEventAge,
        onFailure: new SqsDestination(props.async.onFailure),
      }),
    });

    this.grantState(props.table, props.extraStateActions ?? []);
    if (props.readsSecrets) this.grantSecrets();
    if (props.labelsAccess) this.grantLabels(props.labelsBucket);
  }

  private grantState(table: ITable, extra: readonly string[]): void {
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'StateTable', actions: [...STATE_TABLE_ACTIONS, ...extra], resources: [table.tableArn] }),
    );
  }

  private grantSecrets(): void {
    // GetSecretValue only, under the tenants' prefix: tenants are added at run time (the registry), so their
    // secrets cannot be listed at synth time; nothing outside the prefix is readable.
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'TenantSecrets', actions: ['secretsmanager:GetSecretValue'], resources: [TENANT_SECRETS_ARN] }));
  }

  private grantLabels(bucket: IBucket): void {
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'LabelsObjects', actions: ['s3:GetObject', 's3:PutObject'], resources: [bucket.arnForObjects(`${LABELS_PREFIX}*`)] }),
    );
    // Without ListBucket, S3 answers 403 instead of 404 for a missing key and LabelStore.exists could not tell.
    // No s3:prefix condition: HeadObject/GetObject requests carry no prefix key, so a condition would never match.
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'LabelsList', actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }));
  }
}

/** Every tenant secret of this account and region: `ongoing-baselinker/<tenant>` plus Secrets Manager's 6-character suffix. */
export const TENANT_SECRETS_ARN = `arn:${Aws.PARTITION}:secretsmanager:${Aws.REGION}:${Aws.ACCOUNT_ID}:secret:${DEFAULT_SECRET_PREFIX}*`;

function checkEnvironmentSize(flow: string, environment: Record<string, string>): void {
  const size = Object.entries(environment).reduce(
    (total, [key, value]) => total + key.length + (Token.isUnresolved(value) ? TOKEN_ALLOWANCE : Buffer.byteLength(value, 'utf8')),
    0,
  );
  if (size > LAMBDA_ENV_LIMIT) {
    throw new Error(
      `The ${flow} function's environment would be about ${size} bytes, over Lambda's 4 KB limit.`,
    );
  }
}
