import { describe, expect, it } from '@jest/globals';
import { IsOptional } from 'class-validator';
import { FormValue, fromFormFields, IdRules, Required, StrictValidationPipe } from './validation.js';

class Example {
  @Required()
  @IdRules()
  userId: number;

  @IsOptional()
  @FormValue('number-list')
  ids?: number[];
}

describe('fromFormFields', () => {
  it('reads JSON numbers, strictly, where the DTO wants numbers, and makes a single list value a list', () => {
    expect(fromFormFields({ userId: '12', ids: '3', other: '4' }, Example)).toEqual({ userId: 12, ids: [3], other: '4' });
    expect(fromFormFields({ userId: '1e3', ids: ['2', '-1.5', '3x'] }, Example)).toEqual({ userId: 1000, ids: [2, -1.5, '3x'] });
    for (const text of ['3x', ' 3', '0x10', '+1', '01', '', '1.', 'NaN', 'Infinity'])
      expect(fromFormFields({ userId: text }, Example)).toEqual({ userId: text });
  });
});

describe('field rules', () => {
  const pipe = new StrictValidationPipe();
  const messagesFor = async (value: unknown): Promise<string[]> => {
    try {
      await pipe.transform(value, { type: 'body', metatype: Example });
      return [];
    } catch (error) {
      return (error as { getResponse: () => { message: string[] } }).getResponse().message;
    }
  };

  it('says a missing field is required, and a wrong type what it was', async () => {
    expect(await messagesFor({})).toEqual(['userId is required']);
    expect(await messagesFor({ userId: null })).toEqual(['userId is required']);
    expect(await messagesFor({ userId: '5' })).toEqual(['userId must be an integer, not "5"']);
    expect(await messagesFor({ userId: [5] })).toEqual(['userId must be an integer, not a list']);
    expect(await messagesFor({ userId: 1.5 })).toEqual(['userId must be an integer, not 1.5']);
    expect(await messagesFor({ userId: 0 })).toEqual(['userId must be a positive integer']);
    expect(await messagesFor({ userId: 2 ** 31 })).toEqual(['userId must be at most 2147483647']);
    expect(await messagesFor({ userId: 7 })).toEqual([]);
  });
});
