import { APIGatewayClient, CreateApiKeyCommand, CreateUsagePlanKeyCommand, DeleteApiKeyCommand, GetApiKeysCommand, UpdateApiKeyCommand } from '@aws-sdk/client-api-gateway';
import { mockClient } from 'aws-sdk-client-mock';
import { ApiGatewayWebhookKeys } from '../../shared/tenants/webhook-keys';

/**
 * The tenant's API key at the webhook edge, against a mocked API Gateway client (no emulator serves API Gateway's
 * control plane): which calls keep the key in step with the registry.
 */
const gateway = mockClient(APIGatewayClient);
const keys = new ApiGatewayWebhookKeys(new APIGatewayClient({ region: 'eu-north-1' }), 'plan123');
const SECRET = 'a'.repeat(40);

beforeEach(() => gateway.reset());

test('a new tenant: a key named after plan and tenant, valued with its secret, joined to the usage plan', async () => {
  gateway.on(GetApiKeysCommand).resolves({ items: [{ id: 'other', name: 'plan123-shop-ab', value: 'x' }] });
  gateway.on(CreateApiKeyCommand).resolves({ id: 'k1' });
  gateway.on(CreateUsagePlanKeyCommand).resolves({});
  await keys.put('shop-a', SECRET, true);
  expect(gateway.commandCalls(CreateApiKeyCommand)[0].args[0].input).toMatchObject({ name: 'plan123-shop-a', value: SECRET, enabled: true });
  expect(gateway.commandCalls(CreateUsagePlanKeyCommand)[0].args[0].input).toEqual({ usagePlanId: 'plan123', keyId: 'k1', keyType: 'API_KEY' });
  expect(gateway.commandCalls(DeleteApiKeyCommand)).toHaveLength(0);
});

test('a changed secret replaces the key (values cannot change); the same secret only fixes enabled and membership', async () => {
  gateway.on(GetApiKeysCommand).resolves({ items: [{ id: 'k1', name: 'plan123-shop-a', value: 'b'.repeat(40), enabled: true }] });
  gateway.on(CreateApiKeyCommand).resolves({ id: 'k2' });
  gateway.on(CreateUsagePlanKeyCommand).resolves({});
  await keys.put('shop-a', SECRET, true);
  expect(gateway.commandCalls(DeleteApiKeyCommand)[0].args[0].input).toEqual({ apiKey: 'k1' });
  expect(gateway.commandCalls(CreateApiKeyCommand)).toHaveLength(1);

  gateway.reset();
  gateway.on(GetApiKeysCommand).resolves({ items: [{ id: 'k2', name: 'plan123-shop-a', value: SECRET, enabled: true }] });
  gateway.on(CreateUsagePlanKeyCommand).rejects(Object.assign(new Error('already'), { name: 'ConflictException' }));
  await keys.put('shop-a', SECRET, false);
  expect(gateway.commandCalls(CreateApiKeyCommand)).toHaveLength(0);
  expect(gateway.commandCalls(UpdateApiKeyCommand)[0].args[0].input).toEqual({ apiKey: 'k2', patchOperations: [{ op: 'replace', path: '/enabled', value: 'false' }] });
});

test('disable switches the key off, remove deletes it; a missing key is no error', async () => {
  gateway.on(GetApiKeysCommand).resolves({ items: [{ id: 'k2', name: 'plan123-shop-a', value: SECRET, enabled: true }] });
  await keys.setEnabled('shop-a', false);
  await keys.remove('shop-a');
  expect(gateway.commandCalls(UpdateApiKeyCommand)[0].args[0].input.patchOperations).toEqual([{ op: 'replace', path: '/enabled', value: 'false' }]);
  expect(gateway.commandCalls(DeleteApiKeyCommand)[0].args[0].input).toEqual({ apiKey: 'k2' });
  gateway.reset();
  gateway.on(GetApiKeysCommand).resolves({ items: [] });
  await keys.remove('nobody');
  expect(gateway.commandCalls(DeleteApiKeyCommand)).toHaveLength(0);
});
