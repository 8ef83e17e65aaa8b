import { BadRequestException, HttpException, HttpStatus } from '@nestjs/common';
import { ApiConsumes } from '@nestjs/swagger';
import busboy from 'busboy';
import { json, raw } from 'express';
import { isUtf8 } from 'node:buffer';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { refuseInvalidUtf8 } from './utf8-body.js';

/**
 * Request bodies: JSON, and the two form types Django REST Framework clients (and Postman collections) send. Form
 * bodies become plain objects of strings (a repeated field: an array of them), built the way JSON.parse builds
 * objects, so the one validation pipe applies the same unknown-field, NUL and nesting rules to both; the pipe turns
 * strings into numbers where the DTO wants numbers (see `fromFormFields`). A form has no nesting: `a[b]` is a field
 * of that name, so unknown.
 */

/** Documents a route's body as accepted in all three types (the OpenAPI document lists each with the same schema). */
export const ApiBodyTypes = (): MethodDecorator & ClassDecorator => ApiConsumes('application/json', 'application/x-www-form-urlencoded', 'multipart/form-data');

/** Form bodies the parser built: the pipe converts these (and only these) by the DTO's form kinds. */
const formBodies = new WeakSet<object>();

export const isFormBody = (value: unknown): boolean => typeof value === 'object' && value !== null && formBodies.has(value);

type FormFields = Record<string, string | string[]>;

// Cheap enough to leave JSON requests as fast as before: one test of the header, then Express' JSON parser as ever.
const FORM_TYPE = /^\s*(application\/x-www-form-urlencoded|multipart\/form-data)\s*(;|$)/i;
const CHARSET = /;\s*charset\s*=\s*"?([^";\s]+)"?/i;
const BAD_ESCAPE = /%(?![0-9a-f]{2})/i;

const malformed = (message: string): BadRequestException => new BadRequestException({ message, code: 'malformed_form' });
const invalidUtf8 = (): BadRequestException => new BadRequestException({ message: 'The request body is not valid UTF-8.', code: 'invalid_utf8' });

function addField(fields: FormFields, name: string, value: string): void {
  const existing = Object.hasOwn(fields, name) ? fields[name] : undefined;
  const next = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  // As JSON.parse does it: "__proto__" becomes an own field like any other, never the object's prototype.
  Object.defineProperty(fields, name, { value: next, enumerable: true, writable: true, configurable: true });
}

const decodeComponent = (text: string): string => {
  try {
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    // Escapes were checked for shape first, so what fails here is bytes that are not UTF-8 (%FF, an encoded surrogate).
    throw invalidUtf8();
  }
};

/** `application/x-www-form-urlencoded`, strictly: a malformed escape is an error, not text; the bytes must be UTF-8. */
export function parseUrlencoded(body: Buffer): FormFields {
  if (!isUtf8(body)) throw invalidUtf8();
  const fields: FormFields = {};
  for (const pair of body.toString('utf8').split('&')) {
    if (pair === '') continue;
    if (BAD_ESCAPE.test(pair)) throw malformed('Malformed form body: "%" must start an escape of two hex digits.');
    const at = pair.indexOf('=');
    addField(fields, decodeComponent(at === -1 ? pair : pair.slice(0, at)), at === -1 ? '' : decodeComponent(pair.slice(at + 1)));
  }
  return fields;
}

/** `multipart/form-data` with fields only: a file part is refused until some route takes attachments. */
export function parseMultipart(headers: IncomingHttpHeaders, body: Buffer): Promise<FormFields> {
  // Boundaries and part headers are ASCII, so a body that is UTF-8 as a whole has UTF-8 in every field.
  if (!isUtf8(body)) return Promise.reject(invalidUtf8());
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers, defParamCharset: 'utf8' });
    } catch (error) {
      reject(malformed(`Malformed multipart body: ${error instanceof Error ? error.message : String(error)}.`));
      return;
    }
    const fields: FormFields = {};
    let failure: Error | undefined;
    parser.on('field', (name, value) => addField(fields, name, value));
    parser.on('file', (name, stream, info) => {
      stream.resume();
      failure ??= new BadRequestException({
        message: `File uploads are not accepted: part "${name}" carries a file (${info.filename || 'no name'}); send only text fields.`,
        code: 'file_not_accepted',
      });
    });
    parser.on('error', (error: Error) => {
      failure ??= malformed(`Malformed multipart body: ${error.message}.`);
      reject(failure);
    });
    parser.on('close', () => (failure ? reject(failure) : resolve(fields)));
    parser.end(body);
  });
}

/** The function name of the layer bodyParsers() adds: the admin panel mounts itself ahead of it (it parses its own forms). */
export const BODY_PARSER_NAME = 'parleyBodyParser';

type BodyRequest = IncomingMessage & { body?: unknown };
type Next = (error?: unknown) => void;

/**
 * The one body parser of the API: JSON as before, and the two form types under the same size limit. Form bodies are
 * read whole (at most `limit`) with Express' raw parser, which answers size, encoding and abort errors exactly as
 * the JSON parser does (413 `payload_too_large` and so on), then parsed from memory.
 */
export function bodyParsers(limit: string): (req: BodyRequest, res: ServerResponse, next: Next) => void {
  const parseJson = json({ limit, verify: refuseInvalidUtf8 });
  const readForm = raw({ limit, type: () => true });
  const parse = (req: BodyRequest, res: ServerResponse, next: Next): void => {
    const type = req.headers['content-type'];
    if (type === undefined || !FORM_TYPE.test(type)) {
      parseJson(req, res, next);
      return;
    }
    const charset = CHARSET.exec(type)?.[1]?.toLowerCase();
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      next(new HttpException({ message: 'Unsupported charset; send form bodies in UTF-8.', code: 'unsupported_charset' }, HttpStatus.UNSUPPORTED_MEDIA_TYPE));
      return;
    }
    readForm(req, res, (error?: unknown) => {
      const body: unknown = req.body;
      if (error || !Buffer.isBuffer(body)) {
        // No body at all is left undefined, as the JSON parser leaves it.
        if (!error) req.body = undefined;
        next(error);
        return;
      }
      const multipart = type.trimStart().toLowerCase().startsWith('multipart/');
      (multipart ? parseMultipart(req.headers, body) : Promise.resolve().then(() => parseUrlencoded(body))).then((fields) => {
        formBodies.add(fields);
        req.body = fields;
        next();
      }, next);
    });
  };
  return Object.defineProperty(parse, 'name', { value: BODY_PARSER_NAME });
}
