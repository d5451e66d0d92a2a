import { App, Aspects } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readDeploymentSettings } from '../../infra/cdk/settings';
import { IntegrationStack } from '../../infra/cdk/stack';
import { removeTempDirs, synthesize, tempDir, tenantEntry } from './support';

afterAll(removeTempDirs);

const AWS_SOLUTIONS = Match.stringLikeRegexp('AwsSolutions-.*');

const configurations: [string, Record<string, unknown>][] = [
  ['no tenant in the context (the usual case: tenants live in the registry)', {}],
  ['a worker concurrency of 50', { workerConcurrency: 50 }],
  [
    'two tenants with stock, journal and different webhook headers',
    {
      tenants: [
        tenantEntry('shop-a', 1, { baselinker: { inventoryId: 1, orderStatusIds: [1], journal: true }, stock: { enabled: true, warehouseKey: 'bl_9' } }),
        tenantEntry('shop-b', 2, { shipment: { webhookHeader: 'x-auth-token' }, articles: { enabled: false } }),
      ],
      alarmEmail: 'ops@example.com',
      labelsVersioning: true,
    },
  ],
];

describe('cdk-nag AwsSolutions', () => {
  it.each(configurations)('finds no unsuppressed error or warning with %s', (_name, context) => {
    const { stack } = synthesize(context);
    const annotations = Annotations.fromStack(stack);
    expect(annotations.findError('*', AWS_SOLUTIONS).map((e) => `${e.id}: ${e.entry.data}`)).toEqual([]);
    expect(annotations.findWarning('*', AWS_SOLUTIONS).map((e) => `${e.id}: ${e.entry.data}`)).toEqual([]);
  });

  it('really runs: the same stack without the accepted findings reports errors', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, outdir: tempDir() });
    const stack = new IntegrationStack(app, 'Bare', { settings: readDeploymentSettings(app.node) });
    Aspects.of(app).add(new AwsSolutionsChecks());
    app.synth();
    const ids = new Set(Annotations.fromStack(stack).findError('*', AWS_SOLUTIONS).map((e) => String(e.entry.data).split(':')[0].replace(/\[.*$/, '')));
    expect([...ids].sort()).toEqual(['AwsSolutions-APIG2', 'AwsSolutions-APIG4', 'AwsSolutions-APIG6', 'AwsSolutions-COG4', 'AwsSolutions-IAM5', 'AwsSolutions-L1', 'AwsSolutions-S1', 'AwsSolutions-SQS3']);
  });

  it('gives every suppression a written reason and never suppresses a wildcard beyond labels/ and the tenant secrets prefix', () => {
    const { template } = synthesize();
    const suppressions = Object.values(template.toJSON().Resources as Record<string, { Metadata?: { cdk_nag?: { rules_to_suppress?: { id: string; reason: string; applies_to?: string[] }[] } } }>)
      .flatMap((r) => r.Metadata?.cdk_nag?.rules_to_suppress ?? []);
    expect(suppressions.length).toBeGreaterThan(0);
    for (const s of suppressions) expect(s.reason.length).toBeGreaterThan(60);
    const iam5 = suppressions.filter((s) => s.id === 'AwsSolutions-IAM5');
    const allowed = /^Resource::(<Labels[0-9A-F]+\.Arn>\/labels\/\*|arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:ongoing-baselinker\/\*)$/;
    const applied = iam5.flatMap((s) => s.applies_to ?? ['(all)']);
    expect(applied.filter((a) => !allowed.test(a))).toEqual([]);
    expect(applied.length).toBeGreaterThan(0);
  });
});
