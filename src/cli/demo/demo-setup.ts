/**
 * The demo's Salesforce side in Postgres: the `default` connection pointing at
 * this run's emulator, and Account and Contact mapped read_write with their
 * External ID (so a retried insert is an upsert, never a duplicate).
 * Re-applying an unchanged mapping is a no-op, so every run does it.
 */
import type pg from 'pg';
import type { SfsyncConfig } from '../../config/config-schema.js';
import { applyMapping } from '../../mapping/apply-mapping.js';
import type { MappingPlan } from '../../mapping/plan-mapping.js';
import { connectSalesforce } from '../../salesforce/connect.js';
import { JsforceSalesforceClient } from '../../salesforce/jsforce-client.js';
import { readDailyApiUsage, saveConnection } from '../save-connection.js';

/** The demo's mappings: the fields the emulator's demo seed fills in. */
export const DEMO_MAPPINGS = [
  { sobject: 'Account', fields: ['Name', 'Industry', 'AnnualRevenue', 'NumberOfEmployees', 'BillingCity', 'Phone', 'Ext_Id__c'] },
  { sobject: 'Contact', fields: ['FirstName', 'LastName', 'Email', 'AccountId', 'Ext_Id__c'] },
] as const;

/** Store the connection and apply both mappings; returns the plans (isNew tells a first run). */
export async function setUpDemo(pool: pg.Pool, config: SfsyncConfig): Promise<MappingPlan[]> {
  const settings = config.salesforce;
  const conn = await connectSalesforce(settings);
  const saved = await saveConnection(pool, {
    name: 'default',
    loginUrl: settings.loginUrl,
    instanceUrl: conn.instanceUrl || null,
    apiVersion: settings.apiVersion,
    authKind: 'password',
    username: settings.username ?? null,
    clientId: settings.clientId ?? null,
    usage: await readDailyApiUsage(conn),
    // The demo's credentials live in its config file.
    secrets: {},
  });
  const salesforce = new JsforceSalesforceClient(conn);
  const plans: MappingPlan[] = [];
  const client = await pool.connect();
  try {
    for (const mapping of DEMO_MAPPINGS) {
      plans.push(
        await applyMapping(client, salesforce, {
          connectionId: String(saved.id),
          sobject: mapping.sobject,
          fields: [...mapping.fields],
          mode: 'read_write',
          externalIdField: 'Ext_Id__c',
          pollInterval: '10 seconds',
        }),
      );
    }
  } finally {
    client.release();
  }
  return plans;
}
