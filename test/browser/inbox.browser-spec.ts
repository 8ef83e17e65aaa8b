import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContext } from 'playwright-core';
import { runCli } from '../../apps/cli/src/cli.js';
import { classesOf, eventually, launchChromium, screenshot } from '../support/browser.js';
import { countSocketEvents, inboxPages, messageItem as message, sendFromPage, type InboxPages } from '../support/inbox-pages.js';
import { startTestApp, type TestApp, type TestUser } from '../support/test-app.js';

/** The web inbox in a real browser: two people chatting live, read and unread states, and a server restart. */
describe('web inbox', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-browser-'));
  const jwtSecret = randomUUID() + randomUUID();
  let t: TestApp;
  let port: number;
  let browser: Browser;
  let pages: InboxPages;
  const contexts: BrowserContext[] = [];
  let userCount = 0;

  // A file-backed embedded database and a fixed port, so that the server can be restarted under the pages.
  const start = (fixedPort?: number): Promise<TestApp> =>
    startTestApp({ DATA_DIR: dataDir, JWT_SECRET: jwtSecret }, { embedded: true, ...(fixedPort ? { port: fixedPort } : {}) });

  const users = (...names: string[]): Promise<TestUser[]> => {
    userCount += 1;
    return Promise.all(names.map((name) => t.createUser(`${name}${userCount}`, { displayName: `${name[0]?.toUpperCase()}${name.slice(1)} ${userCount}` })));
  };

  const createThread = (owner: TestUser, others: TestUser[], title?: string): Promise<number> => t.createThread(owner, others, title);

  beforeAll(async () => {
    t = await start();
    port = Number(new URL(t.baseUrl).port);
    browser = await launchChromium();
    pages = inboxPages(browser, () => t.baseUrl);
  });
  afterAll(async () => {
    await pages?.closeAll();
    for (const context of contexts) await context.close();
    await browser?.close();
    await t?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('delivers live between two people, with unread backgrounds, badges, receipts and mark-unread', async () => {
    const [alice, bob] = await users('alice', 'bob');
    const threadId = await createThread(alice, [bob]);
    const [alicePage, bobInbox] = await Promise.all([pages.signIn(alice), pages.signIn(bob)]);
    const bobThread = await bobInbox.context().newPage();
    const readsSent = countSocketEvents(bobThread, 'message:read');
    await pages.openThread(alicePage, threadId);
    await pages.openThread(bobThread, threadId);

    await sendFromPage(alicePage, 'Hello Bob, are you free on Thursday?');
    // Shown at once, confirmed by the ack, never doubled by the broadcast of the same message.
    await eventually(async () => expect(await message(alicePage, 'Hello Bob').locator('.ticks').first().textContent()).toBe('✓'));
    await eventually(async () => expect(await classesOf(message(bobThread, 'Hello Bob'))).toContain('unread'));
    await eventually(async () => expect(await alicePage.locator('li.message', { hasText: 'Hello Bob' }).count()).toBe(1));

    const inboxItem = bobInbox.locator(`li.thread[data-thread-id="${threadId}"]`);
    await eventually(async () => expect(await classesOf(inboxItem)).toContain('unread'));
    await eventually(async () => expect(await inboxItem.locator('.badge').first().textContent()).toBe('1'));
    await eventually(async () => expect(await bobInbox.locator('li.thread').first().getAttribute('data-thread-id')).toBe(String(threadId)));
    await screenshot(bobInbox, 'inbox-unread');

    // Resting the pointer on the message reads it, once; the sender sees ✓✓.
    await message(bobThread, 'Hello Bob').locator('.text').hover();
    await eventually(async () => expect(await classesOf(message(bobThread, 'Hello Bob'))).not.toContain('unread'));
    await eventually(async () => expect(await message(alicePage, 'Hello Bob').locator('.ticks').first().textContent()).toBe('✓✓'));
    await eventually(async () => expect(await classesOf(inboxItem)).not.toContain('unread'));

    // Mark as unread: the background and the inbox badge come back, in both of Bob's pages, and stay while the
    // pointer rests where it was (several hover delays).
    await message(bobThread, 'Hello Bob').getByRole('button', { name: 'Mark as unread' }).click();
    await eventually(async () => expect(await classesOf(message(bobThread, 'Hello Bob'))).toContain('unread'));
    await eventually(async () => expect(await classesOf(inboxItem)).toContain('unread'));
    await eventually(async () => expect(await inboxItem.locator('.badge').first().textContent()).toBe('1'));
    await bobThread.waitForTimeout(2_000);
    expect(await classesOf(message(bobThread, 'Hello Bob'))).toContain('unread');
    expect(readsSent()).toBe(1);

    // Focusing the reply box reads everything.
    await bobThread.mouse.move(0, 0);
    await bobThread.getByLabel('Your message').focus();
    await eventually(async () => expect(await classesOf(message(bobThread, 'Hello Bob'))).not.toContain('unread'));
    await eventually(async () => expect(await classesOf(inboxItem)).not.toContain('unread'));

    // Typing shows on the other side.
    await bobThread.getByLabel('Your message').pressSequentially('Yes, see you then');
    await eventually(async () => expect(await alicePage.locator('#typing').textContent()).toMatch(/Bob \d+ is typing/));
    await bobThread.getByLabel('Your message').press('Enter');
    await message(alicePage, 'see you then').first().waitFor({ state: 'visible' });
    await eventually(async () => expect(await alicePage.locator('#typing').textContent()).toBe(''));
    await screenshot(alicePage, 'conversation');
  });

  it('shows ✓✓ in a group only after both others have read', async () => {
    const [alice, bob, carol] = await users('alice', 'bob', 'carol');
    const group = await createThread(alice, [bob, carol], 'Hiring');
    const [alicePage, bobPage, carolPage] = await Promise.all([pages.signIn(alice), pages.signIn(bob), pages.signIn(carol)]);
    await Promise.all([pages.openThread(alicePage, group), pages.openThread(bobPage, group), pages.openThread(carolPage, group)]);
    await sendFromPage(alicePage, 'Group hello');
    await eventually(async () => expect(await message(alicePage, 'Group hello').locator('.ticks').first().textContent()).toBe('✓'));
    await bobPage.getByLabel('Your message').focus();
    await eventually(async () => expect(await classesOf(message(bobPage, 'Group hello'))).not.toContain('unread'));
    await eventually(async () => expect(await message(alicePage, 'Group hello').locator('.ticks').first().textContent()).toBe('✓'));
    await message(carolPage, 'Group hello').locator('.text').hover();
    await eventually(async () => expect(await message(alicePage, 'Group hello').locator('.ticks').first().textContent()).toBe('✓✓'));
  });

  it('names untitled groups by their members, "+N" past three, in the inbox and as the heading; creates one from the people page', async () => {
    const [alice, bob, carol, dave, erin, fred] = await users('alice', 'bob', 'carol', 'dave', 'erin', 'fred');
    const small = await createThread(alice, [bob, carol]);
    const large = await createThread(alice, [bob, carol, dave, erin, fred]);
    const page = await pages.signIn(alice);
    const n = userCount;
    await eventually(async () => expect(await page.locator(`a[href="/threads/${small}"] .name`).textContent()).toBe(`Bob ${n}, Carol ${n}`));
    expect(await page.locator(`a[href="/threads/${large}"] .name`).textContent()).toBe(`Bob ${n}, Carol ${n}, Dave ${n} +2`);
    await pages.openThread(page, large);
    expect(await page.locator('#thread-title').textContent()).toBe(`Bob ${n}, Carol ${n}, Dave ${n} +2`);
    expect(await page.title()).toBe(`Bob ${n}, Carol ${n}, Dave ${n} +2 · Parley`);
    await screenshot(page, 'inbox-untitled-group');

    // The people page makes one without a title: the field is optional.
    await page.goto(`${t.baseUrl}/people`);
    await page.locator('body[data-ready="true"]').waitFor();
    await page.getByLabel(`Dave ${n}`, { exact: true }).check();
    await page.getByLabel(`Erin ${n}`, { exact: true }).check();
    await page.getByRole('button', { name: 'Create group' }).click();
    await page.waitForURL(/\/threads\/\d+$/);
    await page.locator('body[data-ready="true"]').waitFor();
    expect(await page.locator('#thread-title').textContent()).toBe(`Dave ${n}, Erin ${n}`);
  });

  it('shows a message sent from the command line live, and renders HTML as text', async () => {
    const [alice, bob] = await users('alice', 'bob');
    const threadId = await createThread(alice, [bob]);
    const bobPage = await pages.signIn(bob);
    await pages.openThread(bobPage, threadId);
    const out: string[] = [];
    const code = await runCli(
      ['send', '--url', t.baseUrl, '--as', alice.username, '--password', alice.password, '--to', bob.username, 'Sent from a terminal'],
      {
        out: (line) => out.push(line),
        err: (line) => out.push(line),
      },
    );
    expect(code).toBe(0);
    await message(bobPage, 'Sent from a terminal').first().waitFor({ state: 'visible' });

    let alerted = false;
    bobPage.on('dialog', (dialog) => {
      alerted = true;
      void dialog.dismiss();
    });
    const payload = '<img src=x onerror="alert(1)"><script>alert(2)</script><b>bold?</b>';
    await t.http().post(`/api/v1/threads/${threadId}/messages/`).set('Authorization', alice.auth).send({ text: payload }).expect(201);
    await eventually(async () => expect(await message(bobPage, 'bold?').locator('.text').first().textContent()).toBe(payload));
    expect(await bobPage.locator('li.message img, li.message script, li.message b').count()).toBe(0);
    expect(alerted).toBe(false);
  });

  it('loads its pages without a console error or a failed request, the icon included', async () => {
    const [alice, bob] = await users('alice', 'bob');
    const threadId = await createThread(alice, [bob]);
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (entry) => {
      if (entry.type() === 'error') problems.push(entry.text());
    });
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push(`${response.status()} ${response.url()}`);
    });
    const icon = page.waitForResponse((response) => new URL(response.url()).pathname.endsWith('.svg') || response.url().endsWith('/favicon.ico'));
    await page.goto(`${t.baseUrl}/login`);
    expect((await icon).status()).toBe(200);
    await page.getByLabel('Username or email').fill(alice.username);
    await page.getByLabel('Password').fill(alice.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('body[data-ready="true"]').waitFor();
    await page.goto(`${t.baseUrl}/people`);
    await page.locator('body[data-ready="true"]').waitFor();
    await pages.openThread(page, threadId);
    const favicon = await t.http().get('/favicon.ico').expect(200);
    expect(favicon.headers['content-type']).toMatch(/^image\/svg\+xml/);
    expect(problems).toEqual([]);
  });

  it('shows every message once, in order, after the server restarts while one side sends', async () => {
    const [alice, bob] = await users('alice', 'bob');
    const threadId = await createThread(alice, [bob]);
    const [alicePage, bobPage] = await Promise.all([pages.signIn(alice), pages.signIn(bob)]);
    // Bob's page learns who he is only after its socket's first hello: that hello must still count as the first, so
    // that the one after the restart makes the page catch up.
    await bobPage.route('**/api/v1/users/me/', async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 400));
      await route.continue();
    });
    await Promise.all([pages.openThread(alicePage, threadId), pages.openThread(bobPage, threadId)]);
    await sendFromPage(alicePage, 'before the restart');
    await message(bobPage, 'before the restart').first().waitFor({ state: 'visible' });

    await t.close();
    await bobPage.locator('#connection').first().waitFor({ state: 'visible' });
    await sendFromPage(alicePage, 'sent while the server was down');
    await sendFromPage(alicePage, 'and another one');
    t = await start(port);

    await bobPage.locator('#connection').waitFor({ state: 'hidden', timeout: 60_000 });
    await message(bobPage, 'and another one').first().waitFor({ state: 'visible', timeout: 60_000 });
    const texts = await bobPage.locator('li.message .text').allTextContents();
    expect(texts).toEqual(['before the restart', 'sent while the server was down', 'and another one']);
    await eventually(async () => expect(await alicePage.locator('li.message.pending').count()).toBe(0));
    expect(await alicePage.locator('li.message .text').allTextContents()).toEqual(texts);
  });
});
