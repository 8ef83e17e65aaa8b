import type AdminJS from 'adminjs';
import { componentsBundler, generateUserComponentEntry } from 'adminjs/bundler';
import { ADMIN_BUNDLE_DIR } from './adminjs-env.js';

/**
 * Builds components.bundle.js into ADMIN_JS_TMP_DIR from the installed packages (rollup and babel, no network),
 * as AdminJS does in production. Outside production AdminJS would instead start a rollup file watcher that never
 * stops; one build per start serves a development server just as well.
 */
export async function bundleAdminComponents(admin: AdminJS): Promise<void> {
  await componentsBundler.createEntry({ dir: ADMIN_BUNDLE_DIR, content: generateUserComponentEntry(admin, ADMIN_BUNDLE_DIR) });
  await componentsBundler.build();
}
