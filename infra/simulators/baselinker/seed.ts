import type { BaseLinkerSimulator } from './simulator';

/** A small, realistic Polish shop for the local demo: a few products, some with variants, and orders. */

export interface DemoCatalog {
  inventoryId: number;
  /** The writable BaseLinker warehouse, e.g. `bl_31`. */
  warehouseKey: string;
  /** The read-only shop mirror, e.g. `shop_77`. */
  shopWarehouseKey: string;
  /** SKU => product or variant id. */
  ids: Record<string, number>;
}

export function seedDemoCatalog(sim: BaseLinkerSimulator): DemoCatalog {
  const inv = sim.addInventory({ name: 'Sklep Łąka – katalog główny', description: 'Odzież i dodatki' });
  const bl = sim.addWarehouse({ inventoryId: inv.inventory_id, warehouse_type: 'bl', name: 'Magazyn Łódź (Ongoing)' });
  const shop = sim.addWarehouse({
    inventoryId: inv.inventory_id,
    warehouse_type: 'shop',
    warehouse_id: 77,
    name: 'Sklep internetowy (lustro)',
    stock_edition: false,
    is_default: false,
  });
  const ids: Record<string, number> = {};
  const price = (gross: number) => ({ '7': gross });

  const tee = sim.addProduct(inv.inventory_id, {
    sku: 'KOSZ-ZUBR',
    ean: '5901234000011',
    name: 'Koszulka bawełniana „Żubr”',
    text_fields: { description: 'Miękka koszulka z bawełny organicznej, nadruk z żubrem.', 'name|en': 'Cotton T-shirt "Bison"', features: { Materiał: 'bawełna 100%' } },
    prices: price(79.99),
    weight: 0.2,
    height: 2,
    width: 25,
    length: 30,
    category_id: 3,
    images: { '1': 'https://img.example.invalid/kosz-zubr-1.jpg' },
  });
  ids[tee.sku] = tee.id;
  for (const [size, stock] of [['S', 12], ['M', 20], ['L', 7]] as const) {
    const v = sim.addVariant(tee.id, {
      sku: `KOSZ-ZUBR-${size}`,
      ean: `59012340001${size === 'S' ? '28' : size === 'M' ? '35' : '42'}`,
      name: `Koszulka bawełniana „Żubr” – rozmiar ${size}`,
      prices: price(79.99),
      stock: { [bl]: stock, [shop]: stock },
      locations: { [bl]: `A-1-${size}` },
    });
    ids[v.sku] = v.id;
  }

  const singles = [
    { sku: 'KUB-GES', ean: '5901234000059', name: 'Kubek ceramiczny „Gęś”', description: 'Ręcznie malowany kubek, 350 ml.', gross: 39.9, kg: 0.35, dims: [10, 9, 12], stock: 40 },
    { sku: 'SWI-LAS', ean: '5901234000066', name: 'Świeca sojowa – zapach leśny', description: 'Świeca z wosku sojowego, czas palenia ok. 40 h.', gross: 49.0, kg: 0.4, dims: [9, 9, 11], stock: 0 },
    { sku: 'ZESZ-A5', ean: '5901234000073', name: 'Zeszyt w kratkę A5, 96 kartek', description: 'Okładka z papieru z recyklingu.', gross: 12.5, kg: 0.18, dims: [1, 15, 21], stock: 150 },
  ];
  for (const s of singles) {
    const p = sim.addProduct(inv.inventory_id, {
      sku: s.sku,
      ean: s.ean,
      name: s.name,
      text_fields: { description: s.description },
      prices: price(s.gross),
      stock: { [bl]: s.stock, [shop]: s.stock },
      weight: s.kg,
      height: s.dims[0],
      width: s.dims[1],
      length: s.dims[2],
    });
    ids[p.sku] = p.id;
  }

  const bag = sim.addProduct(inv.inventory_id, {
    sku: 'TORBA-LEN',
    ean: '5901234000080',
    name: 'Torba lniana na zakupy',
    text_fields: { description: 'Mocna torba z lnu, uszy 60 cm.' },
    prices: price(29.0),
    weight: 0.15,
    height: 1,
    width: 38,
    length: 42,
  });
  ids[bag.sku] = bag.id;
  for (const [colour, suffix, stock] of [['naturalna', 'NAT', 25], ['czarna', 'CZA', 3]] as const) {
    const v = sim.addVariant(bag.id, { sku: `TORBA-LEN-${suffix}`, ean: '', name: `Torba lniana na zakupy – ${colour}`, prices: price(29.0), stock: { [bl]: stock } });
    ids[v.sku] = v.id;
  }
  return { inventoryId: inv.inventory_id, warehouseKey: bl, shopWarehouseKey: shop, ids };
}

/** Orders in several states: to fulfil, new, unconfirmed, to a parcel locker, with an invoice. */
export function seedDemoOrders(sim: BaseLinkerSimulator, catalog?: DemoCatalog): number[] {
  const nowS = Math.floor(sim.now() / 1000);
  const line = (sku: string, quantity: number) => {
    const id = catalog?.ids[sku];
    const product = id !== undefined ? sim.state.products.get(id) : undefined;
    const main = product && product.parent_id !== 0 ? product.parent_id : product?.id;
    return {
      product_id: main !== undefined ? String(main) : '',
      variant_id: product && product.parent_id !== 0 ? String(product.id) : '0',
      sku,
      name: product?.name ?? sku,
      ean: product?.ean ?? '',
      quantity,
      price_brutto: product?.prices['7'] ?? 10,
      weight: product?.weight ?? 0.2,
    };
  };
  // The default statuses: [1] "Do realizacji" (to fulfil), [3] "Wysłane" (shipped).
  const toFulfil = sim.state.statuses[1]?.id;
  const shipped = sim.state.statuses[3]?.id;
  const ids: number[] = [];

  ids.push(
    sim.addOrder(
      {
        order_status_id: toFulfil,
        external_order_id: 'SK-2026-0412',
        shop_order_id: 412,
        email: 'zofia.wojcik@example.invalid',
        delivery_fullname: 'Zofia Wójcik',
        delivery_address: 'ul. Długa 5/3',
        delivery_postcode: '31-147',
        delivery_city: 'Kraków',
        user_comments: 'Proszę o dostawę po 16:00.',
        payment_done: 199.87,
        products: [line('KOSZ-ZUBR-M', 2), line('KUB-GES', 1)],
      },
      { createdAt: nowS - 3600, confirmedAt: nowS - 3500 },
    ).order_id,
  );
  ids.push(
    sim.addOrder(
      {
        order_status_id: toFulfil,
        email: 'grzegorz.brzeczyszczykiewicz@example.invalid',
        phone: '+48 501 222 333',
        delivery_method: 'InPost Paczkomaty 24/7',
        delivery_fullname: 'Grzegorz Brzęczyszczykiewicz',
        delivery_address: 'ul. Świętokrzyska 12',
        delivery_postcode: '00-916',
        delivery_city: 'Warszawa',
        delivery_point_id: 'WAW22A',
        delivery_point_name: 'Paczkomat WAW22A',
        delivery_point_address: 'ul. Świętokrzyska 14',
        delivery_point_postcode: '00-916',
        delivery_point_city: 'Warszawa',
        payment_done: 41.5,
        products: [line('ZESZ-A5', 2), line('TORBA-LEN-NAT', 1)],
      },
      { createdAt: nowS - 1800, confirmedAt: nowS - 1700 },
    ).order_id,
  );
  ids.push(
    sim.addOrder(
      {
        order_source: 'allegro',
        order_source_id: 8801,
        external_order_id: '7d1c2e0a-ae1f-11f0-8de9-0242ac120002',
        user_login: 'pszczolka_maja',
        email: 'malgorzata.zajac@example.invalid',
        delivery_fullname: 'Małgorzata Zając',
        delivery_company: 'Pracownia Ćma Sp. z o.o.',
        delivery_address: 'ul. Ogrodowa 7',
        delivery_postcode: '80-837',
        delivery_city: 'Gdańsk',
        want_invoice: true,
        invoice_fullname: 'Małgorzata Zając',
        invoice_company: 'Pracownia Ćma Sp. z o.o.',
        invoice_nip: '5842751234',
        invoice_address: 'ul. Ogrodowa 7',
        invoice_postcode: '80-837',
        invoice_city: 'Gdańsk',
        invoice_country: 'Polska',
        invoice_country_code: 'PL',
        payment_done: 98.0,
        products: [line('SWI-LAS', 2)],
      },
      { createdAt: nowS - 900, confirmedAt: nowS - 850 },
    ).order_id,
  );
  // The buyer has not finished checkout yet: hidden from getOrders by default.
  ids.push(sim.addOrder({ email: 'lukasz.krol@example.invalid', delivery_fullname: 'Łukasz Król', products: [line('KOSZ-ZUBR-L', 1)] }, { createdAt: nowS - 300, confirmedAt: null }).order_id);
  ids.push(
    sim.addOrder(
      { order_status_id: shipped, delivery_fullname: 'Jędrzej Śliwa', delivery_city: 'Poznań', delivery_postcode: '61-001', products: [line('KUB-GES', 4)] },
      { createdAt: nowS - 86_400, confirmedAt: nowS - 86_000 },
    ).order_id,
  );
  return ids;
}
