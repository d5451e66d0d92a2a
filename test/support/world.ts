import * as z from '../../shared/util/zod';
import { InMemoryBudget } from '../../shared/baselinker/budget';
import { parseTenantSettings, type TenantConfig, type TenantSettingsInput } from '../../shared/config';
import type { FlowName } from '../../shared/flows/catalogue';
import type { Flow } from '../../shared/flows/context';
import { runFlow, type RunOptions, type TenantRunReport } from '../../shared/flows/runner';
import { createTenantServices, tenantServicesWith, type TenantServices } from '../../shared/lambda/wiring';
import type { ServiceRequest } from '../../shared/flows/context';
import { MemoryState, StateStore } from '../../shared/state';
import type { LabelStorage } from '../../shared/labels';
import { labelKey } from '../../shared/labels/store';
import type { NeedsOf } from '../../shared/flows/catalogue';
import { InMemoryMetrics } from '../../shared/observability/metrics';
import { DEFAULT_SIM_TOKEN, startBaseLinkerSimulator, type BaseLinkerSimulator } from '../../infra/simulators/baselinker';
import { DEMO_API_USER, DEMO_GOODS_OWNER, demoSimulatorOptions, startOngoingSimulator, type OngoingSimulator, type OngoingSimulatorOptions } from '../../infra/simulators/ongoing';
import { closeTestClients, freshBucket, freshTable, testDocumentClient, testS3Client } from './emulators';

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

/**
 * One integration-test world: both simulators over real HTTP, a fresh state table and labels bucket on
 * the emulators, and a tenant wired to all of them. Flow tests build one per file (or per test) and run
 * flows through the real runner, exactly as the Lambdas and `npm run sync` do.
 */
export interface World {
  bl: BaseLinkerSimulator;
  ongoing: OngoingSimulator;
  tableName: string;
  labelsBucket: string;
  tenant: TenantConfig;
  metrics: InMemoryMetrics;
  /** Fresh clients and stores for the tenant (each call: new request counters), as the runner would make them. */
  services(tenant?: TenantConfig, options?: ServiceRequest): TenantServices;
  /** One run of a flow through the runner; `deadline` defaults to a minute from now. */
  run<F extends FlowName>(name: F, flow: Flow<NeedsOf<F>>, options?: Partial<RunOptions> & { tenant?: TenantConfig }): Promise<TenantRunReport>;
  /** The state table itself, for planting and inspecting raw records (the flows only see the ports). DynamoDB worlds only. */
  store: StateStore;
  /** The state of a memory world (`state: 'memory'`). */
  memory?: MemoryState;
  /** A second tenant config (another id) on the same simulators, e.g. for a test of two tenants. */
  tenantWith(overrides: DeepPartial<TenantSettingsInput> & { id?: string }): TenantConfig;
  close(): Promise<void>;
}

export interface WorldOptions {
  tenant?: DeepPartial<TenantSettingsInput>;
  baselinker?: Parameters<typeof startBaseLinkerSimulator>[0];
  ongoing?: OngoingSimulatorOptions;
  /** Requests per minute for the tenant's budget; tests use a high limit so only behaviour is tested. */
  requestsPerMinute?: number;
  /** 'memory': state in the memory adapters and labels in a map, no emulator needed (unit tests of the flows). */
  state?: StateKind;
}

/** Where a world keeps its state: the DynamoDB adapters on DynamoDB Local (and S3), or the memory adapters. */
export type StateKind = 'dynamodb' | 'memory';
export const STATE_KINDS: readonly StateKind[] = ['memory', 'dynamodb'];

/**
 * A flow behaviour suite run once per state adapter, from one body: the same assertions must hold on the memory
 * ports and on the DynamoDB adapters (the contract suite checks the ports one by one; this checks the flows on
 * them). The body passes its `adapter` to startWorld as `state`. Tests that need DynamoDB itself (raw items, a StateStore of
 * its own, another client's clock) stay in a plain describe of their own.
 */
export function describeOnEachState(title: string, body: (state: StateKind) => void): void {
  describe.each(STATE_KINDS)(`${title} [%s state]`, body);
}

/** A saved checkpoint as the flow left it, read through the ports (either adapter), unchecked. */
export function savedCheckpoint<T>(world: World, name: string): Promise<T | undefined> {
  return world.services().state.checkpoints.read(name, z.custom<T>());
}

/** A saved cursor as the flow left it, read through the ports (either adapter), unchecked. */
export function savedCursor<T>(world: World, name: string): Promise<T | undefined> {
  return world.services().state.cursors.read(name, z.custom<T>());
}

/** Labels kept in a map: the memory world's stand-in for S3. */
function memoryLabels(bucket: string): LabelStorage {
  const files = new Map<string, Buffer>();
  return {
    bucket,
    labelKey,
    put: async (key, bytes) => void files.set(key, Buffer.from(bytes)),
    get: async (key) => {
      const file = files.get(key);
      if (!file) throw new Error(`no label ${key} in ${bucket}`);
      return file;
    },
    exists: async (key) => files.has(key),
  };
}

function merge<T>(base: T, overrides: unknown): T {
  if (!overrides || typeof overrides !== 'object' || Array.isArray(overrides)) return (overrides ?? base) as T;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(overrides as Record<string, unknown>)) {
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && out[k] && typeof out[k] === 'object' ? merge(out[k], v) : v;
  }
  return out as T;
}

export const TEST_WEBHOOK_SECRET = 'test-webhook-secret-placeholder-0032';

export async function startWorld(options: WorldOptions = {}): Promise<World> {
  const inMemory = options.state === 'memory';
  const [bl, ongoing, tableName, labelsBucket] = await Promise.all([
    startBaseLinkerSimulator({ rateLimit: { requestsPerWindow: 100_000, windowMs: 60_000, blockMs: 1000 }, ...options.baselinker }),
    startOngoingSimulator(demoSimulatorOptions(options.ongoing)),
    inMemory ? 'memory-table' : freshTable(),
    inMemory ? 'memory-labels' : freshBucket(),
  ]);
  const memory = inMemory ? new MemoryState() : undefined;
  const labels = inMemory ? memoryLabels(labelsBucket) : undefined;
  const dynamo = inMemory ? undefined : testDocumentClient();
  const s3 = inMemory ? undefined : testS3Client();
  const budget = new InMemoryBudget({ requestsPerMinute: options.requestsPerMinute ?? 100_000, burst: options.requestsPerMinute ?? 100_000 });

  const makeTenant = (overrides: DeepPartial<TenantSettingsInput> & { id?: string }): TenantConfig => {
    const settings = parseTenantSettings(
      merge(
        {
          id: 'test',
          baselinker: { url: bl.url, inventoryId: 1, orderStatusIds: [1] },
          ongoing: { url: ongoing.baseUrl, goodsOwnerId: DEMO_GOODS_OWNER.id },
        },
        overrides,
      ),
    );
    return {
      ...settings,
      secrets: { baselinkerToken: DEFAULT_SIM_TOKEN, ongoingUser: DEMO_API_USER.user, ongoingPassword: DEMO_API_USER.password, webhookSecret: TEST_WEBHOOK_SECRET },
    };
  };
  const tenant = makeTenant(options.tenant ?? {});
  const metrics = new InMemoryMetrics();
  const runtime = { tableName, labelsBucket };
  const wire = (t: TenantConfig, extra: ServiceRequest = {}): TenantServices => {
    if (!memory) return createTenantServices(t, runtime, { ...extra, dynamo, s3, budget });
    return tenantServicesWith(() => labels!)(t, runtime, { ...extra, budget, ports: (id) => memory.ports(id) });
  };
  const services = (t: TenantConfig = tenant, extra: ServiceRequest = {}) => wire(t, extra);

  return {
    bl,
    ongoing,
    tableName,
    labelsBucket,
    tenant,
    metrics,
    services,
    get store(): StateStore {
      if (!dynamo) throw new Error('a memory world has no DynamoDB table: use world.memory or the ports');
      return new StateStore(dynamo, tableName);
    },
    memory,
    tenantWith: (overrides) => makeTenant(merge(options.tenant ?? {}, overrides)),
    async run(name, flow, runOptions = {}) {
      const { tenant: t = tenant, ...rest } = runOptions;
      const [report] = await runFlow(name, flow, {
        tenants: [t],
        runtime,
        deadline: Date.now() + 60_000,
        metrics,
        services: (tt, _runtime, serviceOptions) => wire(tt, serviceOptions),
        ...rest,
      });
      return report;
    },
    async close() {
      await Promise.all([bl.close(), ongoing.close()]);
      if (!inMemory) closeTestClients();
    },
  };
}
