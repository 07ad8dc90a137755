import { describe, expect, it } from 'vitest';
import { compileCondition, compileSoql, SoqlError } from '../src/soql/index.js';
import { FakeSource, makeId, schema } from './soql-fake-org.js';

const account = schema.getObject('Account');
if (account === undefined) throw new Error('fixture schema lacks Account');

describe('compileCondition (validation rules)', () => {
  it('evaluates a bare WHERE expression against values', () => {
    const bad = compileCondition(account, "AnnualRevenue < 0 OR Name LIKE 'x%'", schema);
    expect(bad({ Name: 'Acme', AnnualRevenue: -1 })).toBe(true);
    expect(bad({ Name: 'xylo', AnnualRevenue: 5 })).toBe(true);
    expect(bad({ Name: 'Acme', AnnualRevenue: 5 })).toBe(false);
    expect(bad({ Name: null, AnnualRevenue: null })).toBe(false);
  });

  it('reads parent fields through the source when given, null without one', () => {
    const source = new FakeSource();
    source.add('User', makeId('005', 1), { Name: 'Ann' });
    const ownedByAnn = compileCondition(account, "Owner.Name = 'ann'", schema);
    expect(ownedByAnn({ OwnerId: makeId('005', 1) }, source)).toBe(true);
    expect(ownedByAnn({ OwnerId: makeId('005', 1) })).toBe(false);
  });

  it('throws SoqlError for bad expressions', () => {
    expect(() => compileCondition(account, 'Nope__c = 1', schema)).toThrow(SoqlError);
    expect(() => compileCondition(account, 'Name = ', schema)).toThrow(/unexpected token/);
    expect(() => compileCondition(account, "Name = 'x' LIMIT 1", schema)).toThrow(/bare WHERE expression/);
  });
});

describe('CompiledQuery.matches (PushTopic filters)', () => {
  it('applies the WHERE clause alone to one record', () => {
    const source = new FakeSource();
    const q = compileSoql("SELECT Id, Name FROM Account WHERE Industry = 'Tech' AND AnnualRevenue > 10 LIMIT 1", schema);
    const hit = source.add('Account', makeId('001', 1), { Industry: 'tech', AnnualRevenue: 11 });
    const miss = source.add('Account', makeId('001', 2), { Industry: 'tech', AnnualRevenue: 10 });
    expect(q.matches(hit, source)).toBe(true);
    expect(q.matches(miss, source)).toBe(false);
    expect(compileSoql('SELECT Id FROM Account', schema).matches(miss, source)).toBe(true);
  });
});
