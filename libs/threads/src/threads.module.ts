import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { UsersModule } from '../../users/src/users.module.js';
import { Participant } from './participant.entity.js';
import { Thread } from './thread.entity.js';
import { ThreadsController } from './threads.controller.js';
import { ThreadsRepository } from './threads.repository.js';
import { ThreadsService } from './threads.service.js';

@Module({
  imports: [UsersModule, TypeOrmModule.forFeature([Thread, Participant])],
  controllers: [ThreadsController],
  providers: [ThreadsRepository, ThreadsService],
  exports: [ThreadsService, ThreadsRepository],
})
export class ThreadsModule {}
