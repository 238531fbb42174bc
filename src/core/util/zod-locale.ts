/**
 * Our schemas use zod/mini rather than `zod`: a bundle of `zod` is ~450 KB minified and costs
 * ~60 ms of start-up before the wizard's first frame; the parts of zod/mini we use, ~10 KB.
 * Import it as `import * as z from 'zod/mini'`: `import { z }` gets the same functions, but
 * esbuild then cannot drop the unused ones and bundles all of it (~430 KB, measured).
 *
 * zod/mini loads no locale: every issue without an `error` of ours would read just "Invalid
 * input". Those default messages reach people — a damaged state file ("version: Invalid
 * input: expected 1"), explainIssues() for the checks we give no message ("timeoutMs Too
 * small: expected number to be >0"), an endpoint's ZodError — so load English, as `zod`
 * does when imported. en.js alone is ~3 KB minified; `z.locales` would bring all of them
 * (~260 KB).
 *
 * The setting is global (kept on globalThis, shared with any other copy of zod 4). Every
 * module that defines schemas imports this one for its side effect, so it runs before the
 * first parse.
 */
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());
