import { ValidationError, type ActionContext, type ActionRequest, type ActionResponse, type BaseRecord, type RecordActionResponse } from 'adminjs';
import { DomainError } from '../../../common/src/index.js';

/** Navigation groups of the sidebar. */
export const ACCOUNTS = { name: 'Accounts', icon: 'Users' };
export const CONVERSATIONS = { name: 'Conversations', icon: 'MessageSquare' };

/** Actions that would write around the domain services (AdminJS's defaults write through the ORM), switched off. */
export const OFF = { isAccessible: false, isVisible: false };

/**
 * Runs a domain call for an AdminJS action: a DomainError (bad input, not found, forbidden…) becomes AdminJS's
 * ValidationError, which the panel shows as a notice, and on the form field it concerns when there is one.
 */
export async function asAdminAction<T>(work: () => Promise<T>, field?: (code: string) => string | undefined): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    const path = field?.(error.code);
    throw new ValidationError(path ? { [path]: { message: error.message, type: error.code } } : {}, { message: error.message, type: error.code });
  }
}

type Handler = (request: ActionRequest, response: unknown, context: ActionContext) => Promise<ActionResponse>;

/**
 * A handler that changes something on POST only. A GET merely reads: AdminJS loads a record that way for its forms
 * and confirmations, and a link followed from another site (SameSite=Lax lets it carry the cookie) must not act.
 */
export function onPost(
  work: (request: ActionRequest, context: ActionContext) => Promise<ActionResponse>,
  field?: (code: string) => string | undefined,
): Handler {
  return (request, _response, context) => {
    if (request.method !== 'post') return Promise.resolve({ record: context.record?.toJSON(context.currentAdmin) });
    return asAdminAction(() => work(request, context), field);
  };
}

// How AdminJS's forms send a field whose value is null.
const FORM_VALUE_NULL = '__FORM_VALUE_NULL__';

/** A submitted form field: undefined when the form did not send it, null when it sent it empty. */
export const optionalTextField = (request: ActionRequest, name: string): string | null | undefined => {
  const value = (request.payload as Record<string, unknown> | undefined)?.[name];
  if (value === undefined) return undefined;
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' && value !== FORM_VALUE_NULL && value.trim() !== '' ? value : null;
};

/** The submitted form field as text ('' when missing or empty). */
export const textField = (request: ActionRequest, name: string): string => optionalTextField(request, name) ?? '';

export const intField = (request: ActionRequest, name: string): number => {
  const text = textField(request, name).trim();
  return /^\d{1,9}$/.test(text) ? Number(text) : 0;
};

/** AdminJS sends checkboxes as 'true'/'false'; undefined when the form did not include the field. */
export const boolField = (request: ActionRequest, name: string): boolean | undefined => {
  const value = (request.payload as Record<string, unknown> | undefined)?.[name];
  if (value === undefined) return undefined;
  return value === true || value === 'true';
};

export const recordIdOf = (request: ActionRequest): number => Number(request.params.recordId);

/** The answer of a record action: the record as it is now, a notice, and where to go next. */
export async function recordResponse(context: ActionContext, id: number, notice: string, redirectUrl?: string): Promise<RecordActionResponse> {
  const record = (await context.resource.findOne(String(id))) as BaseRecord;
  return { record: record.toJSON(context.currentAdmin), notice: { message: notice, type: 'success' }, ...(redirectUrl ? { redirectUrl } : {}) };
}
