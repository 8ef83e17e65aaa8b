import type { Browser, BrowserContext, BrowserContextOptions, Locator, Page } from 'playwright-core';
import type { TestUser } from './test-app.js';

/** Signed-in pages of the web inbox, each user in a browser context of its own (its own session cookie). */
export interface InboxPages {
  /** `device` overrides the desktop window (900×800, a mouse): a phone's viewport and touch screen, say. */
  signIn: (user: TestUser, device?: BrowserContextOptions) => Promise<Page>;
  /** A conversation page, loaded and live; `query` such as `?seq=12` opens it at a message. */
  openThread: (page: Page, threadId: number, query?: string) => Promise<void>;
  closeAll: () => Promise<void>;
}

/** `baseUrl` is asked each time: a test that restarts its server on the same port keeps its pages. */
export function inboxPages(browser: Browser, baseUrl: () => string): InboxPages {
  const contexts: BrowserContext[] = [];
  return {
    async signIn(user, device = {}) {
      const context = await browser.newContext({ viewport: { width: 900, height: 800 }, ...device });
      contexts.push(context);
      const page = await context.newPage();
      await page.goto(`${baseUrl()}/login`);
      await page.getByLabel('Username or email').fill(user.username);
      await page.getByLabel('Password').fill(user.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`${baseUrl()}/`);
      await page.locator('body[data-ready="true"]').waitFor();
      return page;
    },
    async openThread(page, threadId, query = '') {
      await page.goto(`${baseUrl()}/threads/${threadId}${query}`);
      await page.locator('body[data-ready="true"]').waitFor();
    },
    async closeAll() {
      for (const context of contexts.splice(0)) await context.close();
    },
  };
}

export async function sendFromPage(page: Page, text: string): Promise<void> {
  const box = page.getByLabel('Your message');
  await box.fill(text);
  await box.press('Enter');
}

/** How many times the page's sockets opened from now on have sent (or received) `event`. */
export function countSocketEvents(page: Page, event: string, direction: 'sent' | 'received' = 'sent'): () => number {
  let count = 0;
  const eventOf = (payload: string | Buffer): string | undefined => /^42\d*\["([^"]+)"/.exec(String(payload))?.[1];
  const counted = ({ payload }: { payload: string | Buffer }): void => void (eventOf(payload) === event && (count += 1));
  page.on('websocket', (socket) => (direction === 'sent' ? socket.on('framesent', counted) : socket.on('framereceived', counted)));
  return () => count;
}

/** A stored (not pending) message of the conversation page that contains `text`. */
export const messageItem = (page: Page, text: string): Locator => page.locator('li.message:not(.pending)', { hasText: text });
