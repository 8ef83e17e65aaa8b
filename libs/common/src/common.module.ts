import { Global, Module } from '@nestjs/common';
import { DomainEvents } from './domain-events.js';
import { RedisCommands } from './redis-commands.js';

/** Process-wide building blocks every module may inject. */
@Global()
@Module({ providers: [DomainEvents, RedisCommands], exports: [DomainEvents, RedisCommands] })
export class CommonModule {}
