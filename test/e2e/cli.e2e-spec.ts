import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { freePort } from '../support/ports.js';
import { runCli } from '../../apps/cli/src/cli.js';
import { capture } from '../support/cli-run.js';
import { connectLive, type LiveClient } from '../support/sockets.js';
import { startTestApp, type TestApp, type TestUser } from '../support/test-app.js';

/** Waits until some recorded line matches. */
async function waitForLine(lines: string[], pattern: RegExp, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const hit = lines.find((line) => pattern.test(line));
    if (hit !== undefined) return hit;
    if (Date.now() > deadline) throw new Error(`no line matching ${String(pattern)}; got:\n${lines.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('the parley CLI', () => {
  let t: TestApp;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  const open: LiveClient[] = [];

  const as = (user: TestUser): string[] => ['--url', t.baseUrl, '--as', user.username, '--password', user.password];

  beforeAll(async () => {
    t = await startTestApp();
    [alice, bob, carol] = await Promise.all([t.createUser('cli_alice'), t.createUser('cli_bob'), t.createUser('cli_carol')]);
    // Users whose names contain "cli_bob" too: the CLI must pick the exact username, not the first search hit.
    await Promise.all([t.createUser('cli_bobby'), t.createUser('xcli_bob'), t.createUser('zed', { displayName: 'cli_bob fan' })]);
  });
  afterEach(() => {
    for (const client of open.splice(0)) client.close();
  });
  afterAll(() => t.close());

  it('send --to opens the direct thread and delivers the message live to the recipient', async () => {
    const bobLive = await connectLive(t.baseUrl, bob.token);
    open.push(bobLive);

    const first = capture();
    expect(await runCli(['send', ...as(alice), '--to', bob.username, 'hello from the cli'], first.io)).toBe(0);
    expect(first.err).toEqual([]);
    expect(first.out).toHaveLength(1);
    const [, threadId] = /^sent to cli_bob: thread (\d+) \(new\), seq 1, message \d+$/.exec(first.out[0] ?? '') ?? [];
    expect(threadId).toBeDefined();

    const live = await bobLive.waitFor<{ message: { threadId: number; text: string; sender: { id: number } } }>(
      'message:new',
      (e) => e.message.text === 'hello from the cli',
    );
    expect(live.message).toMatchObject({ threadId: Number(threadId), sender: { id: alice.id } });

    // The second time the thread exists already (200): same thread, next seq. Unquoted words make one message.
    const second = capture();
    expect(await runCli(['send', ...as(alice), '--to', 'CLI_Bob', 'second', 'one'], second.io)).toBe(0);
    expect(second.out).toEqual([expect.stringMatching(new RegExp(`^sent to cli_bob: thread ${threadId}, seq 2, message \\d+$`))]);
    await bobLive.waitFor<{ message: { text: string } }>('message:new', (e) => e.message.text === 'second one');

    const threads = await t.http().get('/api/v1/threads/').set('Authorization', alice.auth).expect(200);
    expect(threads.body.count).toBe(1);
  });

  it('send --thread sends into an existing thread, and refuses a thread that is not yours with 404', async () => {
    const created = await t
      .http()
      .post('/api/v1/threads/')
      .set('Authorization', alice.auth)
      .send({ participants: [carol.id] })
      .expect(201);
    const threadId = created.body.id as number;
    const run = capture();
    expect(await runCli(['send', ...as(carol), '--thread', String(threadId), 'into the thread'], run.io)).toBe(0);
    expect(run.out).toEqual([expect.stringMatching(new RegExp(`^sent to thread ${threadId}: seq 1, message \\d+$`))]);
    const history = await t.http().get(`/api/v1/threads/${threadId}/messages/`).set('Authorization', alice.auth).expect(200);
    expect(history.body.results).toMatchObject([{ seq: 1, text: 'into the thread', sender: { id: carol.id } }]);

    const notYours = capture();
    expect(await runCli(['send', ...as(bob), '--thread', String(threadId), 'let me in'], notYours.io)).toBe(1);
    expect(notYours.err).toEqual([`thread ${threadId} not found (it does not exist, or you are not one of its participants)`]);
    const missing = capture();
    expect(await runCli(['send', ...as(bob), '--thread', '999999', 'anyone?'], missing.io)).toBe(1);
    expect(missing.err[0]).toMatch(/^thread 999999 not found/);
  });

  it('reports a wrong password, an unknown recipient and oneself as recipient in one line, exit code 1', async () => {
    const wrong = capture();
    expect(await runCli(['send', '--url', t.baseUrl, '--as', alice.username, '--password', 'nope', '--to', bob.username, 'hi'], wrong.io)).toBe(1);
    expect(wrong.err).toEqual(['sign-in failed: wrong username or password']);
    expect(wrong.out).toEqual([]);

    const nobody = capture();
    expect(await runCli(['send', ...as(alice), '--to', 'cli_nobody', 'hi'], nobody.io)).toBe(1);
    expect(nobody.err).toEqual(['no user named cli_nobody']);
    // A name that only matches a prefix of others ("cli_b") is not a user either.
    const partial = capture();
    expect(await runCli(['send', ...as(alice), '--to', 'cli_b', 'hi'], partial.io)).toBe(1);
    expect(partial.err).toEqual(['no user named cli_b']);

    const self = capture();
    expect(await runCli(['send', ...as(alice), '--to', alice.username, 'hi me'], self.io)).toBe(1);
    expect(self.err).toEqual(['you cannot send a direct message to yourself']);

    const tooLong = capture();
    expect(await runCli(['send', ...as(alice), '--to', bob.username, 'x'.repeat(4001)], tooLong.io)).toBe(1);
    expect(tooLong.err).toHaveLength(1);
    expect(tooLong.err[0]).toMatch(/^message not sent: .*4000/);
  });

  it('says the server is not running when nothing listens at the URL', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const down = capture();
    expect(await runCli(['send', '--url', url, '--as', 'a', '--password', 'b', '--to', 'c', 'hi'], down.io)).toBe(1);
    expect(down.err).toEqual([`cannot reach Parley at ${url}: is the server running? (npm start)`]);
    const listen = capture();
    expect(await runCli(['listen', '--url', `${url}/`, '--as', 'a', '--password', 'b'], listen.io)).toBe(1);
    expect(listen.err).toEqual([`cannot reach Parley at ${url}: is the server running? (npm start)`]);
    // Port 9 (discard) is one of the ports fetch refuses outright: still one clear line, no stack.
    const reserved = capture();
    expect(await runCli(['send', '--url', 'http://127.0.0.1:9', '--as', 'a', '--password', 'b', '--to', 'c', 'hi'], reserved.io)).toBe(1);
    expect(reserved.err).toEqual(['cannot reach Parley at http://127.0.0.1:9: port 9 is reserved for other protocols, and fetch will not use it']);
  });

  it('answers bad usage with the usage text and exit code 2, and --help with exit code 0', async () => {
    const cases: string[][] = [
      [],
      ['frobnicate'],
      ['toString'],
      ['send', '--bogus'],
      ['send', '--as', 'a', '--password', 'b', 'no target'],
      ['send', '--as', 'a', '--password', 'b', '--to', 'c', '--thread', '1', 'both'],
      ['send', '--as', 'a', '--password', 'b', '--to', 'c'],
      ['send', '--as', 'a', '--password', 'b', '--thread', 'abc', 'hi'],
      ['send', '--as', 'a', '--password', 'b', '--thread', '0', 'hi'],
      ['send', '--password', 'b', '--to', 'c', 'hi'],
      ['send', '--as', 'a', '--to', 'c', 'hi'],
      ['send', '--url', 'ftp://example.test', '--as', 'a', '--password', 'b', '--to', 'c', 'hi'],
      ['listen', '--as', 'a', '--password', 'b', 'extra'],
      ['listen', '--as', 'a', '--password', 'b', '--to', 'c'],
    ];
    for (const argv of cases) {
      const run = capture();
      expect({ argv, code: await runCli(argv, run.io) }).toEqual({ argv, code: 2 });
      expect(run.err[0]).toMatch(/^error: /);
      expect(run.err).toContain('Usage:');
      expect(run.out).toEqual([]);
    }
    const help = capture();
    expect(await runCli(['--help'], help.io)).toBe(0);
    expect(help.out[0]).toBe('Usage:');
    expect(help.out.join('\n')).toContain('--thread <id>');
    expect(help.err).toEqual([]);
  });

  it('listen prints live events with names, until the signal aborts (exit 0)', async () => {
    const dave = await t.createUser('cli_dave');
    const erin = await t.createUser('cli_erin');
    const controller = new AbortController();
    const listening = capture(controller.signal);
    const done = runCli(['listen', ...as(dave)], listening.io);
    await waitForLine(listening.out, /connected as cli_dave \(0 unread\)$/);

    const send = capture();
    expect(await runCli(['send', ...as(erin), '--to', dave.username, 'ping from erin'], send.io)).toBe(0);
    const threadId = Number(/thread (\d+)/.exec(send.out[0] ?? '')?.[1]);
    await waitForLine(listening.out, new RegExp(`new direct thread #${threadId} with cli_erin$`));
    const line = await waitForLine(listening.out, /ping from erin/);
    expect(line).toMatch(new RegExp(`^\\d\\d:\\d\\d:\\d\\d \\[#${threadId} with cli_erin\\] cli_erin: ping from erin$`));
    await waitForLine(listening.out, new RegExp(`\\[#${threadId} with cli_erin\\] unread: 1 \\(total 1\\)$`));

    // Someone else's text cannot drive the terminal: control characters are shown, not sent.
    await t.http().post(`/api/v1/threads/${threadId}/messages/`).set('Authorization', erin.auth).send({ text: 'two\nlines \u001b[31mred' }).expect(201);
    await waitForLine(listening.out, /cli_erin: two ⏎ lines \\u001b\[31mred$/);

    controller.abort();
    expect(await done).toBe(0);
    expect(listening.err.at(-1)).toBe('stopped');
    expect(listening.out.filter((l) => l.includes('ping from erin'))).toHaveLength(1);
  });

  it('send --json prints the stored Message; listen --json prints one event a line, each message once', async () => {
    const [kim, lee] = await Promise.all([t.createUser('cli_kim'), t.createUser('cli_lee')]);
    const thread = await t.createThread(lee, [kim]);
    // Already there when the listener starts: not an event.
    await t.http().post(`/api/v1/threads/${thread}/messages/`).set('Authorization', lee.auth).send({ text: 'before you came' }).expect(201);
    const controller = new AbortController();
    const listening = capture(controller.signal);
    const done = runCli(['listen', ...as(kim), '--json'], listening.io);
    const events = (): { event: string; data: Record<string, unknown>; fetched?: boolean }[] => listening.out.map((line) => JSON.parse(line));
    await waitForLine(listening.out, /"event":"hello"/);
    expect(events()[0]).toMatchObject({ event: 'hello', data: { user: { username: 'cli_kim' }, totalUnread: 1 } });

    const sent = capture();
    expect(await runCli(['send', ...as(lee), '--thread', String(thread), '--json', 'live one'], sent.io)).toBe(0);
    const message = JSON.parse(sent.out.join('\n'));
    expect(message).toMatchObject({ threadId: thread, seq: 2, text: 'live one', sender: { id: lee.id }, clientMessageId: expect.any(String) });
    await waitForLine(listening.out, /"text":"live one"/);
    await t.http().post(`/api/v1/threads/${thread}/read/`).set('Authorization', lee.auth).send({}).expect(200);
    await t.http().post(`/api/v1/threads/${thread}/read/`).set('Authorization', kim.auth).send({}).expect(200);
    await waitForLine(listening.out, new RegExp(`"event":"read","data":\\{"threadId":${thread},"userId":${kim.id}`));
    controller.abort();
    expect(await done).toBe(0);

    const news = events().filter((e) => e.event === 'message:new');
    // The frame as the server sent it to kim: its read flags, its counts.
    expect(news).toEqual([
      { event: 'message:new', data: { message: { ...message, readByMe: false }, unreadCount: 2, totalUnread: 2, readByAllSeq: expect.any(Number) } },
    ]);
  });

  it('listen shows edits and deletes as they happen, readable and as JSON', async () => {
    const [mia, ned] = await Promise.all([t.createUser('cli_mia'), t.createUser('cli_ned')]);
    const thread = await t.createThread(ned, [mia]);
    const controller = new AbortController();
    const readable = capture(controller.signal);
    const json = capture(controller.signal);
    const done = [runCli(['listen', ...as(mia)], readable.io), runCli(['listen', ...as(mia), '--json'], json.io)];
    await waitForLine(readable.out, /connected as cli_mia/);
    await waitForLine(json.out, /"event":"hello"/);

    const sent = capture();
    expect(await runCli(['send', ...as(ned), '--thread', String(thread), '--json', 'see you at 5'], sent.io)).toBe(0);
    const messageId = JSON.parse(sent.out.join('\n')).id as number;
    await waitForLine(readable.out, /cli_ned: see you at 5$/);
    expect(await runCli(['edit', ...as(ned), '--message', String(messageId), 'see you at 6'], capture().io)).toBe(0);
    await waitForLine(readable.out, new RegExp(`\\[#${thread} with cli_ned\\] cli_ned edited seq 1: see you at 6$`));
    expect(await runCli(['delete', ...as(ned), '--message', String(messageId)], capture().io)).toBe(0);
    await waitForLine(readable.out, new RegExp(`\\[#${thread} with cli_ned\\] cli_ned deleted seq 1$`));
    await waitForLine(json.out, /"event":"message:updated".*"deletedAt":"/);
    controller.abort();
    expect(await Promise.all(done)).toEqual([0, 0]);

    const updates = json.out.map((line) => JSON.parse(line)).filter((e: { event: string }) => e.event === 'message:updated');
    expect(updates).toEqual([
      {
        event: 'message:updated',
        data: { message: expect.objectContaining({ id: messageId, text: 'see you at 6', editedAt: expect.any(String), deletedAt: null }) },
      },
      { event: 'message:updated', data: { message: expect.objectContaining({ id: messageId, text: '', deletedAt: expect.any(String) }) } },
    ]);
  });

  it('listen names an untitled group by its members', async () => {
    const [gwen, hal, ivy] = await Promise.all([t.createUser('cli_gwen'), t.createUser('cli_hal'), t.createUser('cli_ivy')]);
    const controller = new AbortController();
    const listening = capture(controller.signal);
    const done = runCli(['listen', ...as(gwen)], listening.io);
    await waitForLine(listening.out, /connected as cli_gwen/);
    // As a DRF client creates it: every member listed, the caller too, and no title.
    const group = (
      await t
        .http()
        .post('/api/v1/threads/')
        .set('Authorization', hal.auth)
        .send({ participants: [hal.id, gwen.id, ivy.id] })
        .expect(201)
    ).body as { id: number; title: null };
    expect(group.title).toBeNull();
    await waitForLine(listening.out, new RegExp(`new untitled group #${group.id} with cli_hal, cli_ivy$`));
    await t.http().post(`/api/v1/threads/${group.id}/messages/`).set('Authorization', ivy.auth).send({ text: 'hello group' }).expect(201);
    await waitForLine(listening.out, new RegExp(`\\[#${group.id} group: cli_hal, cli_ivy\\] cli_ivy: hello group$`));
    controller.abort();
    expect(await done).toBe(0);
  });

  it('listen renews an expired access token, reconnects and loses no message', async () => {
    const short = await startTestApp({ JWT_ACCESS_TTL: '10' });
    try {
      const [fay, gus] = await Promise.all([short.createUser('cli_fay'), short.createUser('cli_gus')]);
      const thread = await short
        .http()
        .post('/api/v1/threads/')
        .set('Authorization', gus.auth)
        .send({ participants: [fay.id] })
        .expect(201);
      const threadId = thread.body.id as number;
      const controller = new AbortController();
      const listening = capture(controller.signal);
      const done = runCli(['listen', '--url', short.baseUrl, '--as', fay.username, '--password', fay.password], listening.io);
      await waitForLine(listening.out, /connected as cli_fay/);

      await waitForLine(listening.err, /access token expired/, 20_000);
      // Sent while the listener is reconnecting: delivered live or fetched with afterSeq, printed once either way.
      const gusNow = (await short.http().post('/api/token/').send({ username: gus.username, password: gus.password }).expect(200)).body.access as string;
      await short.http().post(`/api/v1/threads/${threadId}/messages/`).set('Authorization', `Bearer ${gusNow}`).send({ text: 'during the gap' }).expect(201);
      await waitForLine(listening.out, /reconnected as cli_fay/);
      await waitForLine(listening.out, /cli_gus: during the gap/);
      await short.http().post(`/api/v1/threads/${threadId}/messages/`).set('Authorization', `Bearer ${gusNow}`).send({ text: 'after the gap' }).expect(201);
      await waitForLine(listening.out, /cli_gus: after the gap$/);

      controller.abort();
      expect(await done).toBe(0);
      expect(listening.out.filter((l) => l.includes('during the gap'))).toHaveLength(1);
    } finally {
      await short.close();
    }
  }, 45_000);
});
