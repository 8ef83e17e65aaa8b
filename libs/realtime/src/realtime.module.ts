import { Module } from '@nestjs/common';
import { AuthModule } from '../../auth/src/auth.module.js';
import { MessagesModule } from '../../messages/src/messages.module.js';
import { PresenceModule } from '../../presence/src/presence.module.js';
import { ReadStatusModule } from '../../read-status/src/read-status.module.js';
import { ThreadsModule } from '../../threads/src/threads.module.js';
import { UsersModule } from '../../users/src/users.module.js';
import { LiveUpdatesService } from './live-updates.service.js';
import { RealtimeGateway } from './realtime.gateway.js';
import { RedisLink } from './redis-link.js';
import { TypingService } from './typing.service.js';

@Module({
  imports: [AuthModule, UsersModule, ThreadsModule, MessagesModule, ReadStatusModule, PresenceModule],
  providers: [RealtimeGateway, LiveUpdatesService, TypingService, RedisLink],
  exports: [LiveUpdatesService, RedisLink],
})
export class RealtimeModule {}
