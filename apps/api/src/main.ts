import { Logger } from '@nestjs/common';
import { ConfigError, loadConfig } from '../../../libs/config/src/index.js';
import { createApp } from './create-app.js';

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  const app = await createApp(config);
  await app.listen(config.port, config.host);
  new Logger('Parley').log(`listening on http://localhost:${config.port} (docs at /docs, database: ${config.database.kind})`);
}

bootstrap().catch((error: unknown) => {
  // A configuration error is the operator's to fix: say what is wrong, without a stack trace.
  process.stderr.write(error instanceof ConfigError ? `${error.message}\n` : `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
