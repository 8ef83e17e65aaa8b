import { Module } from '@nestjs/common';
import { AuthModule } from '../../../libs/auth/src/auth.module.js';
import { WebController } from './web.controller.js';

/** The web inbox at /: sign-in, inbox, people and conversation pages over the public API and Socket.IO. */
@Module({ imports: [AuthModule], controllers: [WebController] })
export class WebModule {}
