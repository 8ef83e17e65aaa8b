import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../../../libs/database/src/typeorm-options.js';
import { ENTITIES } from './entities.js';

// For the TypeORM CLI (`npm run migration:generate -- libs/database/src/migrations/Name`): a PostgreSQL server is needed.
const url = process.env.DATABASE_URL;
if (!url) throw new Error('Set DATABASE_URL to an empty PostgreSQL database to generate migrations.');

export default new DataSource(buildDataSourceOptions({ url, poolSize: 2, migrationsRun: false, entities: ENTITIES }));
