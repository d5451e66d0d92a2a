import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

/**
 * zod/mini loads no messages of its own: a schema module that imported zod itself would report "Invalid input"
 * for every problem (or, importing classic zod, carry its 95 KiB into a Lambda bundle). shared/util/zod.ts sets
 * English and is the one door.
 */
const REPO = resolve(__dirname, '..', '..');
const DOOR = 'shared/util/zod.ts';
/** An import or export statement from 'zod' or 'zod/...', or a require of it, at the start of a line. */
const ZOD_IMPORT = /^\s*(?:(?:import|export)\b[^;]*?\bfrom\s+|(?:const|let|var)\s+[^=]+=\s*require\(\s*)['"]zod(?:\/[^'"]*)?['"]/m;

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : sourcesUnder(path);
    return /\.(ts|js|mjs|cjs)$/.test(name) ? [path] : [];
  });
}

/** Files, relative to the repository, that import zod other than through the door. */
function importersOutsideTheDoor(files: string[]): string[] {
  return files.map((f) => relative(REPO, f).replace(/\\/g, '/')).filter((f) => f !== DOOR && ZOD_IMPORT.test(readFileSync(join(REPO, f), 'utf8')));
}

it('imports zod only through shared/util/zod.ts, in every source folder', () => {
  const files = ['shared', 'functions', 'infra', 'test'].flatMap((d) => sourcesUnder(join(REPO, d)));
  expect(files.length).toBeGreaterThan(100);
  expect(importersOutsideTheDoor(files)).toEqual([]);
});

it('would name a file that imports zod itself', () => {
  expect(ZOD_IMPORT.test("import * as z from 'zod';")).toBe(true);
  expect(ZOD_IMPORT.test("const a = 1;\nimport {\n  object,\n} from 'zod/mini';")).toBe(true);
  expect(ZOD_IMPORT.test("export * from 'zod/mini';")).toBe(true);
  expect(ZOD_IMPORT.test("const z = require('zod');")).toBe(true);
  expect(ZOD_IMPORT.test("import { z } from '../util/zod';")).toBe(false);
  expect(importersOutsideTheDoor([join(REPO, DOOR), join(REPO, 'test', 'unit', 'zod-import.test.ts')])).toEqual([]);
});
