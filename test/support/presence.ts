import type { TestApp, TestUser } from './test-app.js';

interface UserJson {
  id: number;
  online: unknown;
}

/**
 * `target`'s `online` in every REST answer that lists it, as `viewer` sees it through `app`: the users list, the
 * thread's detail and the threads list (participants), the history (sender, when `target` has sent in the thread),
 * and `target`'s own `me`.
 */
export async function onlineAsListed(app: TestApp, viewer: TestUser, target: TestUser, threadId: number): Promise<Record<string, unknown>> {
  const get = async (path: string, as: TestUser = viewer): Promise<unknown> =>
    (await app.http().get(path).set('Authorization', as.auth).expect(200)).body as unknown;
  const [list, thread, threads, history, me] = await Promise.all([
    get(`/api/v1/users/?search=${target.username}`) as Promise<{ results: (UserJson & { username: string })[] }>,
    get(`/api/v1/threads/${threadId}/`) as Promise<{ participants: UserJson[] }>,
    get('/api/v1/threads/?limit=200') as Promise<{ results: { id: number; participants: UserJson[] }[] }>,
    get(`/api/v1/threads/${threadId}/messages/?limit=200`) as Promise<{ results: { sender: UserJson }[] }>,
    get('/api/v1/users/me/', target) as Promise<UserJson>,
  ]);
  const senders = history.results.map((message) => message.sender).filter((sender) => sender.id === target.id);
  return {
    usersList: list.results.find((user) => user.username === target.username)?.online,
    threadParticipants: thread.participants.find((user) => user.id === target.id)?.online,
    threadsListParticipants: threads.results.find((t) => t.id === threadId)?.participants.find((user) => user.id === target.id)?.online,
    historySender: senders.length > 0 && senders.every((sender) => sender.online === senders[0].online) ? senders[0].online : 'inconsistent',
    me: me.online,
  };
}

/** Every place listing `target` says `online` (polled, since presence reaches the database in batches), up to `timeoutMs`. */
export async function waitUntilListedAs(online: boolean, read: () => Promise<Record<string, unknown>>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const seen = await read();
    if (Object.values(seen).every((value) => value === online)) return;
    if (Date.now() > deadline) throw new Error(`expected online=${String(online)} everywhere within ${timeoutMs} ms; saw ${JSON.stringify(seen)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** `user`'s own `me.online`, in the shape waitUntilListedAs reads. */
export async function meOnline(app: TestApp, user: TestUser): Promise<Record<string, unknown>> {
  const me = await app.http().get('/api/v1/users/me/').set('Authorization', user.auth).expect(200);
  return { me: (me.body as UserJson).online };
}
