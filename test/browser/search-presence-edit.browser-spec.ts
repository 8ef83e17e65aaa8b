import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, Locator } from 'playwright-core';
import { classesOf, eventually, launchChromium, screenshot } from '../support/browser.js';
import { countSocketEvents, inboxPages, messageItem, type InboxPages } from '../support/inbox-pages.js';
import { startTestApp, type TestApp, type TestUser } from '../support/test-app.js';

/** What the tests read of elements in the page (the test code is compiled without the DOM's types). */
interface ShownElement {
  scrollTop: number;
  scrollHeight: number;
  dataset: Record<string, string>;
}

/** Run in the page: a mark on the element itself, which a re-rendered element would not have. */
function tagElement(node: unknown): void {
  (node as ShownElement).dataset.probe = 'kept';
}

/** Run in the page: scroll an element to one end. */
function scrollToTop(node: unknown): void {
  (node as ShownElement).scrollTop = 0;
}
function scrollToBottom(node: unknown): void {
  const list = node as ShownElement;
  list.scrollTop = list.scrollHeight;
}

/** The web inbox's search box, online dots, and editing and deleting one's own messages, in Chromium. */
describe('web inbox: search, presence, edit and delete', () => {
  let t: TestApp;
  let browser: Browser;
  let pages: InboxPages;
  let userCount = 0;

  const users = (...names: string[]): Promise<TestUser[]> => {
    userCount += 1;
    return Promise.all(names.map((name) => t.createUser(`${name}${userCount}`, { displayName: `${name[0]?.toUpperCase()}${name.slice(1)} ${userCount}` })));
  };

  async function post(user: TestUser, threadId: number, text: string): Promise<{ id: number; seq: number }> {
    const response = await t.http().post(`/api/v1/threads/${threadId}/messages/`).set('Authorization', user.auth).send({ text }).expect(201);
    return response.body as { id: number; seq: number };
  }

  /** Whether the element is shown inside the scrolled message list (not just somewhere in its scroll height). */
  async function shownInList(locator: Locator): Promise<boolean> {
    const [box, list] = await Promise.all([locator.boundingBox(), locator.page().locator('#messages').boundingBox()]);
    return !!box && !!list && box.y + box.height > list.y && box.y < list.y + list.height;
  }

  beforeAll(async () => {
    t = await startTestApp();
    browser = await launchChromium();
    pages = inboxPages(browser, () => t.baseUrl);
  });
  afterAll(async () => {
    await pages?.closeAll();
    await browser?.close();
    await t?.close();
  });

  it('finds a message by a word, shows the highlight as text, and opens the conversation there; scrolling loads older and newer', async () => {
    const [alice, bob] = await users('alice', 'bob');
    const threadId = await createThreadWithHistory();
    const page = await pages.signIn(alice);

    async function createThreadWithHistory(): Promise<number> {
      const id = await t.createThread(alice, [bob]);
      for (let n = 1; n <= 120; n += 1) {
        const text = n === 30 ? 'Bring the <b>pineapple</b> & the cake' : `Message number ${n}`;
        await post(n % 2 ? alice : bob, id, text);
      }
      return id;
    }

    await page.getByLabel('Search messages').fill('pineapple');
    const result = page.locator('#search-results li.search-result');
    await eventually(async () => expect(await result.count()).toBe(1));
    // The server's escaping decoded back to text, the match in a <mark>, no markup of the message's own.
    expect(await result.locator('.highlight').textContent()).toBe('Bring the <b>pineapple</b> & the cake');
    expect(await result.locator('.highlight mark').allTextContents()).toEqual(['pineapple']);
    expect(await page.locator('#search-panel b').count()).toBe(0);
    expect(await result.locator('.sender').textContent()).toBe(`Bob ${userCount}`);
    expect(await page.locator('#search-summary').textContent()).toBe('1 message');
    await screenshot(page, 'search-results');

    await result.getByRole('link').click();
    await page.waitForURL(`${t.baseUrl}/threads/${threadId}?seq=30`);
    await page.locator('body[data-ready="true"]').waitFor();
    const found = messageItem(page, 'pineapple');
    expect(await classesOf(found)).toContain('found');
    expect(await shownInList(found)).toBe(true);
    // The window around it, not the latest page.
    const bySeq = (seq: number): Locator => page.locator(`li.message[data-seq="${seq}"]`);
    expect(await bySeq(120).count()).toBe(0);
    expect(await bySeq(1).count()).toBe(0);
    await screenshot(page, 'search-opened-at-message');

    const list = page.locator('#messages');
    // Each scroll to an end loads the next page that way, until the conversation's first and last messages.
    await eventually(async () => {
      await list.evaluate(scrollToBottom);
      expect(await bySeq(120).count()).toBe(1);
    });
    await eventually(async () => {
      await list.evaluate(scrollToTop);
      expect(await bySeq(1).count()).toBe(1);
    });
    const seqs = await page.locator('li.message[data-seq]').evaluateAll((nodes) => nodes.map((node) => Number((node as unknown as ShownElement).dataset.seq)));
    expect(seqs).toEqual(Array.from({ length: 120 }, (_, index) => index + 1));
  });

  it('shows who is online beside people, live as their pages connect and close', async () => {
    const [alice, bob] = await users('alice', 'bob');
    const threadId = await t.createThread(alice, [bob]);
    const aliceInbox = await pages.signIn(alice);
    const aliceThread = await aliceInbox.context().newPage();
    const alicePeople = await aliceInbox.context().newPage();
    await pages.openThread(aliceThread, threadId);
    await alicePeople.goto(`${t.baseUrl}/people`);
    await alicePeople.locator('body[data-ready="true"]').waitFor();
    const bobDots = [
      aliceInbox.locator(`li.thread[data-thread-id="${threadId}"] .presence`),
      aliceThread.locator('#thread-title .presence'),
      aliceThread.locator(`#thread-members .member[data-user-id="${bob.id}"] .presence`),
      alicePeople.locator(`.person[data-user-id="${bob.id}"] .presence`),
    ];
    const dotStates = (): Promise<string[]> => Promise.all(bobDots.map((dot) => dot.getAttribute('aria-label', { timeout: 10_000 }) as Promise<string>));
    expect(await dotStates()).toEqual(['Offline', 'Offline', 'Offline', 'Offline']);

    const bobPage = await pages.signIn(bob);
    await eventually(async () => expect(await dotStates()).toEqual(['Online', 'Online', 'Online', 'Online']));
    expect(await classesOf(bobDots[1])).toContain('online');
    await screenshot(aliceThread, 'presence-online');
    // A page loaded while Bob is online starts from the API's `online`, before any presence event.
    await aliceThread.reload();
    await aliceThread.locator('body[data-ready="true"]').waitFor();
    expect(await aliceThread.locator('#thread-title .presence').getAttribute('aria-label')).toBe('Online');
    // Her own dot: online while her page is connected, whatever the API answered before it recorded the connection.
    const ownDot = aliceThread.locator(`#thread-members .member[data-user-id="${alice.id}"] .presence`);
    await eventually(async () => expect(await ownDot.getAttribute('aria-label')).toBe('Online'));

    await bobPage.context().close();
    await eventually(async () => expect(await dotStates()).toEqual(['Offline', 'Offline', 'Offline', 'Offline']));
  });

  it("edits and deletes one's own message in place, live on the other side and in its inbox, and as stored after a reload", async () => {
    const [alice, bob] = await users('alice', 'bob');
    const threadId = await t.createThread(alice, [bob]);
    await post(bob, threadId, 'Are we still on for lunch?');
    await post(alice, threadId, 'Lunch at noon?');
    await post(alice, threadId, 'See you there');
    const [alicePage, bobInbox] = await Promise.all([pages.signIn(alice), pages.signIn(bob)]);
    const bobPage = await bobInbox.context().newPage();
    await Promise.all([pages.openThread(alicePage, threadId), pages.openThread(bobPage, threadId)]);
    const writes: string[] = [];
    alicePage.on('request', (request) => {
      if (request.method() === 'PATCH' || request.method() === 'DELETE') writes.push(`${request.method()} ${new URL(request.url()).pathname}`);
    });

    // Only one's own messages have the menu.
    expect(await messageItem(alicePage, 'Are we still on').getByRole('button', { name: 'Edit' }).count()).toBe(0);
    expect(await messageItem(bobPage, 'Lunch at noon').getByRole('button', { name: 'Edit' }).count()).toBe(0);

    // Escape cancels an edit: nothing sent, the text as it was.
    const lunch = messageItem(alicePage, 'Lunch at');
    await lunch.hover();
    await lunch.getByRole('button', { name: 'Edit' }).click();
    const editor = lunch.getByLabel('New text');
    await editor.fill('Lunch at half past twelve?');
    await editor.press('Escape');
    expect(await lunch.locator('.editor').count()).toBe(0);
    expect(await lunch.locator('.text').textContent()).toBe('Lunch at noon?');
    expect(writes).toEqual([]);

    // Bob's pointer rests on the message: the live edit changes that element, it does not replace it.
    const bobLunch = messageItem(bobPage, 'Lunch at');
    await bobLunch.hover();
    await bobLunch.evaluate(tagElement);

    // By keyboard: the menu's Edit button takes focus; Enter saves.
    await lunch.getByRole('button', { name: 'Edit' }).focus();
    await alicePage.keyboard.press('Enter');
    await editor.fill('Lunch at one?');
    await screenshot(alicePage, 'message-editing');
    await editor.press('Enter');
    await eventually(async () => expect(await lunch.locator('.text').textContent()).toBe('Lunch at one?'));
    expect(await lunch.locator('.edited').isVisible()).toBe(true);
    await eventually(async () => expect(await bobPage.locator('li.message[data-probe="kept"] .text').textContent()).toBe('Lunch at one?'));
    expect(await bobLunch.locator('.edited').isVisible()).toBe(true);

    // Delete asks first; Cancel keeps the message.
    const seeYou = messageItem(alicePage, 'See you there');
    await seeYou.hover();
    await seeYou.getByRole('button', { name: 'Delete' }).click();
    await seeYou.getByRole('group', { name: 'Delete this message?' }).getByRole('button', { name: 'Cancel' }).click();
    expect(await seeYou.locator('.confirm-delete').count()).toBe(0);
    await seeYou.hover();
    await seeYou.getByRole('button', { name: 'Delete' }).click();
    await screenshot(alicePage, 'message-delete-confirm');
    await seeYou.getByRole('group', { name: 'Delete this message?' }).getByRole('button', { name: 'Delete' }).click();
    const tombstone = alicePage.locator('li.message.deleted');
    await eventually(async () => expect(await tombstone.locator('.text').textContent()).toBe('This message was deleted'));
    expect(await tombstone.getByRole('button').count()).toBe(0);
    await eventually(async () => expect(await bobPage.locator('li.message.deleted .text').textContent()).toBe('This message was deleted'));
    expect(writes).toEqual([expect.stringMatching(/^PATCH \/api\/v1\/messages\/\d+\/$/), expect.stringMatching(/^DELETE \/api\/v1\/messages\/\d+\/$/)]);
    // The inbox preview follows the deletion of the last message.
    await eventually(async () =>
      expect(await bobInbox.locator(`li.thread[data-thread-id="${threadId}"] .excerpt`).textContent()).toBe('This message was deleted'),
    );
    await screenshot(bobPage, 'message-edited-and-deleted');

    // A reload shows what is stored: the edit with its label, the tombstone in its place.
    for (const page of [alicePage, bobPage]) {
      await page.reload();
      await page.locator('body[data-ready="true"]').waitFor();
      expect(await page.locator('li.message .text').allTextContents()).toEqual(['Are we still on for lunch?', 'Lunch at one?', 'This message was deleted']);
      expect(await page.locator('li.message .edited:not([hidden])').count()).toBe(1);
    }
  });

  it("opens the menu of one's own message with a long press on a phone-sized touch screen", async () => {
    const [alice, bob] = await users('alice', 'bob');
    const threadId = await t.createThread(alice, [bob]);
    await post(alice, threadId, 'Typed on the bus');
    const phone = await pages.signIn(alice, { viewport: { width: 390, height: 760 }, hasTouch: true, isMobile: true });
    await pages.openThread(phone, threadId);
    const mine = phone.locator('li.message[data-seq="1"]');
    await mine.dispatchEvent('pointerdown', { pointerType: 'touch', isPrimary: true });
    await eventually(async () => expect(await classesOf(mine)).toContain('menu-open'));
    await mine.dispatchEvent('pointerup', { pointerType: 'touch', isPrimary: true });
    await screenshot(phone, 'phone-message-menu');
    await mine.getByRole('button', { name: 'Edit' }).tap();
    await mine.getByLabel('New text').fill('Typed on the tram');
    await mine.getByLabel('New text').press('Enter');
    await eventually(async () => expect(await mine.locator('.text').textContent()).toBe('Typed on the tram'));
    // A tap elsewhere closes the menu.
    await mine.getByRole('button', { name: 'Edit' }).waitFor({ state: 'attached' });
    await phone.locator('#thread-title').tap();
    await eventually(async () => expect(await classesOf(mine)).not.toContain('menu-open'));
  });

  it('shows an edit made while its connection was down once it is back', async () => {
    const [alice, bob] = await users('alice', 'bob');
    const threadId = await t.createThread(alice, [bob]);
    const sent = await post(alice, threadId, 'Meet at the station');
    const bobPage = await pages.signIn(bob);
    await pages.openThread(bobPage, threadId);
    const hellos = countSocketEvents(bobPage, 'hello', 'received');
    await bobPage.context().setOffline(true);
    await bobPage.locator('#connection').waitFor({ state: 'visible' });
    await t.http().patch(`/api/v1/messages/${sent.id}/`).set('Authorization', alice.auth).send({ text: 'Meet at the harbour' }).expect(200);
    await bobPage.context().setOffline(false);
    await eventually(() => expect(hellos()).toBeGreaterThan(0), 30_000);
    await eventually(async () => expect(await bobPage.locator('li.message[data-seq="1"] .text').textContent()).toBe('Meet at the harbour'));
    expect(await bobPage.locator('li.message[data-seq="1"] .edited').isVisible()).toBe(true);
  });

  it('says when nothing matches, and Escape closes the results', async () => {
    const [alice, bob] = await users('alice', 'bob');
    await post(alice, await t.createThread(alice, [bob]), 'Nothing about fruit here');
    const page = await pages.signIn(alice);
    const box = page.getByLabel('Search messages');
    await box.fill('watermelon');
    await eventually(async () => expect(await page.locator('#search-summary').textContent()).toBe('No messages match “watermelon”.'));
    expect(await page.locator('#search-results li').count()).toBe(0);
    await box.press('Escape');
    await page.locator('#search-panel').waitFor({ state: 'hidden' });
  });
});
