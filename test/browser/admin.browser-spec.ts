import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { eventually, launchChromium, screenshot } from '../support/browser.js';
import { connectLive, type LiveClient } from '../support/sockets.js';
import { startTestApp, type TestApp, type TestUser } from '../support/test-app.js';

describe('admin panel in Chromium', () => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;
  let alice: TestUser;
  let bob: TestUser;
  let threadId: number;
  let bobLive: LiveClient | undefined;

  beforeAll(async () => {
    // The panel's React components need the real bundle: build it at start as `npm start` does (jest.config.js
    // turns bundling off for the servers of the other suites).
    process.env.ADMIN_JS_SKIP_BUNDLE = 'false';
    t = await startTestApp();
    await t.createUser('staffer', { isStaff: true, password: 'staff-password', displayName: 'Sam Staff' });
    alice = await t.createUser('alice', { displayName: 'Alice' });
    bob = await t.createUser('bob', { displayName: 'Bob' });
    threadId = (
      await t
        .http()
        .post('/api/v1/threads/')
        .set('Authorization', alice.auth)
        .send({ participants: [bob.id] })
        .expect(201)
    ).body.id;
    for (const [user, text] of [
      [alice, 'Hi Bob, are you around?'],
      [bob, 'Yes! What is up?'],
      [alice, 'Can you review the release notes before Thursday?'],
    ] as const) {
      await t.http().post(`/api/v1/threads/${threadId}/messages/`).set('Authorization', user.auth).send({ text }).expect(201);
    }
    browser = await launchChromium();
    // Tall enough for a thread page whole: AdminJS scrolls inside its layout, so a full-page screenshot is the viewport.
    page = await browser.newPage({ viewport: { width: 1440, height: 1500 } });
    // Nothing but our server: AdminJS's pages link a web font from the internet, which this machine cannot reach.
    await page.route(
      (url) => !url.href.startsWith(t.baseUrl),
      (route) => route.abort(),
    );
  });

  afterAll(async () => {
    bobLive?.close();
    await browser?.close();
    await t?.close();
  });

  it('serves the components bundle built at start', async () => {
    const bundle = await t.http().get('/admin/frontend/assets/components.bundle.js').expect(200);
    expect(bundle.text).toContain('ThreadMessages');
  });

  it('signs a staff member in and shows the dashboard counts', async () => {
    await page.goto(`${t.baseUrl}/admin`, { waitUntil: 'domcontentloaded' });
    await page.waitForURL(/\/admin\/login$/);
    await page.fill('input[name="email"]', 'staffer');
    await page.fill('input[name="password"]', 'staff-password');
    await Promise.all([page.waitForURL(/\/admin$/), page.click('form button')]);
    // The cards show "…" until the counts request answers: wait for the number, not just the element.
    const users = page.locator('[data-testid="count-users"] h2');
    await eventually(async () => expect(await users.textContent()).toBe('3'), 15_000);
    await screenshot(page, 'admin-dashboard');
  });

  it("shows a thread's messages inline and sends one as a participant, live to the other", async () => {
    bobLive = await connectLive(t.baseUrl, bob.token);
    await page.goto(`${t.baseUrl}/admin/resources/Thread/records/${threadId}/show`, { waitUntil: 'domcontentloaded' });
    const rows = page.locator('[data-testid="thread-message"]');
    await rows.nth(2).waitFor({ timeout: 15_000 });
    expect(await rows.count()).toBe(3);
    await expect(rows.nth(0).textContent()).resolves.toContain('Hi Bob, are you around?');
    // Bob has read up to his own message (2), not Alice's third one.
    await expect(rows.nth(0).textContent()).resolves.toContain('✓ bob');
    await expect(rows.nth(2).textContent()).resolves.toContain('not yet: bob');

    await page.selectOption('#send-as-sender', String(alice.id));
    await page.fill('#send-as-text', 'Sent by support on behalf of Alice');
    await page.click('[data-testid="send-as-form"] button[type="submit"]');
    const live = await bobLive.waitFor<{ message: { text: string; seq: number; sender: { id: number } } }>(
      'message:new',
      (e) => e.message.text === 'Sent by support on behalf of Alice',
    );
    expect(live.message).toMatchObject({ seq: 4, sender: { id: alice.id } });
    await rows.nth(3).waitFor({ timeout: 15_000 });
    await expect(rows.nth(3).textContent()).resolves.toContain('Sent by support on behalf of Alice');
    await screenshot(page, 'admin-thread');

    // Redacting it makes a tombstone, shown as such, and the other participant is told live.
    page.once('dialog', (dialog) => void dialog.accept());
    await rows.nth(3).locator('button', { hasText: 'Redact' }).click();
    const redacted = await bobLive.waitFor<{ message: { seq: number; text: string; deletedAt: string | null } }>(
      'message:updated',
      (e) => e.message.seq === 4 && e.message.deletedAt !== null,
    );
    expect(redacted.message.text).toBe('');
    await eventually(async () => expect(await rows.nth(3).textContent()).toContain('(deleted'), 15_000);
    expect(await rows.nth(3).locator('button', { hasText: 'Redact' }).count()).toBe(0);
  });
});
