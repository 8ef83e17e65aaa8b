import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { cli, jsonOf } from '../support/cli-run.js';
import { waitUntilListedAs } from '../support/presence.js';
import { connectLive } from '../support/sockets.js';
import { startTestApp, type TestApp, type TestUser } from '../support/test-app.js';

// A short local time as the CLI prints it: "14:05" today, "Dec 7 14:05" when the message is from before midnight.
const TIME = String.raw`(?:[A-Z][a-z]{2} \d{1,2} )?\d\d:\d\d`;

describe('the parley CLI: threads, history, read state, search, users', () => {
  let t: TestApp;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let direct: number;
  let group: number;
  /** Message ids of the direct thread by seq (index 0 is seq 1). */
  const ids: number[] = [];

  const as = (user: TestUser): string[] => ['--url', t.baseUrl, '--as', user.username, '--password', user.password];
  const say = async (user: TestUser, threadId: number, text: string): Promise<number> =>
    (await t.http().post(`/api/v1/threads/${threadId}/messages/`).set('Authorization', user.auth).send({ text }).expect(201)).body.id as number;
  const api = async (user: TestUser, path: string): Promise<unknown> => (await t.http().get(path).set('Authorization', user.auth).expect(200)).body;

  beforeAll(async () => {
    t = await startTestApp();
    [alice, bob, carol] = await Promise.all([
      t.createUser('inbox_alice', { displayName: 'Alice Archer' }),
      t.createUser('inbox_bob', { displayName: 'Bob Baker' }),
      t.createUser('inbox_carol', { displayName: 'Carol Cole' }),
    ]);
    direct = await t.createThread(alice, [bob]);
    for (const [sender, text] of [
      [alice, 'lunch on thursday?'],
      [bob, 'sure, where?'],
      [alice, 'the <b>new</b> place & "the" old one'],
      [bob, 'two\nlines \u001b[31mred'],
      [alice, 'see you at lunch'],
    ] as const) {
      ids.push(await say(sender, direct, text));
    }
    group = await t.createThread(carol, [alice, bob], 'Book club');
    await say(carol, group, 'next book: Dune');
  });
  afterAll(() => t.close());

  it('threads lists the threads with name, unread count and last message, and --json prints the API page', async () => {
    const run = await cli(['threads', ...as(bob)]);
    expect(run).toMatchObject({ code: 0, err: [] });
    expect(run.out[0]).toMatch(/^THREAD +NAME +UNREAD +LAST +MESSAGE$/);
    // Most recently active first; bob has not read carol's message nor alice's last one (nor her first ones: he replied to them).
    expect(run.out[1]).toMatch(new RegExp(`^#${group} +"Book club" +1 +${TIME} +inbox_carol: next book: Dune$`));
    expect(run.out[2]).toMatch(new RegExp(`^#${direct} +with inbox_alice +1 +${TIME} +inbox_alice: see you at lunch$`));
    expect(run.out[3]).toBe('2 threads');
    // Columns line up: every row puts the unread count in the same place.
    const unreadEnd = (run.out[0] ?? '').indexOf('UNREAD') + 'UNREAD'.length;
    expect(run.out.slice(1, 3).map((line) => line.slice(unreadEnd - 1, unreadEnd))).toEqual(['1', '1']);

    const json = await cli(['threads', ...as(bob), '--json']);
    expect(json.code).toBe(0);
    expect(jsonOf(json)).toEqual(await api(bob, '/api/v1/threads/'));

    const first = await cli(['threads', ...as(bob), '--limit', '1']);
    expect(first.out).toEqual([expect.stringMatching(/^THREAD/), expect.stringMatching(new RegExp(`^#${group} `)), '1–1 of 2 threads; next page: --offset 1']);
    const second = await cli(['threads', ...as(bob), '--limit', '1', '--offset', '1', '--json']);
    expect(jsonOf(second)).toEqual(await api(bob, '/api/v1/threads/?limit=1&offset=1'));
    expect((jsonOf(second) as { results: { id: number }[] }).results.map((thread) => thread.id)).toEqual([direct]);
  });

  it('history shows the newest messages by default, pages with --before / --after / --limit, and --json prints the API page', async () => {
    const all = await cli(['history', ...as(alice), '--thread', String(direct)]);
    expect(all).toMatchObject({ code: 0, err: [] });
    expect(all.out).toHaveLength(6);
    expect(all.out[0]).toMatch(new RegExp(`^1  ${TIME}  inbox_alice  lunch on thursday\\?$`));
    expect(all.out[2]).toMatch(/ {2}inbox_alice {2}the <b>new<\/b> place & "the" old one$/);
    // Someone else's text cannot drive the terminal: the newline and the escape are shown, not sent.
    expect(all.out[3]).toMatch(/ {2}inbox_bob {4}two ⏎ lines \\u001b\[31mred$/);
    expect(all.out[5]).toBe(`thread #${direct}: seq 1–5`);

    const newest = await cli(['history', ...as(alice), '--thread', String(direct), '--limit', '2']);
    expect(newest.out.map((line) => line.split(' ')[0])).toEqual(['4', '5', 'thread']);
    expect(newest.out[2]).toBe(`thread #${direct}: seq 4–5; older: --before 4`);

    const before = await cli(['history', ...as(alice), '--thread', String(direct), '--before', '4', '--limit', '2']);
    expect(before.out.slice(0, 2).map((line) => line.split(' ')[0])).toEqual(['2', '3']);
    expect(before.out[2]).toBe(`thread #${direct}: seq 2–3; older: --before 2, newer: --after 3`);

    const after = await cli(['history', ...as(alice), '--thread', String(direct), '--after', '3']);
    expect(after.out.slice(0, 2).map((line) => line.split(' ')[0])).toEqual(['4', '5']);
    expect(after.out[2]).toBe(`thread #${direct}: seq 4–5; older: --before 4`);
    const afterPage = await cli(['history', ...as(alice), '--thread', String(direct), '--after', '1', '--limit', '2']);
    expect(afterPage.out[2]).toBe(`thread #${direct}: seq 2–3; older: --before 2, newer: --after 3`);

    const none = await cli(['history', ...as(alice), '--thread', String(direct), '--after', '5']);
    expect(none.out).toEqual([`thread #${direct}: no messages in that range`]);

    const json = await cli(['history', ...as(alice), '--thread', String(direct), '--after', '1', '--limit', '2', '--json']);
    expect(jsonOf(json)).toEqual(await api(alice, `/api/v1/threads/${direct}/messages/?afterSeq=1&limit=2`));
    const jsonBefore = await cli(['history', ...as(alice), '--thread', String(direct), '--before', '3', '--json']);
    expect(jsonOf(jsonBefore)).toEqual(await api(alice, `/api/v1/threads/${direct}/messages/?beforeSeq=3`));
  });

  it("answers a thread that is not the caller's with the API's 404 code and exit code 1, as text or JSON", async () => {
    for (const [user, threadId] of [
      [carol, direct],
      [alice, 987654],
    ] as const) {
      const run = await cli(['history', ...as(user), '--thread', String(threadId)]);
      expect(run).toEqual({ code: 1, out: [], err: ['Parley refused the request (HTTP 404 thread_not_found): Thread not found.'] });
      const json = await cli(['history', ...as(user), '--thread', String(threadId), '--json']);
      expect(json.code).toBe(1);
      expect(json.out).toEqual([]);
      expect(JSON.parse(json.err.join('\n'))).toEqual({ statusCode: 404, error: 'Not Found', message: 'Thread not found.', code: 'thread_not_found' });
    }
    for (const command of ['read', 'unread']) {
      const run = await cli([command, ...as(carol), '--thread', String(direct)]);
      expect({ command, ...run }).toEqual({ command, code: 1, out: [], err: ['Parley refused the request (HTTP 404 thread_not_found): Thread not found.'] });
    }
    const search = await cli(['search', ...as(carol), '--thread', String(direct), 'lunch']);
    expect(search).toMatchObject({ code: 1, err: ['Parley refused the request (HTTP 404 thread_not_found): Thread not found.'] });
  });

  it('read marks a thread read up to a seq or entirely, unread from a seq or the last message, as the API counts', async () => {
    const dana = await t.createUser('inbox_dana');
    const erin = await t.createUser('inbox_erin');
    const thread = await t.createThread(dana, [erin]);
    for (const text of ['one', 'two', 'three', 'four']) await say(dana, thread, text);
    const unreadCount = async (): Promise<number> =>
      ((await api(erin, `/api/v1/threads/${thread}/messages/unread_count/`)) as { unreadCount: number }).unreadCount;

    const upTo = await cli(['read', ...as(erin), '--thread', String(thread), '--seq', '2']);
    expect(upTo).toEqual({ code: 0, err: [], out: [`thread #${thread}: read up to seq 2; 2 unread here, 2 in all`] });
    expect(await unreadCount()).toBe(2);

    const everything = await cli(['read', ...as(erin), '--thread', String(thread), '--json']);
    expect(jsonOf(everything)).toEqual({ threadId: thread, lastReadSeq: 4, unreadCount: 0, totalUnread: 0 });
    expect(await unreadCount()).toBe(0);

    const fromSeq = await cli(['unread', ...as(erin), '--thread', String(thread), '--seq', '3']);
    expect(fromSeq.out).toEqual([`thread #${thread}: unread from seq 3 on (read up to seq 2); 2 unread here, 2 in all`]);
    expect(await unreadCount()).toBe(2);

    await cli(['read', ...as(erin), '--thread', String(thread)]);
    const last = await cli(['unread', ...as(erin), '--thread', String(thread), '--json']);
    expect(jsonOf(last)).toEqual({ threadId: thread, lastReadSeq: 3, unreadCount: 1, totalUnread: 1 });

    const missing = await cli(['read', ...as(erin), '--thread', String(thread), '--seq', '9']);
    expect(missing).toEqual({ code: 1, out: [], err: [`thread #${thread} has no message with seq 9`] });
    const empty = await t.createThread(erin, [carol]);
    expect(await cli(['unread', ...as(erin), '--thread', String(empty)])).toEqual({
      code: 1,
      out: [],
      err: [`thread #${empty} has no messages to mark unread`],
    });
  });

  it('search shows the matches emphasised with the HTML decoded, narrows to a thread, pages, and --json prints the API page', async () => {
    const run = await cli(['search', ...as(bob), 'lunch']);
    expect(run).toMatchObject({ code: 0, err: [] });
    expect(run.out).toEqual([
      expect.stringMatching(new RegExp(`^${TIME}  #${direct} with inbox_alice  seq 5  inbox_alice: see you at \\*lunch\\*$`)),
      expect.stringMatching(new RegExp(`^${TIME}  #${direct} with inbox_alice  seq 1  inbox_alice: \\*lunch\\* on thursday\\?$`)),
      '2 matching messages',
    ]);

    // Markup in a message is text: the API escapes it in the highlight, the CLI shows it as written.
    const markup = await cli(['search', ...as(alice), 'place']);
    expect(markup.out[0]).toMatch(/inbox_alice: the <b>new<\/b> \*place\* & "the" old one$/);
    // On a terminal the matches are bold instead; the words may be a phrase in quotes.
    const bold = await cli(['search', ...as(alice), '"new place"'], { color: true });
    expect(bold.out[0]).toContain('inbox_alice: the <b>\u001b[1mnew\u001b[22m</b> \u001b[1mplace\u001b[22m & "the" old one');

    const json = await cli(['search', ...as(bob), 'lunch', '--limit', '1', '--json']);
    expect(jsonOf(json)).toEqual(await api(bob, '/api/v1/messages/search/?q=lunch&limit=1'));
    const paged = await cli(['search', ...as(bob), 'lunch', '--limit', '1', '--offset', '1']);
    expect(paged.out).toEqual([expect.stringMatching(/ seq 1 /), '2–2 of 2 matching messages']);

    const inGroup = await cli(['search', ...as(bob), '--thread', String(group), 'lunch']);
    expect(inGroup.out).toEqual(['no matching messages']);
    // Words that start with a dash (exclusions) come after "--", which ends the options.
    const excluded = await cli(['search', ...as(bob), '--json', '--', 'lunch', '-thursday']);
    expect((jsonOf(excluded) as { results: { seq: number }[] }).results.map((hit) => hit.seq)).toEqual([5]);

    const tooLong = await cli(['search', ...as(bob), 'x'.repeat(201)]);
    expect(tooLong.code).toBe(1);
    expect(tooLong.err[0]).toMatch(/^Parley refused the request \(HTTP 400 validation_failed\): .*200/);
  });

  it('users lists the other users with their names, searches them, pages, and --json prints the API page', async () => {
    const run = await cli(['users', ...as(alice), 'inbox_']);
    expect(run).toMatchObject({ code: 0, err: [] });
    expect(run.out[0]).toMatch(/^USERNAME +NAME/);
    expect(run.out).toContainEqual(expect.stringMatching(/^inbox_bob +Bob Baker/));
    expect(run.out).toContainEqual(expect.stringMatching(/^inbox_carol +Carol Cole/));
    expect(run.out.some((line) => line.startsWith('inbox_alice'))).toBe(false);
    expect(run.out.at(-1)).toMatch(/^\d+ users matching "inbox_"$/);

    const byName = await cli(['users', ...as(alice), 'Carol', 'Cole']);
    expect(byName.out).toEqual([expect.stringMatching(/^USERNAME +NAME/), expect.stringMatching(/^inbox_carol +Carol Cole/), '1 user matching "Carol Cole"']);

    const json = await cli(['users', ...as(alice), '--limit', '1', '--offset', '1', '--json']);
    expect(jsonOf(json)).toEqual(await api(alice, '/api/v1/users/?limit=1&offset=1'));
    const page = await cli(['users', ...as(alice), 'inbox_', '--limit', '1']);
    expect(page.out.at(-1)).toMatch(/^1–1 of \d+ users matching "inbox_"; next page: --offset 1$/);
  });

  it('users shows who is online (a socket connected right now) and who is not', async () => {
    const bobLive = await connectLive(t.baseUrl, bob.token);
    try {
      // Presence reaches the database in batches: wait until the API says so, then the CLI must show it.
      await waitUntilListedAs(true, async () => ({ me: ((await api(bob, '/api/v1/users/me/')) as { online: unknown }).online }));
      const run = await cli(['users', ...as(alice), 'inbox_']);
      expect(run.out[0]).toMatch(/^USERNAME +NAME +STATUS$/);
      expect(run.out).toContainEqual(expect.stringMatching(/^inbox_bob +Bob Baker +online$/));
      expect(run.out).toContainEqual(expect.stringMatching(/^inbox_carol +Carol Cole +offline$/));
    } finally {
      bobLive.close();
    }
  });

  it('edit and delete change your own messages; history, threads and search show the edit and the tombstone', async () => {
    const [fay, gil] = await Promise.all([t.createUser('inbox_fay'), t.createUser('inbox_gil')]);
    const thread = await t.createThread(fay, [gil]);
    const first = await say(fay, thread, 'meet at noon');
    const second = await say(fay, thread, 'bring the tickets');

    const edited = await cli(['edit', ...as(fay), '--message', String(first), 'meet', 'at', 'one']);
    expect(edited).toEqual({ code: 0, err: [], out: [`edited message ${first} (thread #${thread}, seq 1): meet at one (edited)`] });
    const editedJson = await cli(['edit', ...as(fay), '--message', String(first), '--json', 'meet at two']);
    expect(jsonOf(editedJson)).toMatchObject({ id: first, threadId: thread, seq: 1, text: 'meet at two', editedAt: expect.any(String), deletedAt: null });

    const removed = await cli(['delete', ...as(fay), '--message', String(second)]);
    expect(removed).toEqual({ code: 0, err: [], out: [`deleted message ${second} (it stays in the thread as a tombstone)`] });
    // Deleting it again succeeds too, as the API answers.
    expect(jsonOf(await cli(['delete', ...as(fay), '--message', String(second), '--json']))).toEqual({ messageId: second, deleted: true });

    const history = await cli(['history', ...as(gil), '--thread', String(thread)]);
    expect(history.out).toEqual([
      expect.stringMatching(new RegExp(`^1  ${TIME}  inbox_fay  meet at two \\(edited\\)$`)),
      expect.stringMatching(new RegExp(`^2  ${TIME}  inbox_fay  \\(message deleted\\)$`)),
      `thread #${thread}: seq 1–2`,
    ]);
    const historyJson = jsonOf(await cli(['history', ...as(gil), '--thread', String(thread), '--json'])) as { results: unknown[] };
    expect(historyJson.results[1]).toMatchObject({ id: second, seq: 2, text: '', deletedAt: expect.any(String) });
    const threadsList = await cli(['threads', ...as(gil)]);
    expect(threadsList.out[1]).toMatch(new RegExp(`^#${thread} +with inbox_fay +2 +${TIME} +inbox_fay: \\(message deleted\\)$`));
    expect((await cli(['search', ...as(gil), 'tickets'])).out).toEqual(['no matching messages']);
    expect((await cli(['search', ...as(gil), 'two'])).out[0]).toMatch(/inbox_fay: meet at \*two\* \(edited\)$/);

    // Only the sender: another participant is refused with the API's 403, an outsider and a missing id get its 404.
    for (const [user, id, status, code, message] of [
      [gil, first, 403, 'not_message_sender', 'Only its sender can edit or delete a message.'],
      [carol, first, 404, 'message_not_found', 'Message not found.'],
      [fay, 987654, 404, 'message_not_found', 'Message not found.'],
      [fay, second, 409, 'message_deleted', 'This message was deleted; it cannot be edited.'],
    ] as const) {
      const run = await cli(['edit', ...as(user), '--message', String(id), 'hijacked']);
      expect(run).toEqual({ code: 1, out: [], err: [`Parley refused the request (HTTP ${status} ${code}): ${message}`] });
    }
    const refusedDelete = await cli(['delete', ...as(gil), '--message', String(first), '--json']);
    expect(refusedDelete.code).toBe(1);
    expect(JSON.parse(refusedDelete.err.join('\n'))).toMatchObject({ statusCode: 403, code: 'not_message_sender' });
    const tooLong = await cli(['edit', ...as(fay), '--message', String(first), 'x'.repeat(4001)]);
    expect(tooLong.code).toBe(1);
    expect(tooLong.err[0]).toMatch(/^Parley refused the request \(HTTP 400 validation_failed\): .*4000/);
    // Nothing refused changed the message.
    const after = (await api(fay, `/api/v1/threads/${thread}/messages/`)) as { results: { text: string }[] };
    expect(after.results.map((m) => m.text)).toEqual(['meet at two', '']);
  });

  it('explains each command with --help, and answers bad arguments with the usage and exit code 2 before any request', async () => {
    const help = await cli(['history', '--help']);
    expect(help).toMatchObject({ code: 0, err: [] });
    expect(help.out[0]).toBe('Usage:');
    expect(help.out[1]).toBe('  parley history --as <username> --password <password> --thread <id> [--after SEQ] [--before SEQ] [--limit N]');
    expect(help.out).toContainEqual(expect.stringMatching(/^ {2}--before SEQ +the messages right before this seq/));
    expect(help.out).toContainEqual(expect.stringMatching(/^ {2}--json +print the API's objects/));
    expect((await cli(['help', 'search'])).out[1]).toMatch(/^ {2}parley search /);
    const overview = await cli(['--help']);
    for (const command of ['threads', 'history', 'read', 'unread', 'send', 'edit', 'delete', 'search', 'users', 'listen']) {
      expect(overview.out).toContainEqual(expect.stringMatching(new RegExp(`^ {2}${command} +\\S`)));
    }

    // No server at this URL: a request would fail with exit code 1, so exit code 2 shows none was made.
    const nowhere = ['--url', 'http://127.0.0.1:9', '--as', 'a', '--password', 'b'];
    const cases: [string[], string][] = [
      [['history', ...nowhere], 'history needs --thread <id>'],
      [['history', ...nowhere, '--thread', 'x'], '--thread must be a thread id (a positive whole number), not "x"'],
      [['history', ...nowhere, '--thread', '1', '--before', '0'], '--before must be a whole number of at least 1, not "0"'],
      [['history', ...nowhere, '--thread', '1', '--to', 'bob'], 'history takes no --to'],
      [['threads', ...nowhere, 'extra'], 'threads takes no text, got "extra"'],
      [['threads', ...nowhere, '--limit', '0'], '--limit must be a whole number of at least 1, not "0"'],
      [['read', ...nowhere, '--thread', '1', '--seq', '0'], '--seq must be a whole number of at least 1, not "0"'],
      [['search', ...nowhere], 'search needs the words to look for, e.g. lunch "next week" -friday'],
      [['edit', ...nowhere, '--message', '1'], 'edit needs the new text (quote it)'],
      [['delete', ...nowhere, '--message', 'abc'], '--message must be a message id (a positive whole number), not "abc"'],
      [['delete', ...nowhere], 'delete needs --message <id>'],
      [['users', '--url', 'http://127.0.0.1:9', '--as', 'a'], 'users needs --password <password> (or PARLEY_PASSWORD in the environment)'],
    ];
    for (const [argv, problem] of cases) {
      const run = await cli(argv);
      expect({ argv, code: run.code, first: run.err[0] }).toEqual({ argv, code: 2, first: `error: ${problem}` });
      // The usage of that command, not of every command.
      const synopses = run.err.filter((line) => line.startsWith('  parley '));
      expect(synopses.length).toBeGreaterThan(0);
      expect(synopses.filter((line) => !line.startsWith(`  parley ${argv[0]} `))).toEqual([]);
      expect(run.out).toEqual([]);
    }
  });
});
