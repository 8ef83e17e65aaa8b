import { Controller, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator, type HealthCheckResult, type HealthIndicatorFunction } from '@nestjs/terminus';
import type { Response } from 'express';
import { Public } from '../../common/src/index.js';
import { RedisHealthIndicator } from './redis-health.indicator.js';

// A probe answers within a few seconds whatever the dependencies do (load balancers give up on slow probes).
const PROBE_TIMEOUT_MS = 2000;

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
    private readonly redis: RedisHealthIndicator,
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
  @ApiOperation({ summary: '200 when the database (and Redis, when configured) answers, 503 otherwise.' })
  @ApiOkResponse({ description: 'The database (and Redis, when configured) answers.', schema: healthResultSchema('ok') })
  @ApiServiceUnavailableResponse({
    description: 'The database or Redis does not answer (or the process is shutting down).',
    schema: healthResultSchema('error'),
  })
  async ready(@Res({ passthrough: true }) res: Response): Promise<HealthCheckResult> {
    const checks: HealthIndicatorFunction[] = [() => this.database.pingCheck('database', { timeout: PROBE_TIMEOUT_MS })];
    if (this.redis.configured) checks.push(() => this.redis.check('redis', PROBE_TIMEOUT_MS));
    try {
      return await this.health.check(checks);
    } catch (error) {
      // Terminus reports "down" as an exception carrying the result; answer that result itself, not the API's error
      // shape, so that the probe says which dependency is down.
      if (!(error instanceof ServiceUnavailableException)) throw error;
      res.status(503);
      return error.getResponse() as HealthCheckResult;
    }
  }
}
