import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { createDynamoDocumentClient, createS3Client } from '../../shared/aws/clients';
import { loadRuntime, type Env } from '../../shared/config';
import { openEmbeddedState } from '../local/embedded';
import { CliError } from './errors';

/** The table the CLI reads and writes; tests inject their own (a fresh emulator table). */
export interface CliStateInput {
  tableName: string;
  dynamo: DynamoDBDocumentClient;
  /** Only `send` needs labels. */
  labelsBucket?: string;
  s3?: S3Client;
  description?: string;
}

export interface CliState extends CliStateInput {
  description: string;
  close(): Promise<void>;
}

export type StateMode = 'auto' | 'aws' | 'local';

/**
 * Where the state is, by the rule the help text states: `--aws` (or TABLE_NAME set without a DynamoDB
 * endpoint override) means the deployed table through the default AWS credentials chain, and no emulator
 * is ever started then; otherwise the embedded stores under DATA_DIR, shared with a running `npm start`.
 */
export function chooseMode(requested: StateMode, env: Env): 'aws' | 'local' {
  if (requested !== 'auto') return requested;
  const set = (name: string) => Boolean(env[name]?.trim());
  return set('TABLE_NAME') && !set('AWS_ENDPOINT_URL_DYNAMODB') ? 'aws' : 'local';
}

export async function openCliState(requested: StateMode, env: Env): Promise<CliState> {
  const runtime = loadRuntime(env);
  if (chooseMode(requested, env) === 'aws') {
    if (!runtime.tableName) {
      throw new CliError('--aws needs TABLE_NAME: the name of the deployed state table (an output of the CDK stack)');
    }
    // Default credentials chain and region (AWS_PROFILE, SSO, env keys, instance role...).
    const dynamo = createDynamoDocumentClient();
    const s3 = runtime.labelsBucket ? createS3Client() : undefined;
    const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
    return {
      tableName: runtime.tableName,
      dynamo,
      labelsBucket: runtime.labelsBucket,
      s3,
      description: `AWS DynamoDB table ${runtime.tableName}${region ? ` in ${region}` : ''}`,
      close: async () => {
        dynamo.destroy();
        s3?.destroy();
      },
    };
  }
  const embedded = await openEmbeddedState(runtime.dataDir, { tableName: runtime.tableName, labelsBucket: runtime.labelsBucket });
  return {
    tableName: embedded.tableName,
    dynamo: embedded.dynamo,
    labelsBucket: embedded.labelsBucket,
    s3: embedded.s3,
    description: embedded.description,
    close: () => embedded.stop(),
  };
}

/** Wraps injected state so the CLI never closes what it did not open. */
export function injectedState(input: CliStateInput): CliState {
  return { ...input, description: input.description ?? `table ${input.tableName}`, close: async () => undefined };
}
