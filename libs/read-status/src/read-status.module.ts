import { Module } from '@nestjs/common';
import { MessagesModule } from '../../messages/src/messages.module.js';
import { ThreadsModule } from '../../threads/src/threads.module.js';
import { ReadStatusController } from './read-status.controller.js';
import { ReadStatusRepository } from './read-status.repository.js';
import { ReadStatusService } from './read-status.service.js';

@Module({
  imports: [ThreadsModule, MessagesModule],
  controllers: [ReadStatusController],
  providers: [ReadStatusRepository, ReadStatusService],
  exports: [ReadStatusService],
})
export class ReadStatusModule {}
