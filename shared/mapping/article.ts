import { createHash } from 'node:crypto';
import type { ProductData, VariantData } from '../baselinker/schemas';
import type { ArticleInput } from '../ongoing/client';

/**
 * BaseLinker catalog -> Ongoing articles: the spec's article mapping table, as one pure module.
 *
 * | Ongoing            | BaseLinker                                                                  |
 * |--------------------|-----------------------------------------------------------------------------|
 * | articleName        | product name + " " + variant name (product name alone without a variant)    |
 * | articleNumber      | variant SKU, or product SKU                                                 |
 * | productCode        | variant id, or product id                                                   |
 * | barCodeInfo.barCode| variant EAN, or product EAN                                                 |
 * | weight             | product weight                                                              |
 * | height/width/length| product height/width/length                                                 |
 * | description        | product text field "description"                                            |
 *
 * "Variant, or product": the variant's value when the article comes from a variant and that value is
 * present, else the product's. A product with variants gives one article per variant and none for itself.
 *
 * Units. BaseLinker: weight in kg, sizes in cm (baselinker-api §3.4). Ongoing: weight in kg (its own C#
 * example); length/width/height unstated, metres is the likely unit (ongoing-api §4.1, [I]). So weight is
 * passed as is and sizes are converted from cm to the tenant's `articles.lengthUnit` (default "m").
 *
 * Nothing is cut short: a value over Ongoing's working limits (articleNumber ≤ 50, name ≤ 200; ongoing-api
 * §4.2, [I]) makes the article a problem with a reason, set aside for a person.
 */

export type LengthUnit = 'm' | 'cm' | 'mm';

export interface ArticleMappingOptions {
  /** Two-letter language of the name and description text fields; absent = the catalog's default language. */
  textLanguage?: string;
  /** Text field key of the name, e.g. "name|de|amazon_1"; wins over textLanguage for the name. */
  nameSource?: string;
  lengthUnit: LengthUnit;
}

/** Ongoing's working limits (ongoing-api §4.2: not documented for REST, these are the safe values). */
export const ARTICLE_LIMITS = { articleNumber: 50, articleName: 200 } as const;

/** Bump when the mapping changes what is sent, so every article is written once more. */
export const ARTICLE_MAPPING_VERSION = 1;

/** Where an article comes from in BaseLinker. */
export interface ArticleSource {
  blProductId: number;
  blVariantId?: number;
  /** The set-aside id: the variant id, or the product id (BaseLinker ids are unique across both). */
  sourceId: string;
  /** For people: `product 50011` or `variant 50012 of product 50011`. */
  label: string;
}

export interface MappedArticle {
  ok: true;
  source: ArticleSource;
  sku: string;
  /** The PUT /articles body, without goodsOwnerId (the client adds it). */
  article: ArticleInput & { articleNumber: string };
  /** Content hash of `article`: equal hash = nothing to write. */
  hash: string;
}

export interface ArticleProblem {
  ok: false;
  source: ArticleSource;
  /** The SKU the article would have had ('' when blank). */
  sku: string;
  reason: string;
}

export type ArticleOutcome = MappedArticle | ArticleProblem;

export function sourceOf(productId: number, variantId?: number): ArticleSource {
  return variantId === undefined
    ? { blProductId: productId, sourceId: String(productId), label: `product ${productId}` }
    : { blProductId: productId, blVariantId: variantId, sourceId: String(variantId), label: `variant ${variantId} of product ${productId}` };
}

/** Every article one BaseLinker product gives: one per variant, or one for the product itself. */
export function mapProduct(product: ProductData, options: ArticleMappingOptions): ArticleOutcome[] {
  const productName = textField(product.text_fields, 'name', options.textLanguage, options.nameSource);
  const description = textField(product.text_fields, 'description', options.textLanguage);
  if (product.variants.length === 0) {
    return [mapOne(product, undefined, productName, description, options)];
  }
  return [...product.variants].sort((a, b) => a.id - b.id).map((variant) => mapOne(product, variant, productName, description, options));
}

function mapOne(
  product: ProductData,
  variant: VariantData | undefined,
  productName: string,
  description: string,
  options: ArticleMappingOptions,
): ArticleOutcome {
  const source = sourceOf(product.id, variant?.id);
  const sku = present(variant?.sku) ?? product.sku;
  const ean = present(variant?.ean) ?? present(product.ean);
  const name = variant ? variantArticleName(productName, variant.name) : productName.trim();

  const problems: string[] = [];
  if (!sku.trim()) problems.push('has no SKU (Ongoing needs an article number)');
  else if (sku.length > ARTICLE_LIMITS.articleNumber) {
    problems.push(`SKU is ${sku.length} characters long; Ongoing takes at most ${ARTICLE_LIMITS.articleNumber}`);
  }
  if (!name) problems.push('has no name');
  else if (name.length > ARTICLE_LIMITS.articleName) {
    problems.push(`name is ${name.length} characters long; Ongoing takes at most ${ARTICLE_LIMITS.articleName}`);
  }
  for (const field of MEASURES) {
    const problem = measureProblem(field, (product as Record<string, unknown>)[field]);
    if (problem) problems.push(problem);
  }
  if (problems.length > 0) return { ok: false, source, sku, reason: `${describe(source, sku)} ${problems.join('; ')}` };

  const article: MappedArticle['article'] = {
    articleNumber: sku,
    articleName: name,
    productCode: String(variant?.id ?? product.id),
    description: description || null,
    // Sent even when empty: Ongoing's handling of an omitted field is undocumented, so we always send the
    // full set we own (ongoing-api §4.1); a removed EAN is then removed in Ongoing too.
    barCodeInfo: { barCode: ean ?? null },
    weight: product.weight,
    length: convertLength(product.length, options.lengthUnit),
    width: convertLength(product.width, options.lengthUnit),
    height: convertLength(product.height, options.lengthUnit),
  };
  return { ok: true, source, sku, article, hash: articleHash(article) };
}

const MEASURES = ['weight', 'length', 'width', 'height'] as const;

/** Why a weight or size cannot be sent ("weight is not a number: "abc""), or undefined when it can. */
export function measureProblem(field: string, value: unknown): string | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) return `${field} is not a number: ${shown(value)}`;
  if (value < 0) return `${field} is negative: ${value}`;
  return undefined;
}

/** "variant 50012 of product 50011 (SKU "X")" — the start of every reason. */
export function describe(source: ArticleSource, sku: string): string {
  return sku.trim() ? `${source.label} (SKU ${JSON.stringify(sku)})` : source.label;
}

/**
 * The spec says product name + variant name. BaseLinker's variant `name` is often already the full name
 * ("T-shirt black M" for product "T-shirt", baselinker-api §3.4), so when the variant name starts with the
 * product name as a whole word we use the variant name alone instead of doubling the product name.
 */
export function variantArticleName(productName: string, variantName: string): string {
  const product = productName.trim();
  const variant = variantName.trim();
  if (!variant) return product;
  if (!product) return variant;
  const p = product.normalize('NFC').toLocaleLowerCase();
  const v = variant.normalize('NFC').toLocaleLowerCase();
  if (v.startsWith(p) && (v.length === p.length || /[\s\-–—,/(|:;.]/.test(v[p.length]))) return variant;
  return `${product} ${variant}`;
}

/**
 * A text field: the explicit key (nameSource) if given and filled, else the field in textLanguage, else
 * the default-language field. Falling back beats sending no name: a product not translated yet still
 * gets an article. Keys are `field`, `field|lang`, `field|lang|source` (baselinker-api §3.4).
 */
export function textField(fields: Record<string, unknown>, field: 'name' | 'description', language?: string, explicitKey?: string): string {
  for (const key of [explicitKey, language ? `${field}|${language}` : undefined, field]) {
    if (!key) continue;
    const value = fields[key];
    if (typeof value === 'string' && value.trim()) return value.trim();
    if (typeof value === 'number') return String(value);
  }
  return '';
}

/** cm (BaseLinker) -> the tenant's unit; rounded so 30 cm is 0.3 m, not 0.30000000000000004. */
export function convertLength(cm: number, unit: LengthUnit): number {
  if (unit === 'cm') return cm;
  if (unit === 'mm') return round(cm * 10, 6);
  return round(cm / 100, 8);
}

export function articleHash(article: MappedArticle['article']): string {
  return createHash('sha256').update(`${ARTICLE_MAPPING_VERSION}\n${JSON.stringify(article)}`).digest('base64url');
}

function round(value: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}

function present(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== '' ? value : undefined;
}

function shown(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'number') return String(value);
  const text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
