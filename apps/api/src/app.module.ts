import { Module, type DynamicModule } from '@nestjs/common';
import { AdminModule } from '../../../libs/admin/src/index.js';
import { AuthModule } from '../../../libs/auth/src/index.js';
import { CommonModule } from '../../../libs/common/src/index.js';
import { ConfigModule, type AppConfig } from '../../../libs/config/src/index.js';
import { DatabaseModule } from '../../../libs/database/src/index.js';
import { HealthModule } from '../../../libs/health/src/index.js';
import { MessagesModule } from '../../../libs/messages/src/index.js';
import { RateLimitModule } from '../../../libs/rate-limit/src/index.js';
import { ReadStatusModule } from '../../../libs/read-status/src/index.js';
import { RealtimeModule } from '../../../libs/realtime/src/index.js';
import { ThreadsModule } from '../../../libs/threads/src/index.js';
import { UsersModule } from '../../../libs/users/src/index.js';
import { WebModule } from '../../web/src/web.module.js';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        CommonModule,
        RateLimitModule,
        DatabaseModule,
        UsersModule,
        AuthModule,
        ThreadsModule,
        MessagesModule,
        ReadStatusModule,
        RealtimeModule,
        HealthModule,
        AdminModule,
        WebModule,
      ],
    };
  }
}
