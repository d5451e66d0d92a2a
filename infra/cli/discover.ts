import type { BaseLinkerClient } from '../../shared/baselinker/client';
import type { Courier, CourierAccount, CourierFields, Inventory, OrderStatus, Warehouse } from '../../shared/baselinker/schemas';
import { TENANT_SETTINGS, type TenantSettings } from '../../shared/config';
import type { OngoingClient } from '../../shared/ongoing/client';
import { table } from './format';

/**
 * `discover`: what a tenant's settings need, read from the two accounts with the tenant's credentials, and a
 * check of the values already configured. Only reads: nothing is written in either system.
 */

/** What discover works with: the credentials, and the settings as far as they are configured. */
export interface DiscoveryTarget {
  tenant: string;
  baselinker: BaseLinkerClient;
  baselinkerUrl: string;
  ongoing?: OngoingClient;
  ongoingUrl?: string;
  /** ONGOING_GOODS_OWNER_ID, when configured (the Ongoing API has no call that lists them). */
  goodsOwnerId?: number;
  /** The configured settings; partial when the configuration is not complete yet. */
  settings: DeepPartial<TenantSettings>;
  /** How the settings are named to this user: env vars (single-tenant env) or JSON paths (tenants file). */
  naming: 'env' | 'json';
  /** Configuration problems still open (the loader's messages), shown as "still to set". */
  open: string[];
}

type DeepPartial<T> = { [K in keyof T]?: T[K] extends readonly unknown[] ? T[K] : T[K] extends object ? DeepPartial<T[K]> : T[K] };

export interface Check {
  setting: string;
  ok: boolean;
  message: string;
}

export interface CourierReport {
  code: string;
  name: string;
  accounts: CourierAccount[];
  /** Form fields (createPackage `fields`) and per-parcel fields; absent for couriers without an account. */
  fields?: Array<{ id: string; name: string; type: string; options?: string[] }>;
  packageFields?: string[];
  multiPackages?: boolean;
}

export interface DiscoveryReport {
  tenant: string;
  baselinker: {
    url: string;
    error?: string;
    inventories: Array<{ id: number; name: string; usedBy: string[] }>;
    orderStatuses: Array<{ id: number; name: string; usedBy: string[] }>;
    /** The bl_ warehouses of the configured (or only) inventory: the only ones stock can be written to. */
    writableWarehouses: Array<{ key: string; name: string; usedBy: string[] }>;
    warehousesOfInventory?: number;
    couriers: CourierReport[];
  };
  ongoing: {
    url?: string;
    error?: string;
    goodsOwner?: { id: number; reachable: boolean; name?: string; problem?: string };
    orderStatuses: Array<{ number: number; text: string; usedBy: string[] }>;
    transporters: Array<{ code: string; name: string; services: string[]; usedBy: string[] }>;
  };
  checks: Check[];
  /** Settings still to set (configuration problems). */
  open: string[];
}

/** "BASELINKER_INVENTORY_ID" or "baselinker.inventoryId", as the user configures it. */
export function settingName(path: string, naming: 'env' | 'json'): string {
  const doc = TENANT_SETTINGS.find((d) => d.path === path);
  return naming === 'env' && doc?.env ? doc.env : path;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** One courier's accounts, and its form when it has an account (a courier without one cannot be booked). */
async function courierReport(bl: BaseLinkerClient, courier: Courier, alwaysFields: boolean): Promise<CourierReport> {
  const accounts = await bl.getCourierAccounts(courier.code).catch(() => [] as CourierAccount[]);
  const report: CourierReport = { code: courier.code, name: courier.name, accounts };
  if (accounts.length === 0 && !alwaysFields) return report;
  let fields: CourierFields;
  try {
    fields = await bl.getCourierFields(courier.code);
  } catch {
    return report;
  }
  report.fields = fields.fields.map((f) => ({
    id: f.id,
    name: f.name,
    type: f.type,
    ...(f.options && Object.keys(f.options).length ? { options: Object.keys(f.options) } : {}),
  }));
  report.packageFields = fields.package_fields.map((f) => f.id);
  report.multiPackages = fields.multi_packages;
  return report;
}

export async function discover(target: DiscoveryTarget): Promise<DiscoveryReport> {
  const s = target.settings;
  const name = (path: string) => settingName(path, target.naming);
  const checks: Check[] = [];
  const check = (path: string, ok: boolean, message: string) => checks.push({ setting: name(path), ok, message });

  // ---- BaseLinker ----
  const bl = target.baselinker;
  const report: DiscoveryReport = {
    tenant: target.tenant,
    baselinker: { url: target.baselinkerUrl, inventories: [], orderStatuses: [], writableWarehouses: [], couriers: [] },
    ongoing: { url: target.ongoingUrl, orderStatuses: [], transporters: [] },
    checks,
    open: target.open,
  };
  let inventories: Inventory[] = [];
  let statuses: OrderStatus[] = [];
  let warehouses: Warehouse[] = [];
  let couriers: Courier[] = [];
  try {
    // One after the other: each call takes a token of the tenant's BaseLinker budget.
    inventories = await bl.getInventories();
    statuses = await bl.getOrderStatusList();
    warehouses = await bl.getInventoryWarehouses();
    couriers = await bl.getCouriersList();
  } catch (err) {
    report.baselinker.error = messageOf(err);
    checks.push({ setting: name('secrets.baselinkerToken'), ok: false, message: `BaseLinker could not be read: ${messageOf(err)}` });
  }

  const inventoryId = s.baselinker?.inventoryId;
  report.baselinker.inventories = inventories.map((i) => ({ id: i.inventory_id, name: i.name, usedBy: i.inventory_id === inventoryId ? [name('baselinker.inventoryId')] : [] }));
  if (inventoryId !== undefined && !report.baselinker.error) {
    const found = inventories.some((i) => i.inventory_id === inventoryId);
    check('baselinker.inventoryId', found, found ? `inventory ${inventoryId} exists` : `inventory ${inventoryId} does not exist; the account has ${inventories.map((i) => i.inventory_id).join(', ') || 'none'}`);
  }

  const statusSettings: Array<[string, number[]]> = [
    ['baselinker.orderStatusIds', s.baselinker?.orderStatusIds ?? []],
    ['baselinker.cancelledStatusIds', s.baselinker?.cancelledStatusIds ?? []],
    ['baselinker.statusAfterImport', s.baselinker?.statusAfterImport !== undefined ? [s.baselinker.statusAfterImport] : []],
    ['baselinker.statusAfterShipment', s.baselinker?.statusAfterShipment !== undefined ? [s.baselinker.statusAfterShipment] : []],
  ];
  report.baselinker.orderStatuses = statuses.map((st) => ({ id: st.id, name: st.name, usedBy: statusSettings.filter(([, ids]) => ids.includes(st.id)).map(([path]) => name(path)) }));
  if (!report.baselinker.error) {
    for (const [path, ids] of statusSettings) {
      if (ids.length === 0) continue;
      const unknown = ids.filter((id) => !statuses.some((st) => st.id === id));
      check(path, unknown.length === 0, unknown.length === 0 ? `status ${ids.join(', ')} exists` : `status ${unknown.join(', ')} does not exist in BaseLinker (see the order statuses above)`);
    }
  }

  // Stock goes to a bl_ warehouse of the inventory; shop_ and warehouse_ ones are read-only mirrors.
  const inventory = inventories.find((i) => i.inventory_id === inventoryId) ?? (inventories.length === 1 ? inventories[0] : undefined);
  const warehouseKey = s.stock?.warehouseKey;
  if (inventory) {
    report.baselinker.warehousesOfInventory = inventory.inventory_id;
    report.baselinker.writableWarehouses = warehouses
      .filter((w) => w.warehouse_type === 'bl' && inventory.warehouses.includes(w.key))
      .map((w) => ({ key: w.key, name: w.name, usedBy: w.key === warehouseKey ? [name('stock.warehouseKey')] : [] }));
  }
  if (warehouseKey !== undefined && !report.baselinker.error) {
    const writable = report.baselinker.writableWarehouses.some((w) => w.key === warehouseKey);
    const exists = warehouses.some((w) => w.key === warehouseKey);
    check(
      'stock.warehouseKey',
      writable,
      writable
        ? `${warehouseKey} is a writable warehouse of inventory ${inventory!.inventory_id}`
        : `${warehouseKey} ${!exists ? 'does not exist' : !warehouseKey.startsWith('bl_') ? 'is not writable (only bl_ warehouses accept stock)' : `is not a warehouse of inventory ${inventory?.inventory_id ?? inventoryId}`}; writable: ${report.baselinker.writableWarehouses.map((w) => w.key).join(', ') || 'none'}`,
    );
  }

  const courierCode = s.shipment?.courierCode;
  const mapped = Object.values(s.shipment?.byWayOfDelivery ?? {}).map((c) => c?.courierCode).filter((c): c is string => Boolean(c));
  for (const courier of couriers) {
    report.baselinker.couriers.push(await courierReport(bl, courier, courier.code === courierCode || mapped.includes(courier.code)));
  }
  if (!report.baselinker.error) checkCouriers(report.baselinker.couriers, s, check);

  // ---- Ongoing ----
  const og = target.ongoing;
  if (!og) {
    report.ongoing.error = 'not configured';
  } else {
    try {
      const ongoingStatuses = await og.getOrderStatuses();
      const statusUse: Array<[string, number | undefined]> = [
        ['ongoing.inWorkStatusFrom', s.ongoing?.inWorkStatusFrom],
        ['shipment.shipStatusFrom', s.shipment?.shipStatusFrom],
      ];
      report.ongoing.orderStatuses = ongoingStatuses.map((st) => ({
        number: st.number,
        text: st.text ?? '',
        usedBy: statusUse.filter(([, n]) => n === st.number).map(([path]) => name(path)),
      }));
      for (const [path, value] of statusUse) {
        if (value === undefined) continue;
        const found = ongoingStatuses.some((st) => st.number === value);
        check(path, found, found ? `status ${value} exists in Ongoing` : `status ${value} is not one of Ongoing's status numbers (see the Ongoing order statuses above)`);
      }
    } catch (err) {
      report.ongoing.error = messageOf(err);
      checks.push({ setting: name('secrets.ongoingUser'), ok: false, message: `Ongoing could not be read: ${messageOf(err)}` });
    }
    if (target.goodsOwnerId !== undefined && !report.ongoing.error) {
      report.ongoing.goodsOwner = await probeGoodsOwner(og, target.goodsOwnerId);
      const g = report.ongoing.goodsOwner;
      check('ongoing.goodsOwnerId', g.reachable, g.reachable ? `goods owner ${g.id}${g.name ? ` (${g.name})` : ''} is reachable with this API user` : `goods owner ${g.id} cannot be reached: ${g.problem}`);
      if (g.reachable) {
        const used = new Set(Object.keys(s.shipment?.byWayOfDelivery ?? {}));
        const contracts = await og.getTransporterContracts().catch(() => []);
        report.ongoing.transporters = contracts
          .filter((c) => c.transporterCode)
          .map((c) => ({
            code: c.transporterCode!,
            name: c.transporterName ?? '',
            services: (c.transporterServices ?? []).map((x) => x.transporterServiceCode ?? '').filter(Boolean),
            usedBy: used.has(c.transporterCode!) ? [name('shipment.byWayOfDelivery')] : [],
          }));
      }
    }
  }
  return report;
}

function checkCouriers(couriers: CourierReport[], s: DeepPartial<TenantSettings>, check: (path: string, ok: boolean, message: string) => void): void {
  const sh = s.shipment;
  const verify = (path: string, code: string, accountId: number | undefined, fields: ReadonlyArray<{ id?: string }> | undefined) => {
    const courier = couriers.find((c) => c.code === code);
    if (!courier) {
      check(path, false, `courier "${code}" is not connected in BaseLinker; connected: ${couriers.map((c) => c.code).join(', ') || 'none'}`);
      return;
    }
    if (courier.accounts.length === 0) {
      check(path, false, `courier "${code}" has no account in BaseLinker: add one there before the first Send`);
      return;
    }
    check(path, true, `courier "${code}" exists with ${courier.accounts.length} account(s)`);
    if (accountId !== undefined) {
      const ok = courier.accounts.some((a) => a.id === accountId);
      check(path === 'shipment.courierCode' ? 'shipment.courierAccountId' : path, ok, ok ? `account ${accountId} of "${code}" exists` : `"${code}" has no account ${accountId}; its accounts: ${courier.accounts.map((a) => a.id).join(', ')}`);
    }
    const known = new Set((courier.fields ?? []).map((f) => f.id));
    const unknown = (fields ?? []).map((f) => f.id ?? '').filter((id) => id && courier.fields && !known.has(id) && id !== 'service');
    if (unknown.length) {
      check(path === 'shipment.courierCode' ? 'shipment.courierFields' : path, false, `"${code}" has no form field ${unknown.join(', ')}; its fields: ${[...known].join(', ')}`);
    }
  };
  if (sh?.courierCode) verify('shipment.courierCode', sh.courierCode, sh.courierAccountId, sh.courierFields);
  for (const [code, choice] of Object.entries(sh?.byWayOfDelivery ?? {})) {
    if (choice?.courierCode) verify('shipment.byWayOfDelivery', choice.courierCode, choice.accountId, choice.fields);
    else check('shipment.byWayOfDelivery', false, `"${code}" names no courierCode`);
  }
}

/** Whether the API user reaches the goods owner, and its name where an article or order shows it. */
async function probeGoodsOwner(og: OngoingClient, id: number): Promise<NonNullable<DiscoveryReport['ongoing']['goodsOwner']>> {
  try {
    const [article] = await og.getArticlesPage({ maxArticlesToGet: 1 });
    let ownerName = article?.goodsOwner?.name ?? undefined;
    if (!ownerName) {
      const [order] = await og.getOrdersPage({ maxOrdersToGet: 1 });
      ownerName = order?.goodsOwner?.name ?? undefined;
    }
    return { id, reachable: true, ...(ownerName ? { name: ownerName } : {}) };
  } catch (err) {
    return { id, reachable: false, problem: messageOf(err) };
  }
}

// ---- text ------------------------------------------------------------------------------------------------

const indent = (text: string, by = '    ') =>
  text
    .split('\n')
    .map((l) => `${by}${l}`)
    .join('\n');

const used = (names: string[]) => (names.length ? `<- ${names.join(', ')}` : '');

export function renderDiscovery(r: DiscoveryReport, naming: 'env' | 'json'): string {
  const n = (path: string) => settingName(path, naming);
  const lines: string[] = [`== Tenant ${r.tenant} ==`, '', `BaseLinker (${r.baselinker.url})`];
  if (r.baselinker.error) lines.push(`  could not be read: ${r.baselinker.error}`);
  else {
    lines.push(`  Inventories, for ${n('baselinker.inventoryId')}:`);
    lines.push(r.baselinker.inventories.length ? indent(table(['ID', 'NAME', ''], r.baselinker.inventories.map((i) => [String(i.id), i.name, used(i.usedBy)]))) : '    none');
    lines.push(
      `  Order statuses, for ${n('baselinker.orderStatusIds')} (sent to Ongoing), ${n('baselinker.cancelledStatusIds')}, ${n('baselinker.statusAfterImport')}, ${n('baselinker.statusAfterShipment')}:`,
    );
    lines.push(r.baselinker.orderStatuses.length ? indent(table(['ID', 'NAME', ''], r.baselinker.orderStatuses.map((s) => [String(s.id), s.name, used(s.usedBy)]))) : '    none');
    if (r.baselinker.warehousesOfInventory !== undefined) {
      lines.push(`  Writable (bl_) warehouses of inventory ${r.baselinker.warehousesOfInventory}, for ${n('stock.warehouseKey')}:`);
      lines.push(r.baselinker.writableWarehouses.length ? indent(table(['KEY', 'NAME', ''], r.baselinker.writableWarehouses.map((w) => [w.key, w.name, used(w.usedBy)]))) : '    none: add a BaseLinker warehouse to the inventory to receive stock');
    } else {
      lines.push(`  Writable (bl_) warehouses, for ${n('stock.warehouseKey')}: set ${n('baselinker.inventoryId')} first (they belong to an inventory)`);
    }
    lines.push(`  Couriers, for ${n('shipment.courierCode')}, ${n('shipment.courierAccountId')}, ${n('shipment.courierFields')}, ${n('shipment.byWayOfDelivery')}:`);
    if (r.baselinker.couriers.length === 0) lines.push('    none connected');
    for (const c of r.baselinker.couriers) {
      lines.push(`    ${c.code}  ${c.name}`);
      lines.push(`      accounts: ${c.accounts.length ? c.accounts.map((a) => `${a.id} (${a.name})`).join(', ') : 'none (add one in BaseLinker to ship with it)'}`);
      if (c.fields) {
        lines.push(`      form fields: ${c.fields.length ? c.fields.map((f) => `${f.id} (${f.type}${f.options ? `: ${f.options.join('|')}` : ''})`).join(', ') : 'none'}`);
        lines.push(`      parcel fields: ${c.packageFields?.join(', ') || 'none'}${c.multiPackages ? '; several parcels per package' : ''}`);
      }
    }
  }
  lines.push('', `Ongoing (${r.ongoing.url ?? 'not configured'})`);
  if (r.ongoing.error) lines.push(`  could not be read: ${r.ongoing.error}`);
  else {
    const g = r.ongoing.goodsOwner;
    lines.push(
      g
        ? `  Goods owner ${g.id} (${n('ongoing.goodsOwnerId')}): ${g.reachable ? `reachable${g.name ? `, "${g.name}"` : ''}` : `NOT reachable: ${g.problem}`}`
        : `  Goods owner: set ${n('ongoing.goodsOwnerId')} (the warehouse knows it; Ongoing's goods owner API has no call that lists them)`,
    );
    lines.push(`  Order statuses, for ${n('ongoing.inWorkStatusFrom')} and ${n('shipment.shipStatusFrom')}:`);
    lines.push(r.ongoing.orderStatuses.length ? indent(table(['NUMBER', 'TEXT', ''], r.ongoing.orderStatuses.map((s) => [String(s.number), s.text, used(s.usedBy)]))) : '    none');
    if (r.ongoing.transporters.length) {
      lines.push(`  Transporter codes of the goods owner, keys for ${n('shipment.byWayOfDelivery')}:`);
      lines.push(indent(table(['CODE', 'NAME', 'SERVICES', ''], r.ongoing.transporters.map((t) => [t.code, t.name, t.services.join(', '), used(t.usedBy)]))));
    }
  }
  lines.push('', 'Checks of the configured values');
  if (r.checks.length === 0) lines.push('  nothing configured to check yet');
  for (const c of r.checks) lines.push(`  ${c.ok ? 'ok  ' : 'FAIL'}  ${c.setting}: ${c.message}`);
  if (r.open.length) {
    lines.push('', 'Still to set (the configuration says):');
    for (const p of r.open) lines.push(`  ${p}`);
  }
  return lines.join('\n');
}
