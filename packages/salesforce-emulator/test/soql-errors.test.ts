import { describe, expect, it } from 'vitest';
import { compileSoql, SoqlError } from '../src/soql/index.js';
import { schema } from './soql-fake-org.js';

function errorOf(soql: string): SoqlError {
  try {
    compileSoql(soql, schema);
  } catch (err) {
    if (err instanceof SoqlError) return err;
    throw err;
  }
  throw new Error(`expected a SoqlError for: ${soql}`);
}

describe('SOQL errors', () => {
  it('INVALID_FIELD for an unknown column, with Salesforce wording', () => {
    const err = errorOf('SELECT Id, Foo FROM Account');
    expect(err.errorCode).toBe('INVALID_FIELD');
    expect(err.message).toBe(
      "No such column 'Foo' on entity 'Account'. If you are attempting to use a custom field, be sure to append the '__c' " +
        'after the custom field name. Please reference your WSDL or the describe call for the appropriate names.',
    );
  });

  it('INVALID_FIELD for unknown fields in WHERE and ORDER BY, and unknown relationships', () => {
    expect(errorOf("SELECT Id FROM Account WHERE Nope__c = 'x'").errorCode).toBe('INVALID_FIELD');
    expect(errorOf('SELECT Id FROM Account ORDER BY Nope').errorCode).toBe('INVALID_FIELD');
    const rel = errorOf('SELECT Foo.Name FROM Contact');
    expect(rel.errorCode).toBe('INVALID_FIELD');
    expect(rel.message).toContain("Didn't understand relationship 'Foo'");
  });

  it('INVALID_FIELD for a value of the wrong type', () => {
    expect(errorOf('SELECT Id FROM Account WHERE Name = 5').message).toBe(
      "value of filter criterion for field 'Name' must be of type string and should be enclosed in quotes",
    );
    expect(errorOf("SELECT Id FROM Account WHERE AnnualRevenue = '5'").errorCode).toBe('INVALID_FIELD');
    expect(errorOf('SELECT Id FROM Account WHERE CreatedDate > 2024-01-01').message).toContain('must be of type dateTime');
    expect(errorOf('SELECT Id FROM Contact WHERE Birthdate > 2024-01-01T00:00:00Z').errorCode).toBe('INVALID_FIELD');
  });

  it('INVALID_TYPE for an unknown or unqueryable object', () => {
    const err = errorOf('SELECT Id FROM Nope');
    expect(err.errorCode).toBe('INVALID_TYPE');
    expect(err.message).toMatch(/^sObject type 'Nope' is not supported\./);
    expect(errorOf('SELECT Id FROM Alert__e').errorCode).toBe('INVALID_TYPE');
  });

  it('NUMBER_OUTSIDE_VALID_RANGE for an OFFSET over 2,000, as the SOQL reference documents', () => {
    const err = errorOf('SELECT Id FROM Account ORDER BY Name LIMIT 5 OFFSET 2001');
    expect(err.errorCode).toBe('NUMBER_OUTSIDE_VALID_RANGE');
    expect(err.message).toBe('Maximum SOQL offset allowed is 2000');
    expect(() => compileSoql('SELECT Id FROM Account ORDER BY Name LIMIT 5 OFFSET 2000', schema)).not.toThrow();
  });

  it('MALFORMED_QUERY for syntax errors', () => {
    expect(errorOf('SELECT Id FROM').errorCode).toBe('MALFORMED_QUERY');
    expect(errorOf('SELECT FROM Account').errorCode).toBe('MALFORMED_QUERY');
    expect(errorOf("SELECT Id FROM Account WHERE Name = 'a\\qb'").message).toContain('Illegal escape sequence');
  });

  it.each([
    ['SELECT Name, COUNT(Id) FROM Account GROUP BY Name', 'GROUP BY'],
    ['SELECT Id FROM Account FOR UPDATE', 'FOR UPDATE'],
    ['SELECT Id FROM Account ALL ROWS', 'ALL ROWS'],
    ['SELECT Id FROM Account USING SCOPE Mine', 'USING SCOPE'],
    ['SELECT TYPEOF Who WHEN Contact THEN LastName END FROM Task', 'TYPEOF'],
    ['SELECT toLabel(Industry) FROM Account', 'toLabel'],
    ['SELECT Id FROM Account WHERE CALENDAR_YEAR(CreatedDate) = 2024', 'CALENDAR_YEAR'],
    ['SELECT Id FROM Account WHERE CreatedDate = THIS_FISCAL_YEAR', 'THIS_FISCAL_YEAR'],
    ["SELECT Id FROM Account WHERE Name = 'a' AND Name = 'b' OR Name = 'c'", 'parentheses'],
    ['SELECT Id, Name, Id FROM Account', 'duplicate field'],
    ['SELECT Name, COUNT(Id) FROM Account', 'grouped or aggregated'],
    ['SELECT COUNT(), Name FROM Account', 'COUNT()'],
    ["SELECT Id FROM Account WHERE Name INCLUDES ('a')", 'multi-select'],
    ['SELECT Id FROM Account WHERE Name IN (SELECT Id FROM Contact)', 'Id or reference'],
    ['SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contact WHERE Id IN (SELECT WhoId FROM Task))', 'semi-join inside'],
  ])('MALFORMED_QUERY naming what is unsupported: %s', (soql, mention) => {
    const err = errorOf(soql);
    expect(err.errorCode).toBe('MALFORMED_QUERY');
    expect(err.message.toLowerCase()).toContain(mention.toLowerCase());
  });
});
