import { ValidationPipe, type ArgumentMetadata } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { registerDecorator, type ValidationOptions } from 'class-validator';

/**
 * The global ValidationPipe, minus its habit of coercing bare path and query primitives with `+value`
 * (which would read "1e3" or "0x10" as ids): path ids go through ParseIdPipe, query values through DTOs.
 */
export class StrictValidationPipe extends ValidationPipe {
  constructor() {
    super({ whitelist: true, forbidNonWhitelisted: true, transform: true });
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
