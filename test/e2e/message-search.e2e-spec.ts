import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MessagesService } from '../../libs/messages/src/messages.service.js';
import { startTestApp, type TestApp, type TestUser } from '../support/test-app.js';

interface SearchResult {
  id: number;
  threadId: number;
  seq: number;
  text: string;
  readByMe: boolean;
  isRead: boolean;
  highlight: string;
  sender: { id: number };
}

interface SearchPage {
  count: number;
  next: string | null;
  previous: string | null;
  results: SearchResult[];
}

describe('GET /api/v1/messages/search/', () => {
  let t: TestApp;
  let ann: TestUser;
  let bob: TestUser;
  let cy: TestUser;
  let annBob: number;
  let annCy: number;
  let bobCy: number;

  const send = async (user: TestUser, threadId: number, text: string): Promise<void> => {
    await t.http().post(`/api/v1/threads/${threadId}/messages/`).set('Authorization', user.auth).send({ text }).expect(201);
  };
  const search = async (user: TestUser, query: string, status = 200): Promise<SearchPage> =>
    (await t.http().get(`/api/v1/messages/search/${query}`).set('Authorization', user.auth).expect(status)).body as SearchPage;
  const texts = (page: SearchPage): string[] => page.results.map((result) => result.text);

  beforeAll(async () => {
    t = await startTestApp();
    ann = await t.createUser('search_ann');
    bob = await t.createUser('search_bob');
    cy = await t.createUser('search_cy');
    annBob = await t.createThread(ann, [bob]);
    annCy = await t.createThread(ann, [cy]);
    bobCy = await t.createThread(bob, [cy]);
    await send(ann, annBob, 'Lunch on Thursday?');
    await send(bob, annBob, 'Thursday works, the lunch menu looks good');
    await send(ann, annCy, 'The lunch menu is <b>great</b> & cheap');
    await send(cy, annCy, 'Friday lunch instead?');
    await send(bob, bobCy, 'Secret lunch plans without ann');
    await send(cy, annCy, 'Zażółć gęślą jaźń — ΚΑΛΗΜΕΡΑ κόσμε');
    await send(ann, annBob, 'Pizza tonight');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('finds words in every thread the caller is in, newest first, and never in the others', async () => {
    const page = await search(ann, '?q=lunch');
    expect(texts(page)).toEqual([
      'Friday lunch instead?',
      'The lunch menu is <b>great</b> & cheap',
      'Thursday works, the lunch menu looks good',
      'Lunch on Thursday?',
    ]);
    expect(page.count).toBe(4);
    expect(texts(await search(bob, '?q=lunch'))).toContain('Secret lunch plans without ann');
    expect(texts(await search(ann, '?q=secret'))).toEqual([]);
  });

  it('reads the query as a person types it: all words, "quoted phrases", -exclusions, any case', async () => {
    expect(texts(await search(ann, `?q=${encodeURIComponent('LUNCH thursday')}`))).toEqual(['Thursday works, the lunch menu looks good', 'Lunch on Thursday?']);
    expect(texts(await search(ann, `?q=${encodeURIComponent('"lunch menu"')}`))).toEqual([
      'The lunch menu is <b>great</b> & cheap',
      'Thursday works, the lunch menu looks good',
    ]);
    expect(texts(await search(ann, `?q=${encodeURIComponent('lunch -thursday -friday')}`))).toEqual(['The lunch menu is <b>great</b> & cheap']);
    // Words of any language, as written (the 'simple' configuration lower-cases, and does not stem).
    expect(texts(await search(cy, `?q=${encodeURIComponent('gęślą καλημερα')}`))).toEqual(['Zażółć gęślą jaźń — ΚΑΛΗΜΕΡΑ κόσμε']);
  });

  it('highlights the matched words in <mark> and escapes all the rest', async () => {
    const [hit] = (await search(ann, '?q=menu&threadId=' + annCy)).results;
    expect(hit?.highlight).toBe('The lunch <mark>menu</mark> is &lt;b&gt;great&lt;/b&gt; &amp; cheap');
    expect(hit?.text).toBe('The lunch menu is <b>great</b> & cheap');
  });

  it('answers Messages with the read flags as the caller sees them', async () => {
    const [own] = (await search(ann, '?q=pizza')).results;
    expect(own).toMatchObject({ text: 'Pizza tonight', sender: { id: ann.id }, readByMe: true, isRead: false });
    await t.http().post(`/api/v1/threads/${annBob}/read/`).set('Authorization', bob.auth).expect(200);
    const [read] = (await search(ann, '?q=pizza')).results;
    expect(read).toMatchObject({ readByMe: true, isRead: true });
    const [theirs] = (await search(ann, '?q=jaźń')).results;
    expect(theirs).toMatchObject({ sender: { id: cy.id }, readByMe: false, isRead: false });
  });

  it('pages with limit/offset in the envelope', async () => {
    const first = await search(ann, '?q=lunch&limit=3');
    expect(first.count).toBe(4);
    expect(first.results).toHaveLength(3);
    expect(first.next).toContain('offset=3');
    const second = await search(ann, '?q=lunch&limit=3&offset=3');
    expect(texts(second)).toEqual(['Lunch on Thursday?']);
    expect(second.next).toBeNull();
  });

  it('follows a changed text: after moderation the old words are gone and the new ones found', async () => {
    const [before] = (await search(ann, '?q=pizza')).results;
    const staff = await t.createUser('search_staff', { isStaff: true });
    await t.app.get(MessagesService).moderateText({ id: staff.id, username: staff.username, isStaff: true }, before.id, 'Sushi tomorrow');
    expect(await search(ann, '?q=pizza')).toMatchObject({ count: 0, results: [] });
    expect(texts(await search(ann, '?q=sushi'))).toEqual(['Sushi tomorrow']);
  });

  it('refuses an empty or oversized query, and a thread the caller is not in is a 404', async () => {
    for (const query of ['', '?q=', `?q=${encodeURIComponent('   ')}`, `?q=${'x'.repeat(201)}`, '?q=a&threadId=abc', '?q=a&unknown=1']) {
      const body = (await t.http().get(`/api/v1/messages/search/${query}`).set('Authorization', ann.auth).expect(400)).body as { code: string };
      expect(body.code).toBe('validation_failed');
    }
    const missing = (await t.http().get(`/api/v1/messages/search/?q=lunch&threadId=${bobCy}`).set('Authorization', ann.auth).expect(404)).body as {
      code: string;
    };
    expect(missing.code).toBe('thread_not_found');
    await t.http().get('/api/v1/messages/search/?q=lunch').expect(401);
    // Punctuation alone has no words: nothing matches, nothing fails.
    expect(await search(ann, `?q=${encodeURIComponent('!!! &&')}`)).toMatchObject({ count: 0, results: [] });
  });
});
