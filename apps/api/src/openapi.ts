import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig } from '../../../libs/config/src/index.js';
import { createApp } from './create-app.js';
import { buildOpenApiDocument } from './swagger.js';

/**
 * `npm run openapi`: writes the OpenAPI document the server serves at /docs-json to docs/openapi.json (or to the
 * path given as the first argument), so that consumers can download it from the repository. The app is built as the
 * server builds it, on a throw-away embedded database and with a fixed configuration (the process's environment is
 * not read), so that the file depends on the code only; test/e2e/openapi-file.e2e-spec.ts fails when they differ.
 */
const DOCUMENT_CONFIG = {
  NODE_ENV: 'test',
  LOG_LEVEL: 'warn',
  DATA_DIR: 'memory://',
  MIGRATIONS_RUN: 'true',
  // Fixed secrets: nothing random may reach the document (and none is needed: no token is ever signed here).
  JWT_SECRET: 'openapi-document-generation-only-not-a-secret',
  ADMIN_SESSION_SECRET: 'openapi-document-generation-only-not-a-secret',
};

/** The checkout's root (the folder with package.json), whether this runs from dist/ or from the sources. */
function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('package.json not found above apps/api/src/openapi');
    dir = parent;
  }
  return dir;
}

/** The document as /docs-json serializes it (JSON.stringify of the same object), pretty, with a trailing newline. */
function formatOpenApiDocument(document: unknown): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

async function main(): Promise<void> {
  const root = projectRoot();
  const target = resolve(root, process.argv[2] ?? join('docs', 'openapi.json'));
  // The admin panel's browser bundle plays no part in the document: do not spend seconds building it.
  process.env.ADMIN_JS_SKIP_BUNDLE ??= 'true';
  const app = await createApp(loadConfig(DOCUMENT_CONFIG));
  try {
    await app.init();
    const text = formatOpenApiDocument(buildOpenApiDocument(app));
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, text);
    const shown = relative(process.cwd(), target);
    process.stdout.write(`OpenAPI document written to ${shown && !shown.startsWith('..') ? shown : target}\n`);
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(error instanceof ConfigError ? `${error.message}\n` : `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
