import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../shared/config';
import { readDeploymentSettings, type ContextSource } from '../../infra/cdk/settings';
import { removeTempDirs, tempDir, tenantEntry } from './support';

afterAll(removeTempDirs);

const context = (values: Record<string, unknown>): ContextSource => ({ tryGetContext: (key) => values[key] });

function problemsOf(values: Record<string, unknown>, cwd?: string): string[] {
  try {
    readDeploymentSettings(context(values), cwd);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('deployment settings from CDK context', () => {
  it('needs no tenant (they live in the registry) and has sensible defaults', () => {
    const settings = readDeploymentSettings(context({}));
    expect(settings.tenants).toEqual([]);
    expect(settings).toMatchObject({ labelsExpiryDays: 90, labelsVersioning: false, logRetentionDays: 30, logLevel: 'INFO', reserveConcurrency: true, workerConcurrency: 10, webhookPath: 'webhook/ongoing', orderLagAlarmSeconds: 3600 });
    expect(settings.alarmEmail).toBeUndefined();
  });

  it('reads tenants from cdk.json context, from -c text, and from a tenants file', () => {
    const entries = [tenantEntry('shop-a', 1), tenantEntry('shop-b', 2, { secretName: 'custom/b' })];
    const fromJson = readDeploymentSettings(context({ tenants: entries }));
    const fromText = readDeploymentSettings(context({ tenants: JSON.stringify(entries) }));
    const dir = tempDir();
    writeFileSync(join(dir, 'tenants.json'), JSON.stringify(entries));
    const fromFile = readDeploymentSettings(context({ tenantsFile: 'tenants.json' }), dir);
    for (const settings of [fromJson, fromText, fromFile]) {
      expect(settings.tenants.length).toBeGreaterThan(0);
      expect(settings.tenants.map((t) => t.secretName)).toEqual(['ongoing-baselinker/shop-a', 'custom/b']);
      // Defaults applied for the stack's decisions; the input kept as written for TENANTS.
      expect(settings.tenants[0].settings.schedules.ordersMinutes).toBe(15);
      expect(settings.tenants[0].input).toEqual(tenantEntry('shop-a', 1));
    }
    expect(fromFile.tenantsSource).toContain(join(dir, 'tenants.json'));
  });

  it('turns -c text into numbers and booleans', () => {
    const settings = readDeploymentSettings(context({ labelsExpiryDays: '0', labelsVersioning: 'true', reserveConcurrency: 'false', logRetentionDays: '365', logLevel: 'debug' }));
    expect(settings).toMatchObject({ labelsExpiryDays: 0, labelsVersioning: true, reserveConcurrency: false, logRetentionDays: 365, logLevel: 'DEBUG' });
  });

  it('names every bad setting at once', () => {
    const problems = problemsOf({
      logRetentionDays: 31,
      labelsExpiryDays: -1,
      alarmEmail: 'not-an-address',
      tenants: [tenantEntry('shop-a', 1, { ongoing: { url: 'https://ongoing.example.com/x' } }), tenantEntry('Shop B', 2)],
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^context logRetentionDays: expected one of 1, 3, 5/),
        expect.stringMatching(/^context labelsExpiryDays: expected a whole number from 0 to 3650/),
        expect.stringMatching(/^context alarmEmail: expected an e-mail address/),
        expect.stringMatching(/^tenants\[0\] \(shop-a\)\.ongoing\.url: expected the Ongoing REST base URL ending in \/api\/v1/),
        expect.stringMatching(/^tenants\[1\] \(Shop B\)\.id: expected a lowercase slug/),
      ]),
    );
    expect(problems).toHaveLength(5);
  });

  it('refuses inline secrets without repeating them', () => {
    const problems = problemsOf({ tenants: [{ ...tenantEntry('shop-a', 1), secrets: { baselinkerToken: 'tok-SENTINEL-123' } }] });
    expect(problems).toEqual([expect.stringContaining('tenants[0] (shop-a).secrets: secrets do not belong in the CDK app')]);
    expect(problems.join('\n')).not.toContain('SENTINEL');
  });

  it('refuses two tenant sources, duplicate tenants and a goods owner used twice', () => {
    expect(problemsOf({ tenants: [tenantEntry('a', 1)], tenantsFile: 'x.json' })).toEqual(['context: give either "tenants" or "tenantsFile", not both']);
    expect(problemsOf({ tenants: [tenantEntry('a', 1), tenantEntry('a', 2), tenantEntry('c', 2)] })).toEqual([
      'tenants: tenant id "a" is used twice',
      'tenants: goods owner 2 is used by both "a" and "c"; the webhook finds its tenant by goods owner',
    ]);
    expect(problemsOf({ tenants: [] })).toEqual([expect.stringContaining('tenants: lists no tenant')]);
  });

  it('says which tenants file it could not read', () => {
    const dir = tempDir();
    expect(problemsOf({ tenantsFile: 'missing.json' }, dir)).toEqual([`context tenantsFile: cannot read ${join(dir, 'missing.json')} (ENOENT)`]);
    writeFileSync(join(dir, 'broken.json'), '[{');
    expect(problemsOf({ tenantsFile: 'broken.json' }, dir)).toEqual([`context tenantsFile: ${join(dir, 'broken.json')} is not valid JSON`]);
  });
});
