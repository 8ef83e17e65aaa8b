import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ThreadsModule } from '../../threads/src/threads.module.js';
import { Message } from './message.entity.js';
import { MessagesController } from './messages.controller.js';
import { MessagesRepository } from './messages.repository.js';
import { MessagesService } from './messages.service.js';
import { SendAdmissionGuard } from './send-admission.guard.js';
import { MessageSendQueue } from './send-queue.js';

@Module({
  imports: [ThreadsModule, TypeOrmModule.forFeature([Message])],
  controllers: [MessagesController],
  providers: [MessagesRepository, MessageSendQueue, SendAdmissionGuard, MessagesService],
  exports: [MessagesService, MessagesRepository, MessageSendQueue, SendAdmissionGuard],
})
export class MessagesModule {}
