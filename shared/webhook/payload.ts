import * as z from '../util/zod';

/**
 * Ongoing's order webhook payload (regular "order status changed" webhook). Only what the shipment needs is
 * checked; everything else Ongoing sends is kept but not relied on. Ids may arrive as numbers or numeric
 * strings. The body is small by design: the order itself is read from Ongoing's API.
 */
const id = (what: string) =>
  z.pipe(
    z.pipe(
      z.union([z.number(), z.string().check(z.trim(), z.regex(/^\d+$/, `${what} must be a whole number`))], { error: `${what} is required (a whole number)` }),
      z.transform(Number),
    ),
    z.number().check(z.int({ error: `${what} must be a whole number` }), z.positive({ error: `${what} must be positive` })),
  );

export const OrderWebhookSchema = z.looseObject({
  webhookEventId: z.pipe(
    z.union([z.number().check(z.int()), z.string().check(z.trim(), z.minLength(1))], { error: 'webhookEventId is required' }),
    z.transform((v) => String(v)),
  ),
  orderId: id('orderId'),
  goodsOwnerId: id('goodsOwnerId'),
  orderNumber: z.nullish(z.string()),
  goodsOwnerOrderId: z.nullish(z.string()),
  orderStatus: z.nullish(z.looseObject({ number: z.number().check(z.int()) })),
  timestamp: z.nullish(z.string()),
});
export type OrderWebhook = z.output<typeof OrderWebhookSchema>;

export type ParsedWebhook = { ok: true; payload: OrderWebhook } | { ok: false; problem: string };

/** The payload from an API Gateway body (a string, base64 when API Gateway treated it as binary). */
export function parseOrderWebhook(body: string | null | undefined, isBase64Encoded = false): ParsedWebhook {
  if (!body) return { ok: false, problem: 'the request has no body' };
  let json: unknown;
  try {
    json = JSON.parse(isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body);
  } catch {
    return { ok: false, problem: 'the body is not JSON' };
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return { ok: false, problem: 'the body is not a JSON object' };
  const parsed = OrderWebhookSchema.safeParse(json);
  if (!parsed.success) {
    return { ok: false, problem: parsed.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ') };
  }
  return { ok: true, payload: parsed.data };
}
