/**
 * The simulator's in-memory account: plain data that tests may read and change directly. Values are
 * stored in clean types (numbers, booleans); the PHP-style spelling is applied only when answering.
 */

export interface SimInventory {
  inventory_id: number;
  name: string;
  description: string;
  languages: string[];
  default_language: string;
  price_groups: number[];
  default_price_group: number;
  /** Warehouse keys such as `bl_31`, `shop_77`. */
  warehouses: string[];
  default_warehouse: string;
  reservations: boolean;
  is_default: boolean;
}

export type SimWarehouseType = 'bl' | 'shop' | 'warehouse';

export interface SimWarehouse {
  warehouse_type: SimWarehouseType;
  warehouse_id: number;
  name: string;
  description: string;
  stock_edition: boolean;
  is_default: boolean;
}

/** A main product (parent_id 0) or a variant (parent_id = its main product). */
export interface SimProduct {
  id: number;
  inventory_id: number;
  parent_id: number;
  sku: string;
  ean: string;
  asin: string;
  /** Default-language name; for a variant its full variant name. */
  name: string;
  /** Main products only: `name`, `description`, `name|de`, `features`... */
  text_fields: Record<string, unknown>;
  prices: Record<string, number>;
  stock: Record<string, number>;
  locations: Record<string, string>;
  weight: number;
  height: number;
  width: number;
  length: number;
  tax_rate: number;
  category_id: number;
  manufacturer_id: number;
  images: Record<string, string>;
  tags: string[];
}

export interface SimOrderProduct {
  order_product_id: number;
  storage: 'db' | 'shop' | 'warehouse';
  storage_id: number;
  /** Empty when the line is not linked to a catalog product. */
  product_id: string;
  /** "0" when the line is not a variant. */
  variant_id: string;
  name: string;
  attributes: string;
  sku: string;
  ean: string;
  location: string;
  warehouse_id: number;
  auction_id: string;
  price_brutto: number;
  tax_rate: number;
  quantity: number;
  weight: number;
  bundle_id: number;
}

export interface SimOrder {
  order_id: number;
  shop_order_id: number;
  external_order_id: string;
  order_source: string;
  order_source_id: number;
  order_status_id: number;
  date_add: number;
  /** 0 while unconfirmed. */
  date_confirmed: number;
  date_in_status: number;
  confirmed: boolean;
  user_login: string;
  phone: string;
  email: string;
  user_comments: string;
  admin_comments: string;
  currency: string;
  payment_method: string;
  payment_method_cod: boolean;
  payment_done: number;
  delivery_method_id: number;
  delivery_method: string;
  delivery_price: number;
  delivery_package_module: string;
  delivery_package_nr: string;
  delivery_fullname: string;
  delivery_company: string;
  delivery_address: string;
  delivery_postcode: string;
  delivery_city: string;
  delivery_state: string;
  delivery_country: string;
  delivery_country_code: string;
  delivery_point_id: string;
  delivery_point_name: string;
  delivery_point_address: string;
  delivery_point_postcode: string;
  delivery_point_city: string;
  invoice_fullname: string;
  invoice_company: string;
  invoice_nip: string;
  invoice_address: string;
  invoice_postcode: string;
  invoice_city: string;
  invoice_state: string;
  invoice_country: string;
  invoice_country_code: string;
  want_invoice: boolean;
  extra_field_1: string;
  extra_field_2: string;
  custom_extra_fields: Record<string, unknown>;
  order_page: string;
  pick_state: number;
  pack_state: number;
  products: SimOrderProduct[];
}

export interface SimOrderStatus {
  id: number;
  name: string;
  name_for_customer: string;
  color: string;
}

export interface SimJournalEntry {
  log_id: number;
  order_id: number;
  log_type: number;
  object_id: number;
  /** Unix seconds. */
  date: number;
}

export interface SimCourierField {
  id: string;
  name: string;
  type: 'select' | 'checkbox' | 'text' | 'date';
  desc?: string;
  options?: Record<string, string>;
  value?: string;
}

export interface SimCourier {
  code: string;
  name: string;
  accounts: Array<{ id: number; name: string }>;
  multi_packages: boolean;
  fields: SimCourierField[];
  package_fields: SimCourierField[];
  /**
   * How getOrderPackages' tracking_url addresses this courier's tracking page: `{number}` the tracking number,
   * `{courier}` the courier code, `{postcode}` the delivery postcode (some couriers' pages want it beside the
   * number), `{package_id}` BaseLinker's package id. Default `https://tracking.example.invalid/{courier}/{number}`.
   */
  tracking_link?: string;
  /**
   * For a broker courier (one BaseLinker courier booking with several carriers): the carrier that took the
   * packages, which getOrderPackages lists as courier_other_name. Unset ('' listed) for a courier of its own.
   */
  carrier_name?: string;
}

export interface SimPackage {
  package_id: number;
  order_id: number;
  courier_code: string;
  account_id: number;
  /** "" until the courier has assigned it (tracking-number-later mode). */
  package_number: string;
  courier_inner_number: string;
  tracking_status: number;
  tracking_status_date: number;
  /** getOrderPackages answers that listed this package, for the tracking-number-later mode. */
  polls: number;
  packages: Array<Record<string, unknown>>;
  fields: Array<{ id: string; value: string }>;
  /** getOrderPackages' package_type: 0 standard, 1 return, 2 sent from a point (drop-off), 3 return sent from a point. */
  package_type: 0 | 1 | 2 | 3;
  /** Parcel keys and form field ids the courier's form does not have: taken and ignored, as a courier API does. */
  ignored?: string[];
}

export interface SimState {
  inventories: SimInventory[];
  warehouses: SimWarehouse[];
  products: Map<number, SimProduct>;
  orders: Map<number, SimOrder>;
  statuses: SimOrderStatus[];
  journal: SimJournalEntry[];
  couriers: SimCourier[];
  packages: Map<number, SimPackage>;
  nextId: {
    inventory: number;
    warehouse: number;
    product: number;
    order: number;
    orderProduct: number;
    package: number;
    log: number;
  };
}

export function emptyState(): SimState {
  return {
    inventories: [],
    warehouses: [],
    products: new Map(),
    orders: new Map(),
    statuses: [],
    journal: [],
    couriers: [],
    packages: new Map(),
    nextId: { inventory: 1200, warehouse: 31, product: 50011, order: 90001234, orderProduct: 300000001, package: 44010001, log: 7001 },
  };
}

/** Statuses and couriers every account has; catalog and orders start empty (see seed.ts). */
export function defaultStatuses(): SimOrderStatus[] {
  return [
    { id: 5501, name: 'Nowe zamówienia', name_for_customer: 'Zamówienie przyjęte', color: '#3A87AD' },
    { id: 5502, name: 'Do realizacji', name_for_customer: 'W realizacji', color: '#F89406' },
    { id: 5503, name: 'Przekazane do magazynu', name_for_customer: 'W realizacji', color: '#8E44AD' },
    { id: 5504, name: 'Wysłane', name_for_customer: 'Wysłane', color: '#33AA55' },
    { id: 5505, name: 'Anulowane', name_for_customer: 'Anulowane', color: '#B94A48' },
  ];
}

/** The two spellings of parcel sizes the sources disagree on: each courier's form says which it takes. */
const parcelFieldsPlain: SimCourierField[] = [
  { id: 'weight', name: 'Weight (kg)', type: 'text' },
  { id: 'length', name: 'Length (cm)', type: 'text' },
  { id: 'width', name: 'Width (cm)', type: 'text' },
  { id: 'height', name: 'Height (cm)', type: 'text' },
];

const parcelFields: SimCourierField[] = [
  { id: 'weight', name: 'Waga (kg)', type: 'text' },
  { id: 'size_length', name: 'Długość (cm)', type: 'text' },
  { id: 'size_width', name: 'Szerokość (cm)', type: 'text' },
  { id: 'size_height', name: 'Wysokość (cm)', type: 'text' },
];

export function defaultCouriers(): SimCourier[] {
  return [
    {
      code: 'dpd',
      name: 'DPD Polska',
      accounts: [{ id: 61, name: 'DPD – konto główne' }],
      multi_packages: true,
      fields: [
        { id: 'package_description', name: 'Opis zawartości', type: 'text', value: '' },
        { id: 'cod', name: 'Pobranie (kwota)', type: 'text', value: '' },
        { id: 'insurance', name: 'Ubezpieczenie (kwota)', type: 'text', value: '' },
        { id: 'service', name: 'Usługa', type: 'select', options: { classic: 'DPD Classic', next_day: 'Następny dzień' }, value: 'classic' },
      ],
      package_fields: parcelFields,
    },
    {
      code: 'paczkomaty',
      name: 'InPost Paczkomaty',
      accounts: [{ id: 72, name: 'InPost – sklep' }],
      multi_packages: false,
      fields: [{ id: 'size', name: 'Gabaryt', type: 'select', options: { A: 'Gabaryt A', B: 'Gabaryt B', C: 'Gabaryt C' }, value: 'A' }],
      package_fields: [{ id: 'weight', name: 'Waga (kg)', type: 'text' }],
    },
    {
      code: 'gls',
      name: 'GLS Poland',
      accounts: [{ id: 91, name: 'GLS – konto główne' }],
      multi_packages: true,
      fields: [
        { id: 'cod_amount', name: 'Cash on delivery amount', type: 'text', value: '' },
        { id: 'declared_value', name: 'Insurance: declared value', type: 'text', value: '' },
      ],
      package_fields: parcelFieldsPlain,
    },
    {
      code: 'pocztapolska',
      name: 'Poczta Polska',
      accounts: [
        { id: 83, name: 'Envelo – konto 1' },
        { id: 84, name: 'Envelo – konto 2' },
      ],
      multi_packages: true,
      fields: [{ id: 'priority', name: 'Priorytet', type: 'checkbox', options: { '1': 'Tak' } }],
      package_fields: parcelFields,
    },
  ];
}
