/**
 * The Heroku Connect fixture (scripts/heroku-connect-fixture.ts) looks like
 * the real thing: hstore is available in the embedded Postgres, the logger
 * skips Heroku Connect's own sessions (xmlbinary hex), the status trigger sets
 * _hc_lastop, the log notifies, and the log holds entries in every state.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { buildHerokuConnectFixture, TRIGGER_LOG_STATES, type HerokuConnectFixture } from '../../scripts/heroku-connect-fixture.js';
import { openTestClient, type TestClient } from '../setup/database.js';
import { waitFor } from '../support/wait-for.js';

let t: TestClient;
let fixture: HerokuConnectFixture;
const sfid = (prefix: string, i: number) => `${prefix}000000000000${String(i).padStart(3, '0')}AAA`.slice(0, 18);

beforeAll(async () => {
  t = await openTestClient();
  const accounts = Array.from({ length: 5 }, (_, i) => ({ sfid: sfid('001', i), values: { name: `Account ${i}`, numberofemployees: i } }));
  const contacts = [{ sfid: sfid('003', 0), values: { lastname: 'Smith', email: 's@example.com', accountid: accounts[0]!.sfid } }];
  fixture = await buildHerokuConnectFixture(t.client, { accounts, contacts });
});
afterAll(() => t?.close());

describe('the Heroku Connect fixture', () => {
  it('holds log entries in every documented state', () => {
    expect(fixture.states).toEqual([...TRIGGER_LOG_STATES].sort());
  });

  it('lists the unsent entries in log order with their hstore values', () => {
    expect(fixture.unsent.map((u) => u.action)).toEqual(['UPDATE', 'INSERT', 'UPDATE', 'UPDATE', 'DELETE']);
    expect(fixture.unsent[1]!.values).toMatchObject({ name: 'Adopted Insert Co', phone: '555-0142', numberofemployees: '5' });
    expect(fixture.unsent[1]!.values).not.toHaveProperty('_hc_lastop');
    expect(fixture.unsent[3]!.values).toEqual({ numberofemployees: '12', description: 'after the switch' });
  });

  it("skips Heroku Connect's own sessions and marks user writes PENDING", async () => {
    const before = Number((await t.client.query('select count(*) from salesforce._trigger_log')).rows[0].count);
    await t.client.query('begin');
    await t.client.query(`set local xmlbinary = 'hex'`);
    await t.client.query(`update salesforce.contact set email = 'hc@example.com'`);
    await t.client.query('commit');
    expect(Number((await t.client.query('select count(*) from salesforce._trigger_log')).rows[0].count)).toBe(before);
    const { rows } = await t.client.query(`select _hc_lastop from salesforce.contact`);
    expect(rows[0]._hc_lastop).toBe('SYNCED');
    await t.client.query(`update salesforce.contact set email = 'user@example.com'`);
    expect((await t.client.query(`select _hc_lastop from salesforce.contact`)).rows[0]._hc_lastop).toBe('PENDING');
    const { rows: logged } = await t.client.query(`select state, action from salesforce._trigger_log order by id desc limit 1`);
    expect(logged[0]).toEqual({ state: 'READONLY', action: 'UPDATE' });
  });

  it('notifies <schema>.hc_trigger_log on a new log entry', async () => {
    const listener = new pg.Client(t.db.url);
    await listener.connect();
    try {
      const heard: string[] = [];
      listener.on('notification', (n) => heard.push(n.channel));
      await listener.query('listen "salesforce.hc_trigger_log"');
      await t.client.query(`update salesforce.account set phone = '555-0000' where id = $1`, [fixture.accountIds[0]]);
      await waitFor(() => heard.includes('salesforce.hc_trigger_log'), { what: 'the trigger log notification' });
    } finally {
      await listener.end();
    }
  });
});
