import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PresenceInstance } from './presence-instance.entity.js';
import { PresenceRepository } from './presence.repository.js';
import { PresenceTracker } from './presence-tracker.js';
import { UserPresence } from './user-presence.entity.js';

@Module({
  imports: [TypeOrmModule.forFeature([PresenceInstance, UserPresence])],
  providers: [PresenceRepository, PresenceTracker],
  exports: [PresenceTracker],
})
export class PresenceModule {}
