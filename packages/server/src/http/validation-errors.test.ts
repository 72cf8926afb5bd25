import { CreateConsumerBody, CreateKeyBody } from '@keyward/protocol';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { type AjvErrorLike, ajvFieldErrors, fieldPath, MAX_FIELD_ERRORS } from './validation-errors.js';

const ajv = new Ajv({ allErrors: true, strict: false });
const errorsOf = (schema: object, value: unknown): AjvErrorLike[] => {
  const validate = ajv.compile(schema);
  expect(validate(value)).toBe(false);
  return validate.errors as AjvErrorLike[];
};

describe('fieldPath', () => {
  it('turns JSON pointers into dotted paths with indexes', () => {
    expect(fieldPath('body', '/ratelimits/0/limit')).toBe('body.ratelimits[0].limit');
    expect(fieldPath('body', '', 'name')).toBe('body.name');
    expect(fieldPath('body', '/meta/a~1b', 'x y')).toBe('body.meta["a/b"]["x y"]');
    expect(fieldPath('querystring', '/limit')).toBe('querystring.limit');
  });
});

describe('ajvFieldErrors', () => {
  it('folds nullable and enum branches into one message per field', () => {
    const errors = ajvFieldErrors(errorsOf(CreateKeyBody, { apiId: 'a', name: 5, environment: 'x' }), 'body');
    expect(errors).toHaveLength(2);
    expect(errors).toEqual(
      expect.arrayContaining([
        { field: 'body.name', message: 'must be string or null' },
        { field: 'body.environment', message: 'must be one of "live", "test"' },
      ]),
    );
  });

  it('reports the inner error of a nullable object, not the branch mismatch', () => {
    const errors = ajvFieldErrors(
      errorsOf(CreateConsumerBody, {
        externalId: 'x',
        credits: { remaining: 1, refill: { interval: 5, amount: 0 } },
      }),
      'body',
    );
    expect(errors).toEqual([
      { field: 'body.credits.refill.interval', message: 'must be "daily" or "monthly" or >= 1000' },
      { field: 'body.credits.refill.amount', message: 'must be >= 1' },
    ]);
  });

  it('names missing and unknown properties', () => {
    expect(ajvFieldErrors(errorsOf(CreateConsumerBody, { nope: 1 }), 'body')).toEqual([
      { field: 'body.externalId', message: 'is required' },
      { field: 'body.nope', message: 'is not allowed' },
    ]);
  });

  it('answers at most MAX_FIELD_ERRORS errors', () => {
    const ratelimits = Array.from({ length: 50 }, () => ({ name: 'r', limit: 'x', duration: 'y' }));
    expect(
      ajvFieldErrors(errorsOf(CreateConsumerBody, { externalId: 'x', ratelimits }), 'body'),
    ).toHaveLength(MAX_FIELD_ERRORS);
  });
});
