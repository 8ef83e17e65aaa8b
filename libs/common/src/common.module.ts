import { Global, Module } from '@nestjs/common';
import { DomainEvents } from './domain-events.js';

/** Process-wide building blocks every module may inject. */
@Global()
@Module({ providers: [DomainEvents], exports: [DomainEvents] })
export class CommonModule {}
