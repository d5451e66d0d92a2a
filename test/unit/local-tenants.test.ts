import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoTenantsFile, isConfigured, loadLocalTenants } from '../../infra/local/tenants';

describe('tenants for the local commands', () => {
  const dir = mkdtempSync(join(tmpdir(), 'local-tenants-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const demo = {
    id: 'demo',
    baselinker: { url: 'http://127.0.0.1:9/connector.php', inventoryId: 1, orderStatusIds: [2] },
    ongoing: { url: 'http://127.0.0.1:9/demo/api/v1', goodsOwnerId: 42 },
    secrets: { baselinkerToken: 'placeholder', ongoingUser: 'u', ongoingPassword: 'p', webhookSecret: 'placeholder-webhook-secret-0123456789' },
  };

  it('counts only tenant settings as configuration, not DATA_DIR or PORT', () => {
    expect(isConfigured({ DATA_DIR: dir, PORT: '3000', LOG_LEVEL: 'INFO' })).toBe(false);
    expect(isConfigured({ ONGOING_URL: 'http://x/api/v1' })).toBe(true);
    expect(isConfigured({ TENANTS_FILE: 'x.json' })).toBe(true);
  });

  it("uses the demo tenant npm start left in DATA_DIR when nothing is configured", async () => {
    writeFileSync(demoTenantsFile(dir), JSON.stringify([demo]));
    const tenants = await loadLocalTenants({}, dir);
    expect(tenants.map((t) => t.id)).toEqual(['demo']);
  });

  it('prefers the configured tenant over the demo one', async () => {
    writeFileSync(demoTenantsFile(dir), JSON.stringify([demo]));
    const file = join(dir, 'mine.json');
    writeFileSync(file, JSON.stringify([{ ...demo, id: 'mine' }]));
    const tenants = await loadLocalTenants({ TENANTS_FILE: file }, dir);
    expect(tenants.map((t) => t.id)).toEqual(['mine']);
  });
});
