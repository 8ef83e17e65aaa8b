import { applyDecorators, BadRequestException, ValidationPipe, type ArgumentMetadata } from '@nestjs/common';
import { Transform } from 'class-transformer';
import {
  IsDefined,
  IsInt,
  IsNotEmpty,
  IsString,
  Max,
  MaxLength,
  Min,
  registerDecorator,
  type ValidationArguments,
  type ValidationOptions,
} from 'class-validator';
import { isFormBody } from './body-parsers.js';

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
    if (metadata.type === 'body' && metadata.metatype && isFormBody(value)) value = fromFormFields(value as Record<string, unknown>, metadata.metatype);
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

// ── Field rules ─────────────────────────────────────────────────────────────────────────────────────────────────
// Property decorators run bottom-up, and with stopAtFirstError the first rule to fail is the one the client reads:
// a length rule checked first answers a missing or mistyped field with a length. The helpers below apply their
// rules in the order written (applyDecorators), type first; a required field says so before anything else.

export const MAX_ID = 2_147_483_647;

/** A field the body must have: missing (or null) is "<field> is required", whatever the other rules say. */
export const Required = (): PropertyDecorator => IsDefined({ message: '$property is required' });

/** Rules checked in the order written, not bottom-up as stacked decorators are. */
export const InOrder = (...rules: PropertyDecorator[]): PropertyDecorator => applyDecorators(...rules);

/** How a form field's string becomes the value JSON would have carried (a form knows only strings). */
export type FormKind = 'number' | 'number-list';
const FORM_KINDS = Symbol('parley:form-kinds');

/** Declares the form conversion of a field; JSON bodies are never converted. */
export function FormValue(kind: FormKind): PropertyDecorator {
  return (target: object, property: string | symbol) => {
    const inherited = (Reflect.getMetadata(FORM_KINDS, target) as Record<string, FormKind> | undefined) ?? {};
    Reflect.defineMetadata(FORM_KINDS, { ...inherited, [String(property)]: kind }, target);
  };
}

/** What a wrong value was, for a message: short strings and numbers as sent, anything else by its type. */
function described(value: unknown): string {
  if (typeof value === 'string') return value.length <= 20 ? JSON.stringify(value) : `a string of ${value.length} characters`;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Array.isArray(value)) return 'a list';
  return value === null ? 'null' : typeof value === 'object' ? 'an object' : typeof value;
}

/** "<field> must be <expected>, not <what it was>": a wrong type names both types. */
export const mustBe = (expected: string): ValidationOptions => ({
  message: ({ property, value }: ValidationArguments) => `${property} must be ${expected}, not ${described(value)}`,
});

/** A positive 32-bit id (a user, thread or message): an integer, then its range; numbers also from form fields. */
export const IdRules = (): PropertyDecorator =>
  InOrder(
    IsInt(mustBe('an integer')),
    Min(1, { message: '$property must be a positive integer' }),
    Max(MAX_ID, { message: `$property must be at most ${MAX_ID}` }),
    FormValue('number'),
  );

/** A string of 1 to `max` UTF-16 units (credentials and tokens, whose limits are about bytes, not characters). */
export const TextRules = (max: number): PropertyDecorator =>
  InOrder(
    IsString(mustBe('a string')),
    IsNotEmpty({ message: '$property must not be empty' }),
    MaxLength(max, { message: `$property must be at most ${max} characters` }),
  );

// The grammar of a JSON number, nothing around it: a form's "3" is 3, "1e3" is 1000, "3x", " 3", "0x10" stay text.
const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const asNumber = (value: unknown): unknown => (typeof value === 'string' && JSON_NUMBER.test(value) ? Number(value) : value);

/**
 * A form body as the JSON body it stands for: strings that are JSON numbers become numbers where the DTO wants a
 * number, and a list field sent once becomes a list of one (a field sent again and again already is a list).
 * Anything else stays as sent, for the DTO's rules to refuse with the same message JSON would get.
 */
export function fromFormFields(fields: Record<string, unknown>, metatype: abstract new (...args: never[]) => unknown): Record<string, unknown> {
  const kinds = Reflect.getMetadata(FORM_KINDS, metatype.prototype as object) as Record<string, FormKind> | undefined;
  if (!kinds) return fields;
  for (const [name, kind] of Object.entries(kinds)) {
    if (!Object.hasOwn(fields, name)) continue;
    const value = fields[name];
    fields[name] = kind === 'number' ? asNumber(value) : (Array.isArray(value) ? value : [value]).map(asNumber);
  }
  return fields;
}
