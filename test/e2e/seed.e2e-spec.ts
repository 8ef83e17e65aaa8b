import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { seedDemoData } from '../../apps/api/src/demo-data.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

async function snapshot(dataSource: DataSource): Promise<Record<string, unknown[]>> {
  return {
    users: await dataSource.query(`SELECT id, username, email, display_name, is_staff FROM users ORDER BY id`),
    threads: await dataSource.query(`SELECT id, type, title, created_by_id, last_seq FROM threads ORDER BY id`),
    participants: await dataSource.query(`SELECT thread_id, user_id, role, last_read_seq, own_after_marker FROM participants ORDER BY thread_id, user_id`),
    messages: await dataSource.query(`SELECT id, thread_id, seq, sender_id, text, client_message_id FROM messages ORDER BY id`),
  };
}

describe('demo seed', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('loads the demo data, and a second run leaves exactly the same data', async () => {
    await seedDemoData(t.app);
    const first = await snapshot(t.app.get(DataSource));
    await seedDemoData(t.app);
    expect(await snapshot(t.app.get(DataSource))).toEqual(first);

    expect((first.users as { username: string }[]).map((u) => u.username).sort()).toEqual([
      'admin',
      'davidjones',
      'jamessmith',
      'jenniferdavis',
      'marybrown',
      'robertwilliams',
      'sarahjohnson',
    ]);
    expect(first.threads).toHaveLength(3);
  });

  it('gives davidjones conversations with unread messages and a group', async () => {
    const signIn = await t.http().post('/api/token/').send({ username: 'davidjones', password: 'password' }).expect(200);
    const auth = `Bearer ${signIn.body.access as string}`;
    const threads = (await t.http().get('/api/v1/threads/').set('Authorization', auth).expect(200)).body.results as {
      type: string;
      title: string | null;
      participants: { username: string }[];
      unreadCount: number;
    }[];
    const byPeople = Object.fromEntries(
      threads.map((th) => [
        th.title ??
          th.participants
            .map((p) => p.username)
            .sort()
            .join('+'),
        th,
      ]),
    );
    expect(Object.keys(byPeople).sort()).toEqual(['Hiring team', 'davidjones+jamessmith', 'davidjones+marybrown']);
    expect(byPeople['Hiring team']?.participants.map((p) => p.username).sort()).toEqual(['davidjones', 'marybrown', 'sarahjohnson']);
    const summary = await t.http().get('/api/v1/unread_count/').set('Authorization', auth).expect(200);
    expect(summary.body.totalUnread).toBeGreaterThan(0);
  });

  it('creates the staff user admin with the demo password', async () => {
    const signIn = await t.http().post('/api/token/').send({ username: 'admin', password: 'admin' }).expect(200);
    const me = await t
      .http()
      .get('/api/v1/users/me/')
      .set('Authorization', `Bearer ${signIn.body.access as string}`)
      .expect(200);
    expect(me.body).toMatchObject({ username: 'admin', isStaff: true });
  });
});
