import { AdminSession } from '../../../libs/admin/src/session/admin-session.entity.js';
import { RefreshToken } from '../../../libs/auth/src/refresh-token.entity.js';
import { WebSession } from '../../../libs/auth/src/web-session.entity.js';
import { Message } from '../../../libs/messages/src/message.entity.js';
import { PresenceInstance } from '../../../libs/presence/src/presence-instance.entity.js';
import { UserPresence } from '../../../libs/presence/src/user-presence.entity.js';
import { Participant } from '../../../libs/threads/src/participant.entity.js';
import { Thread } from '../../../libs/threads/src/thread.entity.js';
import { User } from '../../../libs/users/src/user.entity.js';

/**
 * Every entity of the schema, for the migration tooling (generating a migration compares them with the database).
 * The application itself does not use this list: each module registers its own entities (TypeOrmModule.forFeature).
 */
export const ENTITIES = [User, Thread, Participant, Message, RefreshToken, WebSession, AdminSession, PresenceInstance, UserPresence];
