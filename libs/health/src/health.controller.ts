import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator, type HealthCheckResult } from '@nestjs/terminus';
import { Public } from '../../common/src/index.js';

/** Each indicator's entry: {status, …}. */
const INDICATORS = {
  type: 'object',
  additionalProperties: {
    type: 'object',
    required: ['status'],
    properties: { status: { type: 'string', enum: ['up', 'down'] } },
    additionalProperties: true,
  },
} as const;

/** Terminus's result, {status, info, error, details}. */
function healthResultSchema(status: 'ok' | 'error'): Record<string, unknown> {
  const database = { database: status === 'ok' ? { status: 'up' } : { status: 'down', message: 'timeout exceeded' } };
  return {
    type: 'object',
    required: ['status'],
    properties: {
      status: { type: 'string', enum: status === 'ok' ? ['ok'] : ['error', 'shutting_down'], example: status },
      info: { ...INDICATORS, nullable: true, example: status === 'ok' ? database : {} },
      error: { ...INDICATORS, nullable: true, example: status === 'ok' ? {} : database },
      details: { ...INDICATORS, example: database },
    },
  };
}

// The responses are documented here rather than by @HealthCheck(): terminus adds them only when it can require()
// the ESM-only @nestjs/swagger, which plain Node 20.19+ can and Jest's module runtime cannot, so the document would
// depend on who loads it.
@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
  ) {}

  @Get('live')
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @ApiOperation({ summary: '200 while the process runs.' })
  @ApiOkResponse({ description: 'The process runs.', schema: healthResultSchema('ok') })
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @ApiOperation({ summary: '200 when the database answers, 503 otherwise.' })
  @ApiOkResponse({ description: 'The database answers.', schema: healthResultSchema('ok') })
  @ApiServiceUnavailableResponse({ description: 'The database does not answer (or the process is shutting down).', schema: healthResultSchema('error') })
  ready(): Promise<HealthCheckResult> {
    return this.health.check([() => this.database.pingCheck('database', { timeout: 2000 })]);
  }
}
