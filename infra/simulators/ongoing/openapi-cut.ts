import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { trimOpenApi } from './openapi';

/** Writes openapi-requests.json from the reference beside the repository: `npx tsx infra/simulators/ongoing/openapi-cut.ts`. */
export const REFERENCE = path.resolve(__dirname, '../../../../shared/reference/ongoing-openapi.json');
export const TRIMMED = path.resolve(__dirname, 'openapi-requests.json');

export function cutFromReference(): string {
  return `${JSON.stringify(trimOpenApi(JSON.parse(readFileSync(REFERENCE, 'utf8'))), null, 1)}\n`;
}

if (require.main === module) {
  writeFileSync(TRIMMED, cutFromReference());
  process.stdout.write(`wrote ${TRIMMED}\n`);
}
