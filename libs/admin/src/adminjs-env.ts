import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout's root (the folder with package.json), whether this runs from the sources (jest) or from dist/. */
function findProjectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('package.json not found above the admin module');
    dir = parent;
  }
  return dir;
}

export const PROJECT_ROOT = findProjectRoot();

/** The front-end components of the admin panel, bundled by AdminJS (rollup + babel) from these sources. */
export const ADMIN_COMPONENTS_DIR = join(PROJECT_ROOT, 'libs', 'admin', 'src', 'components');

// AdminJS reads ADMIN_JS_TMP_DIR once, when it is first imported, and bundles into `.adminjs/` by default: Express 5
// refuses to serve files from a dot-folder, so components.bundle.js would answer 404. This module is imported before
// anything that imports adminjs (see admin.module.ts) to give it a folder without a leading dot (gitignored).
process.env.ADMIN_JS_TMP_DIR ??= join(PROJECT_ROOT, 'adminjs-bundle');

export const ADMIN_BUNDLE_DIR = process.env.ADMIN_JS_TMP_DIR;

/** AdminJS's own switch, honoured by Parley too: serve a bundle built beforehand instead of bundling at start (tests). */
export const skipAdminBundle = (): boolean => process.env.ADMIN_JS_SKIP_BUNDLE === 'true';
