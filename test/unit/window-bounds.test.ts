/** Poll windows, SOQL literals and the generated SOQL (pure). */
import { describe, expect, it } from 'vitest';
import { nextCronTime } from '../../src/config/cron.js';
import { soqlDateTime, soqlString } from '../../src/salesforce/soql-literals.js';
import { floorToSecond, nextPrimaryWindow, windowSoql } from '../../src/inbound/window-bounds.js';

describe('windows', () => {
  it('floors upper to whole seconds behind now and skips empty windows', () => {
    const watermark = new Date('2024-01-02T03:04:05Z');
    expect(nextPrimaryWindow(watermark, Date.parse('2024-01-02T03:04:07.900Z'), 1000)).toEqual({ lower: watermark, upper: new Date('2024-01-02T03:04:06Z') });
    expect(nextPrimaryWindow(watermark, Date.parse('2024-01-02T03:04:06.500Z'), 1000)).toBeUndefined();
    expect(floorToSecond(1999).getTime()).toBe(1000);
  });

  it('builds the window SOQL with escaped literals and the row filter in parentheses', () => {
    const soql = windowSoql({
      sobject: 'Account',
      fields: ['Id', 'Name'],
      rowFilter: "Industry = 'Energy' OR Name = 'x'",
      lower: new Date('2024-01-02T03:04:05Z'),
      upper: new Date('2024-01-02T03:05:00.250Z'),
    });
    expect(soql).toBe(
      "SELECT Id, Name FROM Account WHERE SystemModstamp >= 2024-01-02T03:04:05Z AND SystemModstamp < 2024-01-02T03:05:00.250Z AND (Industry = 'Energy' OR Name = 'x')",
    );
    expect(windowSoql({ sobject: 'Account', fields: [], lower: new Date(0) }, 'count')).toBe(
      'SELECT COUNT() FROM Account WHERE SystemModstamp >= 1970-01-01T00:00:00Z',
    );
    // A re-read by Id (held-back records, reconcile) keeps the row filter.
    expect(windowSoql({ sobject: 'Account', fields: ['Id'], ids: ["001A'1", '001B'], rowFilter: "Industry = 'Energy'" })).toBe(
      "SELECT Id FROM Account WHERE Id IN ('001A\\'1', '001B') AND (Industry = 'Energy')",
    );
  });

  it('escapes SOQL strings', () => {
    expect(soqlString('O\'Brien \\ "x"\n')).toBe("'O\\'Brien \\\\ \\\"x\\\"\\n'");
    expect(soqlDateTime(new Date('2024-01-02T03:04:05.007Z'))).toBe('2024-01-02T03:04:05.007Z');
  });

  it('finds the next cron time (UTC)', () => {
    expect(nextCronTime('17 3 * * *', new Date('2024-01-02T03:17:00Z')).toISOString()).toBe('2024-01-03T03:17:00.000Z');
    expect(nextCronTime('*/15 * * * *', new Date('2024-01-02T03:17:30Z')).toISOString()).toBe('2024-01-02T03:30:00.000Z');
    expect(nextCronTime('0 0 * * 0', new Date('2024-01-02T00:00:00Z')).toISOString()).toBe('2024-01-07T00:00:00.000Z');
    expect(() => nextCronTime('61 * * * *', new Date())).toThrow(/out of range/);
  });
});
