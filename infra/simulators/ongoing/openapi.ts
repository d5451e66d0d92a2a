import requestSchemas from './openapi-requests.json';

/**
 * The Ongoing simulator checks every request body against Ongoing's own OpenAPI document, the way the real
 * API's model binding reads it, but stricter in one way: every object is closed. ASP.NET silently drops a key
 * it does not know, so a key we send that the model lacks is a key we wrongly believe does something; the
 * simulator answers 400 naming its path instead.
 *
 * The simulator must run on a fresh clone (no ../shared), so it validates with `openapi-requests.json`: the
 * request-body schemas of the routes it serves, cut out of the reference document by `trimOpenApi` below
 * (a test checks the copy still equals a fresh cut whenever the reference is beside the repository).
 */

export interface OpenApiSchema {
  type?: string;
  format?: string;
  nullable?: boolean;
  properties?: Record<string, OpenApiSchema>;
  required?: string[];
  items?: OpenApiSchema;
  allOf?: OpenApiSchema[];
  $ref?: string;
  minLength?: number;
  maxLength?: number;
  [key: string]: unknown;
}

export interface TrimmedOpenApi {
  /** Where the cut came from, for people reading the file. */
  source: string;
  /** Simulator route name -> the OpenAPI operation and the schema of its JSON body. */
  operations: Record<string, { operationId: string; path: string; method: string; body: string }>;
  /** Every schema the bodies use, transitively, exactly as in the reference. */
  schemas: Record<string, OpenApiSchema>;
}

/** The simulator's write routes with a JSON body, and the reference operation each one is. */
export const BODY_ROUTES: Record<string, { path: string; method: string }> = {
  'PUT /articles': { path: '/api/v1/articles', method: 'put' },
  'PUT /orders': { path: '/api/v1/orders', method: 'put' },
  'PUT /orders/{orderId}/files': { path: '/api/v1/orders/{orderId}/files', method: 'put' },
  'POST /orders/{orderId}/files': { path: '/api/v1/orders/{orderId}/files', method: 'post' },
  'PUT /orders/{orderId}/files/{fileId}': { path: '/api/v1/orders/{orderId}/files/{fileId}', method: 'put' },
  'PUT /orders/{orderId}/orderTracking': { path: '/api/v1/orders/{orderId}/orderTracking', method: 'put' },
  'PATCH /orders/{orderId}/waybill': { path: '/api/v1/orders/{orderId}/waybill', method: 'patch' },
  'PATCH /orders/{orderId}/orderRemark': { path: '/api/v1/orders/{orderId}/orderRemark', method: 'patch' },
};

const refName = (ref: string) => ref.slice(ref.lastIndexOf('/') + 1);

/** Cuts the request-body schemas of BODY_ROUTES (and everything they reference) out of the reference document. */
export function trimOpenApi(doc: { paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, OpenApiSchema> } }): TrimmedOpenApi {
  const all = doc.components.schemas;
  const schemas: Record<string, OpenApiSchema> = {};
  const take = (name: string): void => {
    if (schemas[name]) return;
    const schema = all[name];
    if (!schema) throw new Error(`the reference has no schema ${name}`);
    schemas[name] = schema;
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object') {
        for (const [key, value] of Object.entries(node)) {
          if (key === '$ref' && typeof value === 'string') take(refName(value));
          else walk(value);
        }
      }
    };
    walk(schema);
  };
  const operations: TrimmedOpenApi['operations'] = {};
  for (const [route, { path, method }] of Object.entries(BODY_ROUTES)) {
    const op = doc.paths[path]?.[method] as { operationId: string; requestBody?: { content?: Record<string, { schema?: OpenApiSchema }> } } | undefined;
    const ref = op?.requestBody?.content?.['application/json']?.schema?.$ref;
    if (!op || !ref) throw new Error(`the reference has no JSON body for ${method.toUpperCase()} ${path}`);
    operations[route] = { operationId: op.operationId, path, method, body: refName(ref) };
    take(refName(ref));
  }
  const sorted = Object.fromEntries(Object.keys(schemas).sort().map((k) => [k, schemas[k]!]));
  return { source: 'ongoing-openapi.json (../shared/reference), request bodies of the simulated routes', operations, schemas: sorted };
}

export interface BodyIssue {
  /** e.g. `consignee.invoiceAddress.advanced.emailNotification.toBeNotified` ('' = the body itself). */
  path: string;
  message: string;
}

/** ASP.NET's wording: `The OrderNumber field is required.`, else the path and what is wrong. */
export function issueText(issue: BodyIssue): string {
  if (issue.message === 'is required') {
    const last = issue.path.slice(issue.path.lastIndexOf('.') + 1).replace(/\[\d+\]$/, '');
    return `The ${last.charAt(0).toUpperCase()}${last.slice(1)} field is required.`;
  }
  return `${issue.path || 'The body'} ${issue.message}.`;
}

const trimmed = requestSchemas as unknown as TrimmedOpenApi;

/** What is wrong with `body` for `route` by Ongoing's model (objects closed); [] when it fits or the route takes no body. */
export function bodyIssues(route: string, body: unknown, spec: TrimmedOpenApi = trimmed): BodyIssue[] {
  const op = spec.operations[route];
  if (!op) return [];
  const issues: BodyIssue[] = [];
  check(spec, { $ref: `#/components/schemas/${op.body}` }, body, '', issues);
  return issues;
}

function resolve(spec: TrimmedOpenApi, schema: OpenApiSchema): OpenApiSchema {
  let s = schema;
  // `allOf: [{$ref}]` with `nullable` is how the generator wrote a nullable nested model.
  while (s.$ref || (s.allOf && s.allOf.length === 1)) {
    const nullable = s.nullable;
    const next = s.$ref ? spec.schemas[refName(s.$ref)] : s.allOf![0]!;
    if (!next) throw new Error(`unknown schema ${s.$ref}`);
    s = nullable ? { ...next, nullable: true } : next;
  }
  return s;
}

const join = (path: string, key: string | number) => (typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key);

function check(spec: TrimmedOpenApi, raw: OpenApiSchema, value: unknown, path: string, issues: BodyIssue[]): void {
  const schema = resolve(spec, raw);
  if (value === null) {
    if (!schema.nullable) issues.push({ path, message: 'must not be null' });
    return;
  }
  switch (schema.type) {
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) return void issues.push({ path, message: 'must be an object' });
      const record = value as Record<string, unknown>;
      const properties = schema.properties ?? {};
      for (const key of schema.required ?? []) {
        if (record[key] === undefined) issues.push({ path: join(path, key), message: 'is required' });
      }
      for (const [key, item] of Object.entries(record)) {
        if (item === undefined) continue;
        const property = properties[key];
        if (!property) issues.push({ path: join(path, key), message: 'is not a field of this model (Ongoing would ignore it)' });
        else check(spec, property, item, join(path, key), issues);
      }
      return;
    }
    case 'array':
      if (!Array.isArray(value)) return void issues.push({ path, message: 'must be an array' });
      value.forEach((item, i) => schema.items && check(spec, schema.items, item, join(path, i), issues));
      return;
    case 'string':
      if (typeof value !== 'string') return void issues.push({ path, message: 'must be a string' });
      // ASP.NET's [Required] refuses an empty string as missing.
      if (schema.minLength !== undefined && value.length < schema.minLength) issues.push({ path, message: value === '' ? 'is required' : `must have at least ${schema.minLength} characters` });
      if (schema.maxLength !== undefined && value.length > schema.maxLength) issues.push({ path, message: `must have at most ${schema.maxLength} characters` });
      if (schema.format === 'date-time' && Number.isNaN(Date.parse(value))) issues.push({ path, message: 'must be a date and time' });
      return;
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) issues.push({ path, message: 'must be an integer' });
      return;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) issues.push({ path, message: 'must be a number' });
      return;
    case 'boolean':
      if (typeof value !== 'boolean') issues.push({ path, message: 'must be true or false' });
      return;
    default:
      return;
  }
}
