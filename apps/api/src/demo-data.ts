import type { INestApplicationContext } from '@nestjs/common';
import type { Actor } from '../../../libs/common/src/index.js';
import { AppConfig } from '../../../libs/config/src/index.js';
import { MessagesService } from '../../../libs/messages/src/index.js';
import { ThreadsService } from '../../../libs/threads/src/index.js';
import { UsersService } from '../../../libs/users/src/index.js';

const DEMO_PASSWORD = 'password';
const DEMO_USERS = [
  { username: 'davidjones', displayName: 'David Jones' },
  { username: 'jamessmith', displayName: 'James Smith' },
  { username: 'jenniferdavis', displayName: 'Jennifer Davis' },
  { username: 'marybrown', displayName: 'Mary Brown' },
  { username: 'robertwilliams', displayName: 'Robert Williams' },
  { username: 'sarahjohnson', displayName: 'Sarah Johnson' },
] as const;

type DemoUsername = (typeof DEMO_USERS)[number]['username'];

/** Conversations in send order; the later lines of the others stay unread for davidjones. */
const DEMO_CONVERSATIONS: { key: string; with: DemoUsername[]; title?: string; lines: [DemoUsername, string][] }[] = [
  {
    key: 'david-james',
    with: ['jamessmith'],
    lines: [
      ['davidjones', 'Hi James, thanks for applying for the backend engineer role.'],
      ['jamessmith', 'Thanks David! I would love to hear more about the team.'],
      ['jamessmith', 'Would Thursday at 10:00 work for a first call?'],
    ],
  },
  {
    key: 'david-mary',
    with: ['marybrown'],
    lines: [
      ['marybrown', 'Hi David, I have shared the interview notes for this week.'],
      ['davidjones', 'Thanks Mary, reading them now.'],
      ['marybrown', 'Let me know what you think about the second candidate.'],
    ],
  },
  {
    key: 'hiring-team',
    with: ['marybrown', 'sarahjohnson'],
    title: 'Hiring team',
    lines: [
      ['davidjones', 'Welcome to the hiring team thread.'],
      ['sarahjohnson', 'Glad to be here! I can take the frontend interviews.'],
    ],
  },
];

export class DemoSeedRefused extends Error {}

/**
 * Loads the demo data through the application's own services, idempotently: users are created when missing,
 * direct threads are found again by their pair, the group by its title, and every message carries a fixed
 * clientMessageId, so a second run stores nothing new.
 */
export async function seedDemoData(app: INestApplicationContext): Promise<void> {
  const config = app.get(AppConfig);
  if (config.isProduction && (!config.adminPassword || config.adminPassword === 'admin')) {
    throw new DemoSeedRefused('Refusing to create the staff user "admin" with the demo password in production: set ADMIN_PASSWORD.');
  }
  const users = app.get(UsersService);
  const threads = app.get(ThreadsService);
  const messages = app.get(MessagesService);

  const actors = new Map<string, Actor>();
  for (const demo of DEMO_USERS) {
    const user = await users.ensureUser({ ...demo, email: `${demo.username}@example.com`, password: DEMO_PASSWORD });
    actors.set(demo.username, { id: user.id, username: user.username, isStaff: user.isStaff });
  }
  await users.ensureUser({
    username: 'admin',
    displayName: 'Parley staff',
    email: 'admin@example.com',
    password: config.adminPassword ?? 'admin',
    isStaff: true,
  });

  const david = actors.get('davidjones') as Actor;
  for (const conversation of DEMO_CONVERSATIONS) {
    const participants = conversation.with.map((username) => (actors.get(username) as Actor).id);
    const threadId = conversation.title
      ? await findOrCreateGroup(threads, david, conversation.title, participants)
      : (await threads.create(david, { participants })).thread.id;
    for (const [index, [sender, text]] of conversation.lines.entries()) {
      await messages.send(actors.get(sender) as Actor, threadId, { text, clientMessageId: `demo-${conversation.key}-${index + 1}` });
    }
  }
}

async function findOrCreateGroup(threads: ThreadsService, owner: Actor, title: string, participants: number[]): Promise<number> {
  const existing = (await threads.list(owner, { limit: 200 })).results.parse().find((thread) => thread.type === 'group' && thread.title === title);
  return existing?.id ?? (await threads.create(owner, { participants, type: 'group', title })).thread.id;
}
