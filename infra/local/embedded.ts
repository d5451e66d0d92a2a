import { resolve } from 'node:path';
import { createDynamoDocumentClient, createS3Client, resetAwsClients } from '../../shared/aws/clients';
import { ensureBucket } from '../../shared/labels';
import { ensureTable } from '../../shared/state';
import { readRunningEmulators, startAwsEmulators } from '../emulators';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';

/** Names the local host and the CLI use for their embedded table and bucket. */
export const LOCAL_TABLE = 'ongoing-baselinker';
export const LOCAL_BUCKET = 'ongoing-baselinker-labels';

export interface EmbeddedState {
  dataDir: string;
  tableName: string;
  labelsBucket: string;
  dynamo: DynamoDBDocumentClient;
  s3: S3Client;
  /** Where state lives, for a start-up line. */
  description: string;
  /** True when this process started the stores (and so must stop them). */
  owner: boolean;
  stop(): Promise<void>;
}

/**
 * The embedded DynamoDB- and S3-compatible stores under DATA_DIR, so state and labels survive between runs.
 * When `npm start` already serves this folder, a CLI command uses its stores rather than opening the folder
 * twice (the embedded database allows one owner).
 */
export async function openEmbeddedState(dataDir: string, options: { tableName?: string; labelsBucket?: string } = {}): Promise<EmbeddedState> {
  const dir = resolve(dataDir);
  const tableName = options.tableName ?? LOCAL_TABLE;
  const labelsBucket = options.labelsBucket ?? LOCAL_BUCKET;
  const running = readRunningEmulators(dir);
  let env = running?.env;
  let stopEmulators: (() => Promise<void>) | undefined;
  let description: string;
  if (running) {
    description = `state in ${dir} (served by the running local host, process ${running.pid})`;
  } else {
    const emulators = await startAwsEmulators({ dataDir: dir });
    env = emulators.env;
    stopEmulators = emulators.stop;
    description = `state in ${dir} (${emulators.description})`;
  }
  // The SDK reads endpoints and credentials from the environment; every client made after this uses them.
  Object.assign(process.env, env);
  resetAwsClients();
  const dynamo = createDynamoDocumentClient({ endpoint: env!.AWS_ENDPOINT_URL_DYNAMODB, region: env!.AWS_REGION });
  const s3 = createS3Client({ endpoint: env!.AWS_ENDPOINT_URL_S3, region: env!.AWS_REGION });
  await ensureTable(dynamo, tableName);
  await ensureBucket(s3, labelsBucket);
  return {
    dataDir: dir,
    tableName,
    labelsBucket,
    dynamo,
    s3,
    description,
    owner: Boolean(stopEmulators),
    stop: async () => {
      dynamo.destroy();
      s3.destroy();
      await stopEmulators?.();
    },
  };
}
