/**
 * zod/mini with zod's English messages: every schema in the repository imports `z` from here.
 *
 * zod/mini is the tree-shakable build (a Lambda bundle carries the schemas it builds, not the whole classic
 * API, and builds them faster at load), but it loads no locale: without one every issue reads "Invalid input".
 * Our errors show zod's messages to people (config problems, a malformed BaseLinker order, an Ongoing request
 * we refused), so English is set here, before any schema module can parse.
 */
import { config } from 'zod/mini';
import { en } from 'zod/locales';

config(en());

export * from 'zod/mini';
