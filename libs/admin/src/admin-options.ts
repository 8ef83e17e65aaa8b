import type { AdminJSOptions } from 'adminjs';
import { componentLoader, Components } from './admin-components.js';
import type { AdminStatsRepository } from './admin-stats.repository.js';
import type { AdminService } from './admin.service.js';
import { messagesResource } from './resources/messages.resource.js';
import { participantsResource } from './resources/participants.resource.js';
import { threadsResource } from './resources/threads.resource.js';
import { usersResource } from './resources/users.resource.js';

export const ADMIN_ROOT = '/admin';

/** The panel: branding, dashboard, the four resources and the wording of a chat admin rather than AdminJS's defaults. */
export function buildAdminOptions(admin: AdminService, stats: AdminStatsRepository): AdminJSOptions {
  return {
    rootPath: ADMIN_ROOT,
    loginPath: `${ADMIN_ROOT}/login`,
    logoutPath: `${ADMIN_ROOT}/logout`,
    componentLoader,
    branding: { companyName: 'Parley admin', logo: false, withMadeWithLove: false },
    dashboard: { component: Components.Dashboard, handler: () => admin.dashboard() },
    resources: [usersResource(admin), threadsResource(admin, stats), messagesResource(admin), participantsResource(stats)],
    locale: {
      language: 'en',
      availableLanguages: ['en'],
      translations: {
        en: {
          components: {
            Login: {
              welcomeHeader: 'Parley admin',
              welcomeMessage: 'For Parley staff: look after users, threads and messages. Sign in with your Parley username (or email) and password.',
              properties: { email: 'Username or email', password: 'Password' },
              loginButton: 'Sign in',
            },
          },
          labels: { User: 'Users', Thread: 'Threads', Message: 'Messages', Participant: 'Participants' },
          messages: { invalidCredentials: 'Wrong username/email or password.' },
          resources: {
            User: {
              properties: { isStaff: 'Staff', displayName: 'Display name', createdAt: 'Created' },
              actions: { setPassword: 'Set password' },
            },
            Thread: {
              properties: {
                lastSeq: 'Messages',
                updatedAt: 'Last activity',
                createdAt: 'Created',
                createdById: 'Created by',
                participant: 'Participant',
                messages: 'Messages',
              },
            },
            Message: {
              properties: {
                threadId: 'Thread',
                senderId: 'Sender',
                excerpt: 'Text',
                createdAt: 'Sent',
                clientMessageId: 'Client message id',
                editedAt: 'Edited',
                deletedAt: 'Deleted',
              },
              actions: { new: 'Send as a user', delete: 'Redact' },
            },
            Participant: {
              properties: {
                threadId: 'Thread',
                userId: 'User',
                lastReadSeq: 'Read up to (seq)',
                readAt: 'Read at',
                joinedAt: 'Joined',
                ownAfterMarker: 'Own messages after marker',
                unread: 'Unread',
              },
            },
          },
        },
      },
    },
  };
}
