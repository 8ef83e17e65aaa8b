import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** The one error shape every endpoint answers with (documentation class for OpenAPI). */
export class ErrorBodyDto {
  @ApiProperty({ example: 404 })
  statusCode: number;

  @ApiProperty({ example: 'Not Found' })
  error: string;

  @ApiProperty({ oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }], example: 'Thread not found.' })
  message: string | string[];

  @ApiPropertyOptional({
    example: 'thread_not_found',
    description:
      'Stable machine-readable reason, on every 4xx and 503: validation_failed, malformed_json, payload_too_large, invalid_id, thread_not_found, rate_limited, … (a 500 carries only requestId).',
  })
  code?: string;

  @ApiPropertyOptional({ example: '6f1c0b7e-1d9c-4c52-9a53-3f4f0a3c2b1d', description: 'Present on 5xx answers; quote it when reporting a problem.' })
  requestId?: string;
}
