import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** The committed OpenAPI document, written by `npm run openapi` (apps/api/src/openapi.ts). */
const DOCUMENT_FILE = resolve(dirname(fileURLToPath(import.meta.url)), '../../docs/openapi.json');
const FIX = 'run `npm run openapi` and commit docs/openapi.json';

/** JSON-pointer-like paths where two JSON values differ, at most `limit` of them. */
function differences(served: unknown, committed: unknown, path = '', found: string[] = [], limit = 20): string[] {
  if (found.length >= limit || isDeepStrictEqual(served, committed)) return found;
  const bothObjects = typeof served === 'object' && served !== null && typeof committed === 'object' && committed !== null;
  if (!bothObjects || Array.isArray(served) !== Array.isArray(committed)) {
    found.push(`${path || '/'}: served ${JSON.stringify(served) ?? 'nothing'}, file has ${JSON.stringify(committed) ?? 'nothing'}`.slice(0, 300));
    return found;
  }
  const servedRecord = served as Record<string, unknown>;
  const committedRecord = committed as Record<string, unknown>;
  for (const key of new Set([...Object.keys(servedRecord), ...Object.keys(committedRecord)])) {
    const child = `${path}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
    if (!(key in committedRecord)) found.push(`${child}: served, missing from the file`);
    else if (!(key in servedRecord)) found.push(`${child}: in the file, not served`);
    else differences(servedRecord[key], committedRecord[key], child, found, limit);
    if (found.length >= limit) break;
  }
  return found;
}

describe('docs/openapi.json', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('is the document the server serves at /docs-json', async () => {
    const response = await fetch(`${t.baseUrl}/docs-json`);
    expect(response.status).toBe(200);
    // Parsed here rather than by response.json(): fetch's objects come from another realm than the test's, and
    // a deep strict comparison would tell them apart by their prototypes.
    const served: unknown = JSON.parse(await response.text());

    if (!existsSync(DOCUMENT_FILE)) throw new Error(`docs/openapi.json is missing: ${FIX}.`);
    let committed: unknown;
    try {
      committed = JSON.parse(readFileSync(DOCUMENT_FILE, 'utf8'));
    } catch (error) {
      throw new Error(`docs/openapi.json is not valid JSON (${(error as Error).message}): ${FIX}.`, { cause: error });
    }
    if (!isDeepStrictEqual(served, committed)) {
      const listed = differences(served, committed);
      throw new Error(
        `docs/openapi.json differs from the server's /docs-json: ${FIX}.\n` +
          `First differences (JSON pointer into the document):\n${listed.map((line) => `  ${line}`).join('\n')}`,
      );
    }
  });
});
