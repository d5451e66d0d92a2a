import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../infra/cdk/constructs/flow-function';
import { removeTempDirs, tempDir, tenantEntry } from './support';

afterAll(removeTempDirs);

/**
 * Runs cdk.json's "app" command the way `cdk synth` does (context in CDK_CONTEXT_JSON, output dir in
 * CDK_OUTDIR), offline, with real esbuild bundling: no CLI, no Docker, no AWS credentials.
 */
function runApp(context: Record<string, unknown>) {
  const outdir = tempDir('ob-cdk-app-');
  const { app } = JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')) as { app: string };
  const result = spawnSync(app, {
    shell: true,
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 400_000,
    env: {
      ...process.env,
      CDK_OUTDIR: outdir,
      CDK_CONTEXT_JSON: JSON.stringify(context),
      CDK_DISABLE_VERSION_CHECK: '1',
      CDK_DISABLE_CLI_TELEMETRY: '1',
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
    },
  });
  return { ...result, outdir };
}

type Manifest = { artifacts: Record<string, { type: string; metadata?: Record<string, { type: string; data: unknown }[]> }> };

describe('the CDK app (cdk.json "app")', () => {
  jest.setTimeout(420_000);
  it('synthesizes offline with every function bundled by esbuild, SDK inside, and no cdk-nag error', () => {
    const run = runApp({});
    expect(run.status).toBe(0);

    const manifest = JSON.parse(readFileSync(join(run.outdir, 'manifest.json'), 'utf8')) as Manifest;
    const entries = Object.values(manifest.artifacts.OngoingBaseLinker.metadata ?? {}).flat();
    expect(entries.filter((e) => e.type === 'aws:cdk:error').map((e) => e.data)).toEqual([]);

    const template = JSON.parse(readFileSync(join(run.outdir, 'OngoingBaseLinker.template.json'), 'utf8'));
    const functions = Object.values(template.Resources as Record<string, any>).filter((r) => r.Type === 'AWS::Lambda::Function');
    // Per scheduled flow a dispatcher and a worker, and the shipment function.
    expect(functions).toHaveLength(11);
    const bundleOf = (fn: any) => join(run.outdir, `asset.${String(fn.Properties.Code.S3Key).replace(/\.zip$/, '')}`, 'index.js');
    for (const fn of functions) {
      expect(existsSync(bundleOf(fn))).toBe(true);
      // externalModules: [] -> nothing is left to the Lambda runtime's own SDK copy.
      expect(readFileSync(bundleOf(fn), 'utf8')).not.toMatch(/require\(["']@aws-sdk\/(client|lib)-/);
    }

    // The articles worker carries the runner, the state store and the tested SDK, and stands alone: it loads
    // outside the repository and exports the Lambda handler.
    const articles = bundleOf(functions.find((fn) => String(fn.Properties.Description).startsWith('ongoing-baselinker articles-worker:')));
    expect(statSync(articles).size).toBeGreaterThan(500_000);
    expect(readFileSync(articles, 'utf8')).toContain('DynamoDBClient');
    const loaded = require(articles) as { handler?: unknown };
    expect(typeof loaded.handler).toBe('function');

    // The tracking worker's label store (with the S3 client) is a bundle of its own in the same asset, which the
    // worker requires by its first label; no other function has one. Each worker's queue (with the SQS client) is
    // one too, required on first use; the dispatchers and the webhook have none.
    const describedAs = (name: string) => functions.find((fn) => String(fn.Properties.Description).startsWith(`ongoing-baselinker ${name}:`));
    const apartOf = (fn: any, suffix: string) => bundleOf(fn).replace(/index\.js$/, `index.${suffix}.js`);
    const trackingApart = apartOf(describedAs('tracking-worker'), 'labels-s3');
    expect(readFileSync(bundleOf(describedAs('tracking-worker')), 'utf8')).toContain('require("./index.labels-s3.js")');
    expect(typeof (require(trackingApart) as { openS3LabelStore?: unknown }).openS3LabelStore).toBe('function');
    expect(functions.filter((fn) => existsSync(apartOf(fn, 'labels-s3')))).toEqual([describedAs('tracking-worker')]);
    const workers = ['articles', 'stock', 'orders', 'reconcile', 'tracking'].map((flow) => describedAs(`${flow}-worker`));
    expect(functions.filter((fn) => existsSync(apartOf(fn, 'sqs')))).toEqual(expect.arrayContaining(workers));
    expect(functions.filter((fn) => existsSync(apartOf(fn, 'sqs')))).toHaveLength(workers.length);
    expect(typeof (require(apartOf(workers[0], 'sqs')) as { openSqsRunQueue?: unknown }).openSqsRunQueue).toBe('function');
  });

  it('stops with the configuration problem, not a stack trace, when a tenant is invalid', () => {
    const run = runApp({ tenants: [tenantEntry('shop-a', 0)] });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('Invalid configuration (CDK context)');
    expect(run.stderr).toContain('tenants[0] (shop-a).ongoing.goodsOwnerId: expected a positive integer, got 0');
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(existsSync(join(run.outdir, 'manifest.json'))).toBe(false);
  });
});
