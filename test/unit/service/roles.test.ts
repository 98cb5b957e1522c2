import { describe, expect, it } from 'vitest';
import { ImpactError } from '../../../src/domain/errors.ts';
import { allRoles, parseRoles } from '../../../src/service/roles.ts';

function roleError(value: string): ImpactError {
  try {
    parseRoles(value);
  } catch (error) {
    expect(error).toBeInstanceOf(ImpactError);
    return error as ImpactError;
  }
  throw new Error(`parseRoles(${JSON.stringify(value)}) did not throw`);
}

describe('parseRoles', () => {
  it('"all" is every stage, with a deliverer per available connector', () => {
    expect(parseRoles('all')).toEqual(['redactor', 'router', 'deliver:benevity', 'deliver:goodera', 'deliver:workday', 'relay']);
    expect(allRoles()).toEqual(parseRoles('all'));
  });

  it('takes a comma list, trimming and de-duplicating', () => {
    expect(parseRoles('redactor')).toEqual(['redactor']);
    expect(parseRoles(' router , deliver:goodera,router ')).toEqual(['router', 'deliver:goodera']);
  });

  it('fails naming an unknown role', () => {
    const error = roleError('redactor,deliverer');
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain('unknown role deliverer;');
  });

  it('fails for a platform impact-in has no connector for', () => {
    expect(roleError('deliver:salesforce').message).toContain('unknown role deliver:salesforce');
  });

  it('fails for an empty list', () => {
    expect(roleError('').message).toContain('(empty)');
    expect(roleError(' , ').code).toBe('CONFIG_INVALID');
  });
});
