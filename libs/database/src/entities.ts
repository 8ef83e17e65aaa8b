import { AdminSession } from '../../admin/src/session/admin-session.entity.js';
import { RefreshToken } from '../../auth/src/refresh-token.entity.js';
import { WebSession } from '../../auth/src/web-session.entity.js';
import { Message } from '../../messages/src/message.entity.js';
import { Participant } from '../../threads/src/participant.entity.js';
import { Thread } from '../../threads/src/thread.entity.js';
import { User } from '../../users/src/user.entity.js';

/** Every entity of the schema, for the application's data source and the migration tooling alike. */
export const ENTITIES = [User, Thread, Participant, Message, RefreshToken, WebSession, AdminSession];
