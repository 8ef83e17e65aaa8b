import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';

/** Where browser tests leave their screenshots. */
export const BROWSER_OUTPUT_DIR = join(process.cwd(), 'test-output', 'browser');

// This machine has no network beyond the package registries: keep Chromium from calling home.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

function findChromium(): string | undefined {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      return execFileSync('which', [name], { encoding: 'utf8' }).trim() || undefined;
    } catch {
      // not this name
    }
  }
  return undefined;
}

/** Debian's Chromium (`apt-get install -y chromium`), headless; playwright-core never downloads a browser here. */
export async function launchChromium(): Promise<Browser> {
  const executablePath = findChromium();
  if (!executablePath) {
    throw new Error("Chromium is not installed. Install Debian's package: `apt-get install -y chromium` (or set CHROMIUM_PATH).");
  }
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(BROWSER_OUTPUT_DIR, { recursive: true });
  const path = join(BROWSER_OUTPUT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Retries an assertion until it holds (pages update asynchronously), failing with its last error. */
export async function eventually(assertion: () => unknown, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await assertion();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** The class list of the first element the locator matches (it must exist). */
export async function classesOf(locator: Locator): Promise<string[]> {
  return ((await locator.first().getAttribute('class', { timeout: 10_000 })) ?? '').split(/\s+/);
}
