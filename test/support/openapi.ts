import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Checks a request body against a model of Ongoing's OpenAPI document (../shared/reference/ongoing-openapi.json)
 * with every object closed: ASP.NET drops a key it does not know, so a key outside the model is one we wrongly
 * believe does something (ongoing-openapi.md). Covers what the document uses for request models: $ref, allOf,
 * nullable, type, format, required, minLength, items.
 */

type Schema = {
  $ref?: string;
  allOf?: Schema[];
  type?: string;
  format?: string;
  nullable?: boolean;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  minLength?: number;
  maxLength?: number;
  enum?: unknown[];
};

let models: Record<string, Schema> | undefined;

function loadModels(): Record<string, Schema> {
  if (!models) {
    const doc = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'shared', 'reference', 'ongoing-openapi.json'), 'utf8'));
    models = doc.components.schemas as Record<string, Schema>;
  }
  return models;
}

function resolve(schema: Schema): Schema {
  if (schema.$ref) return resolve(loadModels()[schema.$ref.replace('#/components/schemas/', '')]!);
  if (schema.allOf?.length === 1) return { ...resolve(schema.allOf[0]!), nullable: schema.nullable };
  return schema;
}

/** Every place where `value` leaves the model `name`, as "path: problem"; empty when it fits. */
export function openApiProblems(name: string, value: unknown): string[] {
  const problems: string[] = [];
  const check = (raw: Schema, v: unknown, path: string) => {
    const s = resolve(raw);
    if (v === null) {
      if (!s.nullable) problems.push(`${path}: null is not allowed`);
      return;
    }
    if (s.enum && !s.enum.includes(v)) problems.push(`${path}: ${JSON.stringify(v)} is not one of ${JSON.stringify(s.enum)}`);
    switch (s.type) {
      case 'object': {
        if (typeof v !== 'object' || Array.isArray(v)) {
          problems.push(`${path}: expected an object`);
          return;
        }
        const props = s.properties ?? {};
        for (const key of s.required ?? []) if ((v as Record<string, unknown>)[key] === undefined) problems.push(`${path}.${key}: required`);
        for (const [key, child] of Object.entries(v as Record<string, unknown>)) {
          if (child === undefined) continue;
          const prop = props[key];
          if (!prop) problems.push(`${path}.${key}: not in the model ${name === path ? name : 'of this object'}`);
          else check(prop, child, `${path}.${key}`);
        }
        return;
      }
      case 'array':
        if (!Array.isArray(v)) problems.push(`${path}: expected an array`);
        else v.forEach((item, i) => check(s.items ?? {}, item, `${path}[${i}]`));
        return;
      case 'string':
        if (typeof v !== 'string') problems.push(`${path}: expected a string`);
        else {
          if (s.minLength !== undefined && v.length < s.minLength) problems.push(`${path}: shorter than ${s.minLength}`);
          if (s.maxLength !== undefined && v.length > s.maxLength) problems.push(`${path}: longer than ${s.maxLength}`);
          if (s.format === 'date-time' && Number.isNaN(Date.parse(v))) problems.push(`${path}: not a date-time`);
        }
        return;
      case 'integer':
        if (!Number.isInteger(v)) problems.push(`${path}: expected an integer`);
        return;
      case 'number':
        if (typeof v !== 'number' || !Number.isFinite(v)) problems.push(`${path}: expected a number`);
        return;
      case 'boolean':
        if (typeof v !== 'boolean') problems.push(`${path}: expected true or false`);
        return;
      default:
        return;
    }
  };
  check({ $ref: `#/components/schemas/${name}` }, value, name);
  return problems;
}
