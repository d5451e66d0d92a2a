import { randomUUID } from 'node:crypto';
import { bucketParams, tokenKey } from '../../shared/baselinker/budget';
import { BaseLinkerClient } from '../../shared/baselinker/client';
import { DEFAULT_BASELINKER_URL, flowSettingProblems, SINGLE_TENANT_ENV_VARS, readSingleTenantEnv, type ConfigError, type Env, type TenantConfig } from '../../shared/config';
import { FLOW_NAMES } from '../../shared/flows/registry';
import { createTenantServices, noLabels, tenantServicesWith } from '../../shared/lambda/wiring';
import { shipOrder } from '../../shared/flows/shipment';
import { sendOfOutcome } from '../../shared/flows/sends';
import { previewSend, type SendPreview } from '../../shared/flows/shipment-preview';
import { flowLogger } from '../../shared/log/logger';
import { OngoingClient } from '../../shared/ongoing/client';
import { DynamoBudget, type CursorRecord, type SetAsideItem, type StateStore } from '../../shared/state';
import { discover, renderDiscovery, type DiscoveryTarget } from './discover';
import { CliError } from './errors';
import { compactJson, duration, num, readableTimes, short, table, when } from './format';
import { orderStory, renderStory, type IdKind } from './order';
import type { CliState } from './state';

export interface CommandContext {
  /** The tenants the command acts on (all configured, or the one `--tenant` picked). */
  tenants: TenantConfig[];
  state: CliState;
  store: StateStore;
  now: () => number;
  out: (text: string) => void;
  json: boolean;
}

// ---- status ----------------------------------------------------------------------------------------------

export interface RunStatus {
  flow: string;
  /** never: no run recorded; interrupted: recorded as running but nobody holds the run lease any more. */
  outcome: 'never' | 'running' | 'interrupted' | 'ok' | 'partial' | 'failed' | 'skipped';
  runId?: string;
  startedAt?: string;
  finishedAt?: string;
  durationMs?: number;
  seen?: number;
  written?: number;
  setAside?: number;
  baselinkerRequests?: number;
  ongoingRequests?: number;
  counts?: Record<string, number>;
  message?: string;
}

export interface TenantStatus {
  tenant: string;
  runs: RunStatus[];
  cursors: CursorRecord[];
  budget: {
    tokenKey: string;
    requestsPerMinute: number;
    capacity: number;
    tokensLeft: number;
    used: number;
    blockedUntil?: string;
  };
  exceptions: { open: Record<string, number>; retry: Record<string, number>; openTotal: number; retryTotal: number; dismissed: number };
  shipments: {
    waitingForTracking: { ongoingOrderId: string; blOrderId?: string; packageId?: string; courierCode?: string; since: string }[];
    failed: number;
  };
}

export async function collectStatus(ctx: CommandContext, tenant: TenantConfig): Promise<TenantStatus> {
  const id = tenant.id;
  const policy = { requestsPerMinute: tenant.baselinker.requestsPerMinute, burst: tenant.baselinker.burst };
  const budget = new DynamoBudget(ctx.state.dynamo, ctx.state.tableName, policy, { now: ctx.now });
  const key = tokenKey(tenant.secrets.baselinkerToken);
  const [summaries, cursors, bucket, items, waiting, failed] = await Promise.all([
    ctx.store.getRunSummaries(id),
    ctx.store.listCursors(id),
    budget.inspect(key),
    ctx.store.listSetAside(id),
    ctx.store.listShipments(id, { status: 'pending-tracking' }),
    ctx.store.listShipments(id, { status: 'failed' }),
  ]);

  const flows = [...FLOW_NAMES, ...summaries.map((s) => s.flow).filter((f) => !(FLOW_NAMES as string[]).includes(f))];
  const runs = await Promise.all(
    flows.map(async (flow): Promise<RunStatus> => {
      const s = summaries.find((x) => x.flow === flow);
      if (!s) return { flow, outcome: 'never' };
      const c = s.counts ?? {};
      const { seen, written, setAside, durationMs, baselinkerRequests, ongoingRequests, ...rest } = c;
      let outcome: RunStatus['outcome'] = s.outcome;
      // The runner writes 'running' first and the outcome last; a run that died in between leaves 'running'.
      if (outcome === 'running' && !(await ctx.store.getLease(`${flow}#${id}`))) outcome = 'interrupted';
      const finished = s.finishedAt ? Date.parse(s.finishedAt) - Date.parse(s.startedAt) : undefined;
      return {
        flow,
        outcome,
        runId: s.runId,
        startedAt: s.startedAt,
        finishedAt: s.finishedAt,
        durationMs: durationMs ?? (outcome === 'running' ? ctx.now() - Date.parse(s.startedAt) : finished),
        seen,
        written,
        setAside,
        baselinkerRequests,
        ongoingRequests,
        ...(Object.keys(rest).length ? { counts: rest } : {}),
        ...(s.message ? { message: s.message } : {}),
      };
    }),
  );

  const byKind = (state: string) =>
    items.filter((i) => i.state === state).reduce<Record<string, number>>((acc, i) => ({ ...acc, [i.kind]: (acc[i.kind] ?? 0) + 1 }), {});
  const { capacity } = bucketParams(policy);
  // While the token is blocked nothing can be sent, whatever the bucket has refilled in the meantime.
  const tokensLeft = bucket.blockedUntil ? 0 : bucket.tokensLeft;
  return {
    tenant: id,
    runs,
    cursors,
    budget: {
      tokenKey: key,
      requestsPerMinute: policy.requestsPerMinute,
      capacity,
      tokensLeft,
      used: Math.max(0, capacity - tokensLeft),
      ...(bucket.blockedUntil ? { blockedUntil: bucket.blockedUntil.toISOString() } : {}),
    },
    exceptions: {
      open: byKind('open'),
      retry: byKind('retry'),
      openTotal: items.filter((i) => i.state === 'open').length,
      retryTotal: items.filter((i) => i.state === 'retry').length,
      dismissed: items.filter((i) => i.state === 'dismissed').length,
    },
    shipments: {
      waitingForTracking: waiting
        .map((s) => ({
          ongoingOrderId: s.ongoingOrderId,
          ...(s.blOrderId ? { blOrderId: s.blOrderId } : {}),
          ...(s.packageId !== undefined ? { packageId: String(s.packageId) } : {}),
          ...(s.courierCode ? { courierCode: s.courierCode } : {}),
          since: s.updatedAt,
        }))
        .sort((a, b) => a.since.localeCompare(b.since)),
      failed: failed.length,
    },
  };
}

export async function statusCommand(ctx: CommandContext): Promise<void> {
  const statuses = await Promise.all(ctx.tenants.map((t) => collectStatus(ctx, t)));
  if (ctx.json) {
    ctx.out(JSON.stringify({ state: ctx.state.description, tenants: statuses }, null, 2));
    return;
  }
  const now = ctx.now();
  const blocks = [`State: ${ctx.state.description}`];
  for (const s of statuses) blocks.push(renderStatus(s, now));
  ctx.out(blocks.join('\n\n'));
}

function kindCounts(counts: Record<string, number>): string {
  const entries = Object.entries(counts).sort(([a], [b]) => a.localeCompare(b));
  return entries.map(([kind, n]) => `${kind} ${n}`).join(', ');
}

function renderStatus(s: TenantStatus, now: number): string {
  const lines: string[] = [`== Tenant ${s.tenant} ==`, '', 'Last runs'];
  lines.push(
    indent(
      table(
        ['FLOW', 'WHEN', 'TOOK', 'OUTCOME', 'SEEN', 'WRITTEN', 'SET ASIDE', 'REQUESTS BL/ONGOING'],
        s.runs.map((r) =>
          r.outcome === 'never'
            ? [r.flow, 'never run', '', '', '', '', '', '']
            : [
                r.flow,
                when(r.startedAt, now),
                duration(r.durationMs),
                r.outcome,
                num(r.seen),
                num(r.written),
                num(r.setAside),
                r.baselinkerRequests === undefined && r.ongoingRequests === undefined ? '-' : `${num(r.baselinkerRequests)}/${num(r.ongoingRequests)}`,
              ],
        ),
      ),
    ),
  );
  for (const r of s.runs) {
    if (r.outcome === 'interrupted') lines.push(`  ${r.flow}: recorded as running, but no run holds its lease: the run was interrupted; the next one starts over`);
    if (r.message) lines.push(`  ${r.flow}: ${short(r.message, 300)}`);
    if (r.counts) lines.push(`  ${r.flow}: ${Object.entries(r.counts).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  }

  lines.push('', 'Cursors and checkpoints');
  lines.push(
    s.cursors.length
      ? indent(table(['NAME', 'VALUE', 'UPDATED'], s.cursors.map((c) => [c.name, short(compactJson(readableTimes(c.value)), 100), when(c.updatedAt, now)])))
      : '  none yet',
  );

  const b = s.budget;
  lines.push('', `BaseLinker request budget (token ${b.tokenKey.slice(0, 8)}…, ${b.requestsPerMinute} requests/min)`);
  lines.push(`  ${b.tokensLeft} of ${b.capacity} burst tokens left, ${b.used} used`);
  lines.push(b.blockedUntil ? `  TOKEN BLOCKED by BaseLinker until ${when(b.blockedUntil, now)}` : '  not blocked');

  const e = s.exceptions;
  lines.push('', 'Set-aside items');
  lines.push(`  open: ${e.openTotal}${e.openTotal ? ` (${kindCounts(e.open)})` : ''}`);
  if (e.retryTotal) lines.push(`  waiting for retry: ${e.retryTotal} (${kindCounts(e.retry)})`);
  if (e.dismissed) lines.push(`  dismissed: ${e.dismissed}`);
  if (e.openTotal) lines.push('  see them with: npm run cli -- exceptions');

  const w = s.shipments.waitingForTracking;
  lines.push('', `Shipments waiting for tracking: ${w.length}`);
  if (w.length) {
    const shown = w.slice(0, 20);
    lines.push(
      indent(
        table(
          ['ONGOING ORDER', 'BASELINKER ORDER', 'PACKAGE', 'COURIER', 'SINCE'],
          shown.map((x) => [x.ongoingOrderId, x.blOrderId ?? '-', x.packageId ?? '-', x.courierCode ?? '-', when(x.since, now)]),
        ),
      ),
    );
    if (w.length > shown.length) lines.push(`  … and ${w.length - shown.length} more (--json lists all)`);
  }
  if (s.shipments.failed) lines.push(`Shipments failed: ${s.shipments.failed}`);
  return lines.join('\n');
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}

// ---- exceptions ------------------------------------------------------------------------------------------

/** The id `retry` and `dismiss` take: kind and source id, as `exceptions` prints it. */
export function exceptionId(item: Pick<SetAsideItem, 'kind' | 'sourceId'>): string {
  return `${item.kind}#${item.sourceId}`;
}

export function parseExceptionId(id: string): { kind: string; sourceId: string } {
  const at = id.indexOf('#');
  if (at <= 0 || at === id.length - 1) {
    throw new CliError(`"${id}" is not an item id: expected <kind>#<source id>, e.g. order#12345, as the exceptions command shows it`);
  }
  return { kind: id.slice(0, at), sourceId: id.slice(at + 1) };
}

type Side = 'BaseLinker' | 'Ongoing' | 'other';

const KNOWN_IDS: Record<string, [Side, string]> = {
  blorderid: ['BaseLinker', 'order'],
  baselinkerorderid: ['BaseLinker', 'order'],
  blproductid: ['BaseLinker', 'product'],
  baselinkerproductid: ['BaseLinker', 'product'],
  blvariantid: ['BaseLinker', 'variant'],
  baselinkervariantid: ['BaseLinker', 'variant'],
  blpackageid: ['BaseLinker', 'package'],
  packageid: ['BaseLinker', 'package'],
  ongoingorderid: ['Ongoing', 'order'],
  ongoingarticleid: ['Ongoing', 'article'],
  articlesystemid: ['Ongoing', 'article'],
  ongoingarticlesystemid: ['Ongoing', 'article'],
  ordernumber: ['Ongoing', 'order number'],
};

/** "blShopOrderId" -> "shop order id". */
function words(camel: string): string {
  return camel
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .trim();
}

/** The ids an item carries, grouped by system, so the operator can find the thing on both sides. */
export function idsBySide(item: SetAsideItem): Record<Side, string[]> {
  const out: Record<Side, string[]> = { BaseLinker: [], Ongoing: [], other: [] };
  const ids = { ...(item.ids ?? {}) };
  // The source id of an order is the BaseLinker order id, of a shipment the Ongoing order id.
  const hasOrderId = (side: Side) =>
    Object.keys(ids).some((key) => {
      const known = KNOWN_IDS[key.toLowerCase()];
      return known?.[0] === side && known[1] === 'order';
    });
  if (item.kind === 'order' && !hasOrderId('BaseLinker')) ids.blOrderId = item.sourceId;
  if (item.kind === 'shipment' && !hasOrderId('Ongoing')) ids.ongoingOrderId = item.sourceId;
  for (const [key, value] of Object.entries(ids)) {
    const known = KNOWN_IDS[key.toLowerCase()];
    if (known) out[known[0]].push(`${known[1]} ${value}`);
    else if (/^(bl|baselinker)[A-Z_]/.test(key)) out.BaseLinker.push(`${words(key.replace(/^(bl|baselinker)/, ''))} ${value}`);
    else if (/^ongoing[A-Z_]/.test(key)) out.Ongoing.push(`${words(key.replace(/^ongoing/, ''))} ${value}`);
    else out.other.push(`${words(key)} ${value}`);
  }
  return out;
}

export async function exceptionsCommand(ctx: CommandContext, filter: { kind?: string; all: boolean }): Promise<void> {
  const perTenant = await Promise.all(
    ctx.tenants.map(async (t) => ({ tenant: t.id, items: await ctx.store.listSetAside(t.id, filter.kind ? { kind: filter.kind } : {}) })),
  );
  const shown = perTenant.map(({ tenant, items }) => ({
    tenant,
    items: filter.all ? items : items.filter((i) => i.state !== 'dismissed'),
    hidden: filter.all ? 0 : items.filter((i) => i.state === 'dismissed').length,
  }));
  if (ctx.json) {
    const items = shown.flatMap(({ items: list }) => list.map((i) => ({ id: exceptionId(i), ...i })));
    ctx.out(JSON.stringify(items, null, 2));
    return;
  }
  const now = ctx.now();
  const blocks: string[] = [];
  for (const { tenant, items, hidden } of shown) {
    const lines: string[] = [];
    if (ctx.tenants.length > 1) lines.push(`== Tenant ${tenant} ==`);
    const open = items.filter((i) => i.state === 'open').length;
    const retry = items.filter((i) => i.state === 'retry').length;
    const what = filter.kind ? ` of kind ${filter.kind}` : '';
    lines.push(
      items.length === 0
        ? `No set-aside items${what}${hidden ? ` (${hidden} dismissed hidden; --all shows them)` : ''}.`
        : `${open} open, ${retry} waiting for retry${filter.all ? `, ${items.length - open - retry} dismissed` : hidden ? ` (${hidden} dismissed hidden; --all shows them)` : ''}${what}:`,
    );
    for (const item of items) {
      lines.push('');
      lines.push(`${exceptionId(item)}  [${item.state}]  set aside ${item.count} time${item.count === 1 ? '' : 's'}`);
      lines.push(`  first seen ${when(item.firstSeenAt, now)}, last seen ${when(item.lastSeenAt, now)}`);
      const sides = idsBySide(item);
      const idParts = (['BaseLinker', 'Ongoing', 'other'] as Side[])
        .filter((side) => sides[side].length)
        .map((side) => (side === 'other' ? sides[side].join(', ') : `${side}: ${sides[side].join(', ')}`));
      if (idParts.length) lines.push(`  ids: ${idParts.join(' | ')}`);
      lines.push(`  reason: ${item.reason}`);
      if (item.state === 'retry' && item.retryRequestedAt) lines.push(`  retry requested ${when(item.retryRequestedAt, now)}`);
      if (item.state === 'dismissed') lines.push(`  dismissed ${when(item.dismissedAt, now)}${item.note ? `: ${item.note}` : ''}`);
      else if (item.note) lines.push(`  note: ${item.note}`);
    }
    blocks.push(lines.join('\n'));
  }
  if (blocks.some((b) => !b.startsWith('No set-aside'))) {
    blocks.push('Retry with: npm run cli -- retry <id|all>; dismiss with: npm run cli -- dismiss <id> --note "why"');
  }
  ctx.out(blocks.join('\n\n'));
}

// ---- retry and dismiss -----------------------------------------------------------------------------------

async function existing(ctx: CommandContext, tenant: string, id: string): Promise<SetAsideItem> {
  const { kind, sourceId } = parseExceptionId(id);
  const item = await ctx.store.getSetAside(tenant, kind, sourceId);
  if (!item) throw new CliError(`no set-aside item "${id}" for tenant ${tenant} (npm run cli -- exceptions --all lists them)`);
  return item;
}

export async function retryCommand(ctx: CommandContext, target: string, filter: { kind?: string }): Promise<void> {
  const tenant = ctx.tenants[0].id;
  let retried: SetAsideItem[];
  if (target === 'all') {
    retried = await ctx.store.listSetAside(tenant, { state: 'open', ...(filter.kind ? { kind: filter.kind } : {}) });
    for (const item of retried) await ctx.store.markSetAsideForRetry(tenant, item.kind, item.sourceId);
  } else {
    if (filter.kind) throw new CliError('--kind goes with "retry all" only', 'retry');
    const item = await existing(ctx, tenant, target);
    // Another process may clear it between the read and the write.
    if (!(await ctx.store.markSetAsideForRetry(tenant, item.kind, item.sourceId))) throw new CliError(`set-aside item "${target}" is gone`);
    retried = [item];
  }
  const ids = retried.map(exceptionId);
  if (ctx.json) {
    ctx.out(JSON.stringify({ tenant, retried: ids.length, ids }, null, 2));
    return;
  }
  if (ids.length === 0) ctx.out(`Nothing to retry: tenant ${tenant} has no open set-aside items${filter.kind ? ` of kind ${filter.kind}` : ''}.`);
  else ctx.out(`${ids.length} item${ids.length === 1 ? '' : 's'} of tenant ${tenant} will be retried in the next cycle: ${ids.join(', ')}`);
}

export async function dismissCommand(ctx: CommandContext, target: string, note: string): Promise<void> {
  const tenant = ctx.tenants[0].id;
  const item = await existing(ctx, tenant, target);
  if (!(await ctx.store.dismissSetAside(tenant, item.kind, item.sourceId, note))) throw new CliError(`set-aside item "${target}" is gone`);
  if (ctx.json) ctx.out(JSON.stringify({ tenant, dismissed: target, note }, null, 2));
  else ctx.out(`Dismissed ${target} of tenant ${tenant}; it stays out of the listing (exceptions --all shows it) and is not retried.`);
}

// ---- send ------------------------------------------------------------------------------------------------

/** The shipment flow for one order, as the webhook runs it; exit 0 when the order shipped (or already had). */
export async function sendCommand(ctx: CommandContext, ongoingOrderId: number, options: { dryRun?: boolean } = {}): Promise<number> {
  const [tenant] = ctx.tenants;
  if (options.dryRun) return dryRunCommand(ctx, ongoingOrderId);
  const { labelsBucket, s3 } = ctx.state;
  if (!labelsBucket) throw new CliError('send needs the labels bucket: set LABELS_BUCKET (a stack output) for --aws');
  const services = createTenantServices(tenant, { tableName: ctx.state.tableName, labelsBucket }, { dynamo: ctx.state.dynamo, s3, priority: 'interactive' });
  const runId = `cli-${randomUUID()}`;
  const at = new Date(ctx.now()).toISOString();
  const outcome = await shipOrder(
    {
      tenant,
      baselinker: services.baselinker,
      ongoing: services.ongoing,
      labels: services.labels,
      shipments: services.state.shipments,
      inbox: services.state.inbox,
      log: flowLogger({ tenant: tenant.id, flow: 'shipment', runId }),
      now: ctx.now,
    },
    ongoingOrderId,
    { owner: runId, leaseMs: 120_000 },
  );
  // Kept for the order's story; the shipment itself is done whether or not this write succeeds.
  await services.state.sends.record(sendOfOutcome({ ongoingOrderId, via: 'cli', at }, outcome)).catch((err: unknown) => flowLogger({ tenant: tenant.id, flow: 'shipment', runId }).warn('could not record the Send', { error: err instanceof Error ? err.message : String(err) }));
  if (ctx.json) {
    ctx.out(JSON.stringify(outcome, null, 2));
  } else if (outcome.kind === 'done' || outcome.kind === 'pending-tracking') {
    const r = outcome.record;
    const tracking = r.trackingNumber ? `tracking ${r.trackingNumber}${r.trackingUrl ? ` (${r.trackingUrl})` : ''}` : 'no tracking number yet: the tracking run fills it in';
    ctx.out(`order ${ongoingOrderId} [${tenant.id}]: ${outcome.kind === 'done' && outcome.alreadyDone ? 'already shipped' : 'shipped'}: package ${r.packageId ?? '?'} (${r.courierCode ?? '?'}${outcome.reusedPackage ? ', existing package reused' : ''}), label ${r.labelKey ?? '?'}, ${tracking}`);
  } else if (outcome.kind === 'in-progress') {
    ctx.out(`order ${ongoingOrderId} [${tenant.id}]: another worker is shipping it right now; see npm run cli -- status`);
  } else {
    ctx.out(`order ${ongoingOrderId} [${tenant.id}]: ${outcome.kind}: ${outcome.message}`);
  }
  if (outcome.kind === 'order-not-found') return 2;
  return outcome.kind === 'done' || outcome.kind === 'pending-tracking' || outcome.kind === 'in-progress' ? 0 : 1;
}

/** `send --dry-run`: what a Send would book for the order, read with the tenant's clients; books and writes nothing. */
async function dryRunCommand(ctx: CommandContext, ongoingOrderId: number): Promise<number> {
  const [tenant] = ctx.tenants;
  const services = readingServices(ctx, tenant);
  const preview = await previewSend(
    { tenant, baselinker: services.baselinker, ongoing: services.ongoing, shipments: services.state.shipments, log: flowLogger({ tenant: tenant.id, flow: 'shipment', runId: 'dry-run' }), now: ctx.now },
    ongoingOrderId,
  );
  if (ctx.json) ctx.out(JSON.stringify({ dryRun: true, ongoingOrderId, ...preview }, null, 2));
  else ctx.out(renderPreview(tenant.id, ongoingOrderId, preview));
  if (preview.kind === 'order-not-found') return 2;
  return preview.kind === 'would-refuse' ? 1 : 0;
}

function renderPreview(tenant: string, ongoingOrderId: number, p: SendPreview): string {
  const head = `order ${ongoingOrderId} [${tenant}], dry run: nothing was booked or written`;
  const lines = [head];
  switch (p.kind) {
    case 'already-shipped':
      lines.push(`  already shipped: package ${p.record.packageId ?? '?'} (${p.record.courierCode ?? '?'}), tracking ${p.record.trackingNumber ?? '-'}; a Send books nothing more`);
      break;
    case 'order-not-found':
      lines.push(`  ${p.message}`);
      break;
    case 'would-refuse':
      lines.push(`  a Send would be refused and set aside: ${p.reason}`);
      break;
    case 'would-reuse':
      lines.push(`  BaseLinker order ${p.blOrderId} already has package ${p.package.packageId} (${p.package.courierCode}); a Send would reuse it (label and tracking), booking nothing new`);
      break;
    case 'would-book': {
      const r = p.request;
      lines.push(`  a Send would book for BaseLinker order ${p.blOrderId}:`);
      lines.push(`    courier   ${r.courier_code}${p.courier.chosenBy === 'default' ? ' (the default courier)' : ` (by way of delivery / transporter code ${p.courier.chosenBy})`}`);
      lines.push(`    account   ${r.account_id ?? "the courier's first account"}`);
      lines.push(`    fields    ${r.fields?.length ? r.fields.map((f) => `${f.id}=${f.value}`).join(', ') : 'none'}`);
      r.packages.forEach((pkg, i) => lines.push(`    parcel ${i + 1}  ${Object.entries(pkg).map(([k, v]) => `${k} ${v}`).join(', ')}`));
      break;
    }
  }
  if ('notShippableNow' in p && p.notShippableNow) lines.push(`  note: ${p.notShippableNow}`);
  return lines.join('\n');
}

// ---- order -----------------------------------------------------------------------------------------------

/** The tenant's BaseLinker and Ongoing clients for commands that only read (no labels needed). */
function readingServices(ctx: CommandContext, tenant: TenantConfig) {
  return tenantServicesWith(noLabels)(tenant, { tableName: ctx.state.tableName, labelsBucket: ctx.state.labelsBucket ?? '' }, { dynamo: ctx.state.dynamo, priority: 'interactive' });
}

export async function orderCommand(ctx: CommandContext, id: string, by: IdKind | undefined): Promise<void> {
  const [tenant] = ctx.tenants;
  const { baselinker, ongoing, state } = readingServices(ctx, tenant);
  const story = await orderStory(id, { tenant: tenant.id, baselinker, ongoing, by, state });
  ctx.out(ctx.json ? JSON.stringify(story, null, 2) : renderStory(story, ctx.now()));
}

// ---- discover --------------------------------------------------------------------------------------------

/**
 * What discover reads with: each configured tenant, or, while the single-tenant env vars are not complete yet,
 * the credentials they already give (with the loader's problems shown as "still to set").
 */
export function discoveryTargets(ctx: CommandContext, env: Env, problem: ConfigError | undefined): DiscoveryTarget[] {
  // The budget every process on the token shares, so discover never pushes a running integration over the limit.
  const budget = () => new DynamoBudget(ctx.state.dynamo, ctx.state.tableName, { requestsPerMinute: 80 }, { now: ctx.now });
  const usesEnv = SINGLE_TENANT_ENV_VARS.some((name) => (env[name] ?? '').trim() !== '');
  if (!problem) {
    return ctx.tenants.map((tenant) => {
      const { baselinker, ongoing } = readingServices(ctx, tenant);
      return {
        tenant: tenant.id,
        baselinker,
        baselinkerUrl: tenant.baselinker.url,
        ongoing,
        ongoingUrl: tenant.ongoing.url,
        goodsOwnerId: tenant.ongoing.goodsOwnerId,
        settings: tenant,
        naming: usesEnv ? 'env' : 'json',
        // Settings only some flows need (the order statuses): open until set, though the others run without them.
        open: flowSettingProblems(tenant, FLOW_NAMES, (doc) => (usesEnv && doc.env ? doc.env : doc.path)),
      };
    });
  }
  const partial = usesEnv && !(env.TENANTS_FILE ?? '').trim() && !(env.TENANTS ?? '').trim();
  if (!partial) {
    throw new CliError(`${problem.message}\ndiscover goes on with an incomplete configuration only from the single-tenant env vars (BASELINKER_TOKEN, ONGOING_URL, ...)`);
  }
  const raw = readSingleTenantEnv(env);
  const settings = raw.settings as DiscoveryTarget['settings'];
  const token = raw.secrets.baselinkerToken;
  if (!token) throw new CliError(`discover needs at least BASELINKER_TOKEN (and ONGOING_URL, ONGOING_USER, ONGOING_PASSWORD for the Ongoing part)\n${problem.message}`);
  const url = typeof settings.baselinker?.url === 'string' ? settings.baselinker.url : DEFAULT_BASELINKER_URL;
  const goodsOwnerId = typeof settings.ongoing?.goodsOwnerId === 'number' ? settings.ongoing.goodsOwnerId : undefined;
  const ongoingUrl = typeof settings.ongoing?.url === 'string' ? settings.ongoing.url.replace(/\/+$/, '') : undefined;
  const { ongoingUser, ongoingPassword } = raw.secrets;
  return [
    {
      tenant: typeof settings.id === 'string' ? settings.id : 'default',
      baselinker: new BaseLinkerClient({ url, token, budget: budget(), priority: 'interactive' }),
      baselinkerUrl: url,
      ...(ongoingUrl && ongoingUser && ongoingPassword
        ? { ongoing: new OngoingClient({ baseUrl: ongoingUrl, user: ongoingUser, password: ongoingPassword, goodsOwnerId: goodsOwnerId ?? 0 }), ongoingUrl }
        : {}),
      goodsOwnerId,
      settings,
      naming: 'env',
      open: [...problem.problems, ...flowSettingProblems(raw.settings, FLOW_NAMES, (doc) => doc.env ?? doc.path)],
    },
  ];
}

/** Exit 0 when every system could be read and every configured value checks out, else 1. */
export async function discoverCommand(ctx: CommandContext, targets: DiscoveryTarget[]): Promise<number> {
  const reports = [];
  for (const target of targets) reports.push(await discover(target));
  if (ctx.json) ctx.out(JSON.stringify(targets.length === 1 ? reports[0] : reports, null, 2));
  else ctx.out(reports.map((r, i) => renderDiscovery(r, targets[i].naming)).join('\n\n'));
  const failed = reports.some((r) => r.checks.some((c) => !c.ok) || r.baselinker.error || (r.ongoing.error && r.ongoing.error !== 'not configured'));
  return failed ? 1 : 0;
}
