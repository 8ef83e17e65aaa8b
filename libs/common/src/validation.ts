import { BadRequestException, ValidationPipe, type ArgumentMetadata } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { registerDecorator, type ValidationOptions } from 'class-validator';

/** Deeper than any DTO goes (the deepest, a list of ids, is 2); class-transformer recurses without a limit. */
const MAX_NESTING = 32;
// In a `u` regex a well-formed surrogate pair is one code point, so this matches only unpaired halves.
const LONE_SURROGATE = /\p{Cs}/u;

type Unacceptable = { code: 'nul_character' | 'lone_surrogate' | 'too_deeply_nested'; message: string };

const NUL: Unacceptable = { code: 'nul_character', message: 'NUL characters (\\u0000) are not allowed.' };
const SURROGATE: Unacceptable = {
  code: 'lone_surrogate',
  message: 'Text must be well-formed Unicode: an unpaired UTF-16 surrogate (\\ud800-\\udfff) is not allowed.',
};
const TOO_DEEP: Unacceptable = { code: 'too_deeply_nested', message: `Values nested more than ${MAX_NESTING} levels deep are not accepted.` };

/**
 * What no value a client sends may hold: NUL (PostgreSQL text cannot), unpaired surrogates (not text; the driver
 * would store U+FFFD instead), and nesting deep enough to overflow the stack of the transformer behind this pipe.
 */
function findUnacceptable(value: unknown, depth = 0): Unacceptable | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? NUL : LONE_SURROGATE.test(value) ? SURROGATE : undefined;
  if (value === null || typeof value !== 'object') return undefined;
  if (depth >= MAX_NESTING) return TOO_DEEP;
  for (const [key, inner] of Object.entries(value)) {
    const found = findUnacceptable(key, depth) ?? findUnacceptable(inner, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/**
 * The one validation pipe of every transport (HTTP bodies and queries, socket payloads): whitelist, refuse unknown
 * fields, transform. It refuses NUL characters, unpaired surrogates and very deep nesting up front, and does not coerce bare
 * path and query primitives with `+value` (which would read "1e3" or "0x10" as ids): path ids go through
 * ParseIdPipe, query values through DTOs.
 */
export class StrictValidationPipe extends ValidationPipe {
  constructor() {
    super({ whitelist: true, forbidNonWhitelisted: true, transform: true, stopAtFirstError: true });
    // Nest's messages (one per wrong field), with the code every refusal carries.
    this.exceptionFactory = (errors) => new BadRequestException({ message: this.flattenValidationErrors(errors), code: 'validation_failed' });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // Only what a client sent (bodies, queries, path params, socket payloads), never objects custom decorators provide.
    if (metadata.type !== 'custom') {
      const unacceptable = findUnacceptable(value);
      if (unacceptable) throw new BadRequestException(unacceptable);
    }
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
