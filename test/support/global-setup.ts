import type { AwsEmulators } from '../../infra/emulators';

/**
 * Starts the AWS emulators once per jest run (DynamoDB Local when Java is there, else dynalite; s3rver; the
 * Secrets Manager fake) and puts their endpoints into process.env, which the workers inherit. The handles
 * stay on globalThis for global-teardown.ts (same process).
 */

declare global {
  var __awsEmulators: AwsEmulators | undefined;
}

interface GlobalConfigLike {
  testPathPatterns?: { patterns?: string[] } | string[];
}

/** `npx jest test/unit/...`: nothing there may touch the network, so skip the start-up. */
function onlyUnitTests(config: GlobalConfigLike | undefined): boolean {
  const raw = config?.testPathPatterns;
  const patterns = Array.isArray(raw) ? raw : (raw?.patterns ?? []);
  return patterns.length > 0 && patterns.every((p) => /(^|[\\/])test[\\/]unit([\\/]|$)/.test(p) && !p.includes('|'));
}

export default async function globalSetup(globalConfig?: GlobalConfigLike): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  if (onlyUnitTests(globalConfig)) return;
  const { javaAvailable, startAwsEmulators } = await import('../../infra/emulators');
  const java = javaAvailable();
  const emulators = await startAwsEmulators({ preferJava: true });
  if (!java) {
    process.stdout.write(`\n[emulators] java not found: the tests fell back to dynalite for DynamoDB (${emulators.dynamodb.endpoint})\n`);
  }
  Object.assign(process.env, emulators.env, { OB_TEST_DYNAMODB_KIND: emulators.dynamodb.kind });
  globalThis.__awsEmulators = emulators;
}
