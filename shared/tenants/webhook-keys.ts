import {
  CreateApiKeyCommand,
  CreateUsagePlanKeyCommand,
  DeleteApiKeyCommand,
  GetApiKeysCommand,
  UpdateApiKeyCommand,
  type APIGatewayClient,
} from '@aws-sdk/client-api-gateway';

/**
 * Each tenant's key at the edge of the Send webhook (API Gateway): the key's value is the tenant's webhook secret,
 * so Ongoing sends one header (x-api-key) that API Gateway checks before any Lambda runs and the shipment function
 * checks again against the route's tenant. The key belongs to the stack's usage plan, whose throttle applies to
 * each key on its own. `tenants put|enable|disable|remove --aws` keep the keys in step with the registry.
 */
export interface WebhookKeys {
  /** Creates the tenant's key (or replaces it when the secret changed) and puts it in the usage plan. */
  put(tenant: string, secret: string, enabled: boolean): Promise<void>;
  setEnabled(tenant: string, enabled: boolean): Promise<void>;
  remove(tenant: string): Promise<void>;
}

/** The header API Gateway reads an API key from. */
export const API_KEY_HEADER = 'x-api-key';

/** API Gateway key values: 20 to 128 letters and digits; with the 32-character minimum of the webhook secret. */
export const API_KEY_VALUE = /^[A-Za-z0-9]{32,128}$/;

const errorName = (err: unknown) => (err as { name?: string })?.name ?? '';

export class ApiGatewayWebhookKeys implements WebhookKeys {
  constructor(
    private readonly client: APIGatewayClient,
    private readonly usagePlanId: string,
  ) {}

  /** Unique per deployment: the usage plan belongs to one stack. */
  keyName(tenant: string): string {
    return `${this.usagePlanId}-${tenant}`;
  }

  private async find(tenant: string): Promise<{ id: string; value?: string; enabled: boolean } | undefined> {
    const name = this.keyName(tenant);
    let position: string | undefined;
    do {
      const page = await this.client.send(new GetApiKeysCommand({ nameQuery: name, includeValues: true, position, limit: 500 }));
      const found = page.items?.find((key) => key.name === name && key.id);
      if (found) return { id: found.id!, value: found.value, enabled: found.enabled !== false };
      position = page.position;
    } while (position);
    return undefined;
  }

  async put(tenant: string, secret: string, enabled: boolean): Promise<void> {
    const existing = await this.find(tenant);
    if (existing && existing.value === secret) {
      if (existing.enabled !== enabled) await this.update(existing.id, enabled);
      await this.join(existing.id);
      return;
    }
    // A key's value cannot change: a new secret is a new key (the old one stops working at once).
    if (existing) await this.client.send(new DeleteApiKeyCommand({ apiKey: existing.id }));
    const created = await this.client.send(new CreateApiKeyCommand({ name: this.keyName(tenant), value: secret, enabled, description: `ongoing-baselinker webhook key of tenant ${tenant}` }));
    await this.join(created.id!);
  }

  async setEnabled(tenant: string, enabled: boolean): Promise<void> {
    const existing = await this.find(tenant);
    if (existing) await this.update(existing.id, enabled);
  }

  async remove(tenant: string): Promise<void> {
    const existing = await this.find(tenant);
    if (existing) await this.client.send(new DeleteApiKeyCommand({ apiKey: existing.id }));
  }

  private async update(id: string, enabled: boolean): Promise<void> {
    await this.client.send(new UpdateApiKeyCommand({ apiKey: id, patchOperations: [{ op: 'replace', path: '/enabled', value: String(enabled) }] }));
  }

  private async join(keyId: string): Promise<void> {
    try {
      await this.client.send(new CreateUsagePlanKeyCommand({ usagePlanId: this.usagePlanId, keyId, keyType: 'API_KEY' }));
    } catch (err) {
      // Already in the plan.
      if (errorName(err) !== 'ConflictException') throw err;
    }
  }
}
