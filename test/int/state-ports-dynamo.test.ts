import { dynamoStatePorts, StateStore } from '../../shared/state';
import { describeStatePorts } from '../support/state-contract';
import { closeTestClients, freshTable, testDocumentClient } from '../support/emulators';

let tableName: string | undefined;

afterAll(() => closeTestClients());

describeStatePorts('DynamoDB', async () => {
  tableName ??= await freshTable();
  let clock = Date.now();
  const store = new StateStore(testDocumentClient(), tableName, { now: () => clock });
  return { ports: (tenant) => dynamoStatePorts(store, tenant), advance: (ms) => (clock += ms) };
});
