import { productDataSchema, type ProductData } from '../../shared/baselinker/schemas';
import {
  ARTICLE_LIMITS,
  convertLength,
  mapProduct,
  textField,
  variantArticleName,
  type ArticleMappingOptions,
  type ArticleOutcome,
  type MappedArticle,
} from '../../shared/mapping/article';

const M: ArticleMappingOptions = { lengthUnit: 'm' };

/** A product as the BaseLinker client returns it (parsed by the real schema, PHP spellings included). */
function product(id: number, raw: Record<string, unknown> = {}): ProductData {
  const parsed = productDataSchema().parse({
    parent_id: 0,
    sku: `SKU-${id}`,
    ean: '',
    weight: 0,
    height: 0,
    width: 0,
    length: 0,
    text_fields: { name: `Product ${id}` },
    variants: [],
    ...raw,
  });
  return { ...parsed, id };
}

function ok(outcome: ArticleOutcome): MappedArticle {
  if (!outcome.ok) throw new Error(`expected a mapped article, got: ${outcome.reason}`);
  return outcome;
}

describe('article mapping table, row by row', () => {
  const tshirt = product(50011, {
    sku: 'TSHIRT',
    ean: '5901234000011',
    weight: 0.2,
    height: 2,
    width: 25,
    length: 30,
    text_fields: { name: 'T-shirt', description: 'Cotton tee', 'name|de': 'T-Shirt', 'description|de': 'Baumwollshirt' },
    variants: {
      '50013': { name: 'red L', sku: 'TSHIRT-RED-L', ean: '', asin: '', prices: [], stock: [], locations: [] },
      '50012': { name: 'black M', sku: 'TSHIRT-BLK-M', ean: '5901234000028', asin: '', prices: [], stock: [], locations: [] },
    },
  });
  const [blackM, redL] = mapProduct(tshirt, M).map(ok);

  it('gives one article per variant and none for the parent, in variant id order', () => {
    expect(mapProduct(tshirt, M).map((a) => a.source.sourceId)).toEqual(['50012', '50013']);
    expect(blackM.source).toEqual({ blProductId: 50011, blVariantId: 50012, sourceId: '50012', label: 'variant 50012 of product 50011' });
  });

  it('article name: product name + " " + variant name', () => {
    expect(blackM.article.articleName).toBe('T-shirt black M');
  });

  it('article number: the variant SKU', () => {
    expect(blackM.article.articleNumber).toBe('TSHIRT-BLK-M');
    expect(blackM.sku).toBe('TSHIRT-BLK-M');
  });

  it('product code: the variant id', () => {
    expect(blackM.article.productCode).toBe('50012');
  });

  it("barcode: the variant EAN, or the product's when the variant has none", () => {
    expect(blackM.article.barCodeInfo).toEqual({ barCode: '5901234000028' });
    expect(redL.article.barCodeInfo).toEqual({ barCode: '5901234000011' });
  });

  it('weight from the product in kg, as is', () => {
    expect(blackM.article.weight).toBe(0.2);
    expect(redL.article.weight).toBe(0.2);
  });

  it('height, width, length from the product, cm converted to metres by default', () => {
    expect(blackM.article).toMatchObject({ height: 0.02, width: 0.25, length: 0.3 });
  });

  it('description: the product text field "description"', () => {
    expect(blackM.article.description).toBe('Cotton tee');
  });

  it('sends exactly the fields of the table', () => {
    expect(Object.keys(blackM.article).sort()).toEqual(
      ['articleName', 'articleNumber', 'barCodeInfo', 'description', 'height', 'length', 'productCode', 'weight', 'width'].sort(),
    );
  });

  it('a product without variants gives one article with its own name, SKU, id and EAN', () => {
    const mug = product(60001, { sku: 'MUG-1', ean: '5900000000017', weight: '0.35', length: '12.5', text_fields: { name: 'Mug' } });
    const outcomes = mapProduct(mug, M);
    expect(outcomes).toHaveLength(1);
    expect(ok(outcomes[0]).article).toEqual({
      articleNumber: 'MUG-1',
      articleName: 'Mug',
      productCode: '60001',
      description: null,
      barCodeInfo: { barCode: '5900000000017' },
      weight: 0.35,
      length: 0.125,
      width: 0,
      height: 0,
    });
    expect(outcomes[0].source).toEqual({ blProductId: 60001, sourceId: '60001', label: 'product 60001' });
  });

  it('a missing EAN everywhere sends an explicit empty barcode', () => {
    const plain = product(60002, { ean: '' });
    expect(ok(mapProduct(plain, M)[0]).article.barCodeInfo).toEqual({ barCode: null });
  });

  it('a variant without SKU takes the product SKU', () => {
    const p = product(60003, {
      sku: 'PARENT',
      variants: { '60004': { name: 'blue', sku: '', ean: '', asin: '', prices: [], stock: [], locations: [] } },
    });
    expect(ok(mapProduct(p, M)[0]).article.articleNumber).toBe('PARENT');
  });

  it('keeps unicode names and SKUs exactly, and counts characters as Ongoing (.NET) does', () => {
    const p = product(60005, {
      sku: 'ŻÓŁW-č-😀',
      text_fields: { name: 'Żółw pluszowy — 日本語', description: 'Ünïcödé ✓' },
      variants: { '60006': { name: 'zielony ł', sku: '', ean: '', asin: '', prices: [], stock: [], locations: [] } },
    });
    const a = ok(mapProduct(p, M)[0]);
    expect(a.article.articleName).toBe('Żółw pluszowy — 日本語 zielony ł');
    expect(a.article.articleNumber).toBe('ŻÓŁW-č-😀');
    expect(a.article.description).toBe('Ünïcödé ✓');
    // 😀 is two UTF-16 code units, as in .NET string length: 49 + 😀 = 51 > 50.
    const long = product(60007, { sku: `${'A'.repeat(49)}😀` });
    expect(mapProduct(long, M)[0]).toMatchObject({ ok: false, reason: expect.stringContaining('SKU is 51 characters long; Ongoing takes at most 50') });
  });
});

describe('variant names', () => {
  it('does not double the product name when the variant name already starts with it', () => {
    expect(variantArticleName('T-shirt', 'T-shirt black M')).toBe('T-shirt black M');
    expect(variantArticleName('T-shirt', 't-shirt, black')).toBe('t-shirt, black');
    expect(variantArticleName('T-shirt', 'T-shirt')).toBe('T-shirt');
  });

  it('adds the product name when the variant name merely begins with the same letters', () => {
    expect(variantArticleName('Mug', 'Mugs set of 2')).toBe('Mug Mugs set of 2');
    expect(variantArticleName('Żółw', 'zielony')).toBe('Żółw zielony');
  });

  it('uses whichever name exists when the other is blank', () => {
    expect(variantArticleName('Mug', '  ')).toBe('Mug');
    expect(variantArticleName('', 'blue')).toBe('blue');
  });

  it('maps a product whose variant carries the full name to that name', () => {
    const p = product(1, {
      text_fields: { name: 'T-shirt' },
      variants: { '2': { name: 'T-shirt black M', sku: 'X', ean: '', asin: '', prices: [], stock: [], locations: [] } },
    });
    expect(ok(mapProduct(p, M)[0]).article.articleName).toBe('T-shirt black M');
  });
});

describe('text fields and units (settings)', () => {
  const fields = { name: 'Mug', 'name|de': 'Becher', 'name|de|amazon_1': 'Kaffeebecher', description: 'A mug', 'description|de': '' };

  it('takes the default-language name and description unless a language is set', () => {
    expect(textField(fields, 'name')).toBe('Mug');
    expect(textField(fields, 'name', 'de')).toBe('Becher');
  });

  it('takes the name from an explicit source key when set', () => {
    expect(textField(fields, 'name', 'de', 'name|de|amazon_1')).toBe('Kaffeebecher');
    const p = product(7, { text_fields: fields });
    expect(ok(mapProduct(p, { lengthUnit: 'm', textLanguage: 'de', nameSource: 'name|de|amazon_1' })[0]).article.articleName).toBe('Kaffeebecher');
  });

  it('falls back to the default language when the chosen one is empty or missing', () => {
    expect(textField(fields, 'description', 'de')).toBe('A mug');
    expect(textField(fields, 'name', 'fr')).toBe('Mug');
  });

  it('converts centimetres to the configured length unit without float noise', () => {
    expect(convertLength(30, 'm')).toBe(0.3);
    expect(convertLength(0.7, 'm')).toBe(0.007);
    expect(convertLength(12.5, 'cm')).toBe(12.5);
    expect(convertLength(12.5, 'mm')).toBe(125);
    const p = product(8, { height: 2, width: 25, length: 30 });
    expect(ok(mapProduct(p, { lengthUnit: 'mm' })[0]).article).toMatchObject({ height: 20, width: 250, length: 300 });
  });
});

describe('bad catalog data becomes a problem with a reason, never a cut value', () => {
  it('refuses a blank SKU', () => {
    const p = product(10, { sku: '   ' });
    expect(mapProduct(p, M)[0]).toEqual(expect.objectContaining({ ok: false, reason: 'product 10 has no SKU (Ongoing needs an article number)' }));
  });

  it('refuses a name over the limit instead of cutting it', () => {
    const p = product(11, { text_fields: { name: 'N'.repeat(ARTICLE_LIMITS.articleName + 1) } });
    expect(mapProduct(p, M)[0]).toMatchObject({ ok: false, reason: 'product 11 (SKU "SKU-11") name is 201 characters long; Ongoing takes at most 200' });
    const fits = product(12, { text_fields: { name: 'N'.repeat(ARTICLE_LIMITS.articleName) } });
    expect(ok(mapProduct(fits, M)[0]).article.articleName).toHaveLength(200);
  });

  it('refuses negative and non-numeric sizes, naming each', () => {
    const p = product(13, { weight: -1 });
    (p as { height: unknown }).height = Number.NaN;
    expect(mapProduct(p, M)[0]).toMatchObject({ ok: false, reason: 'product 13 (SKU "SKU-13") weight is negative: -1; height is not a number: NaN' });
    const odd = { ...product(14), length: 'abc' } as unknown as ProductData;
    expect(mapProduct(odd, M)[0]).toMatchObject({ ok: false, reason: expect.stringContaining('length is not a number: "abc"') });
  });

  it('refuses an article without any name', () => {
    const p = product(15, { text_fields: { description: 'x' } });
    expect(mapProduct(p, M)[0]).toMatchObject({ ok: false, reason: 'product 15 (SKU "SKU-15") has no name' });
  });

  it('judges each variant on its own', () => {
    const p = product(16, {
      sku: '',
      variants: {
        '17': { name: 'a', sku: 'OK-17', ean: '', asin: '', prices: [], stock: [], locations: [] },
        '18': { name: 'b', sku: '', ean: '', asin: '', prices: [], stock: [], locations: [] },
      },
    });
    const [a, b] = mapProduct(p, M);
    expect(a.ok).toBe(true);
    expect(b).toMatchObject({ ok: false, source: { sourceId: '18' }, reason: 'variant 18 of product 16 has no SKU (Ongoing needs an article number)' });
  });
});

describe('content hash', () => {
  it('is equal for equal content and changes with any sent field', () => {
    const a = ok(mapProduct(product(20, { ean: '1' }), M)[0]);
    const same = ok(mapProduct(product(20, { ean: '1' }), M)[0]);
    const otherEan = ok(mapProduct(product(20, { ean: '2' }), M)[0]);
    expect(same.hash).toBe(a.hash);
    expect(otherEan.hash).not.toBe(a.hash);
    // Fields the mapping does not send (stock, prices) do not change it.
    const otherStock = ok(mapProduct(product(20, { ean: '1', stock: { bl_1: 5 } }), M)[0]);
    expect(otherStock.hash).toBe(a.hash);
  });
});
