import { BadRequestException, ValidationPipe, type ArgumentMetadata } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { registerDecorator, type ValidationOptions } from 'class-validator';

function containsNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (depth > 32 || value === null || typeof value !== 'object') return false;
  return Object.entries(value).some(([key, inner]) => key.includes('\u0000') || containsNul(inner, depth + 1));
}

/**
 * The one validation pipe of every transport (HTTP bodies and queries, socket payloads): whitelist, refuse unknown
 * fields, transform. It refuses NUL characters up front (PostgreSQL text cannot hold them), and does not coerce bare
 * path and query primitives with `+value` (which would read "1e3" or "0x10" as ids): path ids go through
 * ParseIdPipe, query values through DTOs.
 */
export class StrictValidationPipe extends ValidationPipe {
  constructor() {
    super({ whitelist: true, forbidNonWhitelisted: true, transform: true, stopAtFirstError: true });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // Only what a client sent (bodies, queries, path params, socket payloads), never objects custom decorators provide.
    if (metadata.type !== 'custom' && containsNul(value))
      throw new BadRequestException({ message: 'NUL characters (\\u0000) are not allowed.', code: 'nul_character' });
    return super.transform(value, metadata);
  }

  protected override transformPrimitive(value: unknown, _metadata: ArgumentMetadata): unknown {
    return value;
  }
}

/** Length in Unicode code points, as PostgreSQL's char_length counts it (not UTF-16 units, not graphemes). */
export const codePointLength = (text: string): number => {
  let length = 0;
  for (const _ of text) length += 1;
  return length;
};

export function MaxCodePoints(max: number, options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'maxCodePoints',
      target: target.constructor,
      propertyName: String(propertyName),
      constraints: [max],
      options: { message: `${String(propertyName)} must be at most ${max} characters`, ...options },
      validator: { validate: (value: unknown) => typeof value !== 'string' || codePointLength(value) <= max },
    });
}

/** Query strings carry text: read plain decimal integers as numbers and leave anything else for IsInt to refuse. */
export function QueryInt(): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) => (typeof value === 'string' && /^-?\d{1,15}$/.test(value) ? Number(value) : value));
}
