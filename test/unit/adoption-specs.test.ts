/**
 * The mappings `sfsync adopt heroku-connect` makes: from the export, every
 * Heroku Connect table needs its mapping and every mapping its table (one
 * line naming the fix otherwise), and each keeps compat 'heroku-connect';
 * from the columns, only columns describe lists become fields, the others
 * are noted, and the logger trigger's mode decides read_only or read_write.
 */
import { describe, expect, it } from 'vitest';
import { specsFromColumns, specsFromExport } from '../../src/adopt/adoption-specs.js';
import type { HerokuConnectTable } from '../../src/adopt/find-heroku-connect.js';
import type { SalesforceClient } from '../../src/salesforce/salesforce-client.js';

const tables: HerokuConnectTable[] = [
  { table: 'account', columns: ['id', 'sfid', 'name', 'legacy_note', 'systemmodstamp', '_hc_lastop', '_hc_err'], access: 'read_write' },
  { table: 'contact', columns: ['id', 'sfid', 'lastname', '_hc_lastop', '_hc_err'], access: undefined },
];

describe('specsFromExport', () => {
  it('maps each table with compat heroku-connect and the export settings', () => {
    const { specs } = specsFromExport('7', 'hc', tables, [
      { sobject: 'Account', fields: ['Name'], mode: 'read_write', pollInterval: '600 seconds' },
      { sobject: 'Contact', fields: ['LastName'], mode: 'read_only' },
    ]);
    expect(specs).toEqual([
      {
        sobject: 'Account',
        fields: ['Name'],
        mode: 'read_write',
        pollInterval: '600 seconds',
        connectionId: '7',
        schema: 'hc',
        table: 'account',
        compat: 'heroku-connect',
      },
      { sobject: 'Contact', fields: ['LastName'], mode: 'read_only', connectionId: '7', schema: 'hc', table: 'contact', compat: 'heroku-connect' },
    ]);
  });

  it('refuses a table without a mapping, and a mapping without a table, in one line', () => {
    expect(() => specsFromExport('7', 'hc', tables, [{ sobject: 'Account', fields: ['Name'] }])).toThrow(
      /^hc\.contact is a Heroku Connect table but the export has no mapping for it; export the mappings of this connection again, or run without --export\.$/,
    );
    expect(() => specsFromExport('7', 'hc', tables, [{ sobject: 'Lead', fields: ['Company'] }])).toThrow(
      /^The export maps Lead but schema hc has no Heroku Connect table lead; /,
    );
  });
});

describe('specsFromColumns', () => {
  const salesforce = {
    describe: async (name: string) => ({
      name: name === 'account' ? 'Account' : 'Contact',
      fields: [{ name: 'Name' }, { name: 'LastName' }, { name: 'Id' }, { name: 'SystemModstamp' }],
    }),
  } as unknown as SalesforceClient;

  it('keeps the columns describe lists, notes the others, and takes the mode from the logger (else the stored mapping)', async () => {
    const { specs, notes } = await specsFromColumns('7', 'hc', tables, salesforce, (t) => (t === 'contact' ? 'read_write' : undefined));
    expect(specs.map((s) => [s.sobject, s.fields, s.mode, s.compat])).toEqual([
      ['Account', ['Name'], 'read_write', 'heroku-connect'],
      ['Contact', ['LastName'], 'read_write', 'heroku-connect'],
    ]);
    expect(notes).toEqual(['hc.account: legacy_note match no Account field and stay unsynced']);
  });
});
