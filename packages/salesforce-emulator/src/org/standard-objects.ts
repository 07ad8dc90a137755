/**
 * The standard objects of the default org, with the fields a sync touches most.
 * Not every field Salesforce has: enough realistic types (picklists, currency,
 * compound addresses, lookups) to exercise mapping and type conversion.
 */
import type { FieldDef, ObjectDef } from '../ports.js';
import { addressFields, field, ref, systemFields } from './field-builders.js';

/** Build an object definition with the system fields prepended. */
export function objectDef(
  name: string,
  keyPrefix: string,
  fields: FieldDef[],
  extra: Partial<Pick<ObjectDef, 'label' | 'labelPlural' | 'custom' | 'cdcEnabled' | 'isPlatformEvent' | 'validationRules'>> = {},
): ObjectDef {
  const label = extra.label ?? name;
  return {
    name,
    label,
    labelPlural: extra.labelPlural ?? `${label}s`,
    keyPrefix,
    custom: extra.custom ?? false,
    cdcEnabled: extra.cdcEnabled ?? true,
    isPlatformEvent: extra.isPlatformEvent ?? false,
    fields: extra.isPlatformEvent === true ? fields : [...systemFields(), ...fields],
    validationRules: extra.validationRules ?? [],
  };
}

const owner = (): FieldDef => ref('OwnerId', 'User', { relationshipName: 'Owner', defaultedOnCreate: true });
/** Set on the records a merge deleted: the Id of the record they were merged into (Account, Contact and Lead). */
const masterRecord = (object: string): FieldDef => ref('MasterRecordId', object, { readOnly: true, relationshipName: 'MasterRecord' });
const extId = (): FieldDef => field('Ext_Id__c', 'string', { label: 'External Id', externalId: true, unique: true });

function account(): ObjectDef {
  return objectDef(
    'Account',
    '001',
    [
      field('Name', 'string', { required: true, label: 'Account Name' }),
      field('AccountNumber', 'string', { length: 40 }),
      field('Type', 'picklist', { label: 'Account Type', picklist: ['Prospect', 'Customer - Direct', 'Customer - Channel', 'Partner', 'Other'] }),
      field('Industry', 'picklist', { picklist: ['Agriculture', 'Banking', 'Technology', 'Energy', 'Retail', 'Other'] }),
      field('AnnualRevenue', 'currency', { precision: 18, scale: 0 }),
      field('NumberOfEmployees', 'int', { precision: 8, label: 'Employees' }),
      field('Phone', 'phone'),
      field('Website', 'url'),
      field('Description', 'textarea', { length: 32000, label: 'Account Description' }),
      ...addressFields('Billing'),
      ...addressFields('Shipping'),
      field('Rating', 'picklist', { picklist: ['Hot', 'Warm', 'Cold'] }),
      owner(),
      ref('ParentId', 'Account', { relationshipName: 'Parent' }),
      masterRecord('Account'),
      extId(),
    ],
    { labelPlural: 'Accounts' },
  );
}

function contact(): ObjectDef {
  return objectDef('Contact', '003', [
    field('FirstName', 'string', { length: 40 }),
    field('LastName', 'string', { length: 80, required: true }),
    field('Name', 'string', { length: 121, readOnly: true, label: 'Full Name' }),
    field('Salutation', 'picklist', { picklist: ['Mr.', 'Ms.', 'Mrs.', 'Dr.', 'Prof.'] }),
    field('Title', 'string', { length: 128 }),
    field('Email', 'email'),
    field('Phone', 'phone'),
    field('MobilePhone', 'phone'),
    ref('AccountId', 'Account'),
    field('Birthdate', 'date'),
    field('LeadSource', 'picklist', { picklist: ['Web', 'Phone Inquiry', 'Partner Referral', 'Other'] }),
    field('HasOptedOutOfEmail', 'boolean', { label: 'Email Opt Out' }),
    field('Description', 'textarea', { length: 32000 }),
    ...addressFields('Mailing'),
    owner(),
    masterRecord('Contact'),
    extId(),
  ]);
}

function lead(): ObjectDef {
  return objectDef('Lead', '00Q', [
    field('FirstName', 'string', { length: 40 }),
    field('LastName', 'string', { length: 80, required: true }),
    field('Name', 'string', { length: 121, readOnly: true, label: 'Full Name' }),
    field('Company', 'string', { required: true }),
    field('Email', 'email'),
    field('Phone', 'phone'),
    field('Status', 'picklist', {
      required: true,
      defaultedOnCreate: true,
      defaultValue: 'Open - Not Contacted',
      restricted: true,
      picklist: ['Open - Not Contacted', 'Working - Contacted', 'Closed - Converted', 'Closed - Not Converted'],
    }),
    field('LeadSource', 'picklist', { picklist: ['Web', 'Phone Inquiry', 'Partner Referral', 'Other'] }),
    field('AnnualRevenue', 'currency', { precision: 18, scale: 0 }),
    field('IsConverted', 'boolean', { readOnly: true, label: 'Converted' }),
    owner(),
    masterRecord('Lead'),
  ]);
}

function opportunity(): ObjectDef {
  return objectDef(
    'Opportunity',
    '006',
    [
      field('Name', 'string', { length: 120, required: true }),
      ref('AccountId', 'Account'),
      field('Amount', 'currency', { precision: 18, scale: 2 }),
      field('CloseDate', 'date', { required: true }),
      field('StageName', 'picklist', {
        required: true,
        label: 'Stage',
        restricted: true,
        picklist: ['Prospecting', 'Qualification', 'Proposal/Price Quote', 'Negotiation/Review', 'Closed Won', 'Closed Lost'],
      }),
      field('Probability', 'percent', { precision: 3, scale: 0, label: 'Probability (%)' }),
      field('IsClosed', 'boolean', { readOnly: true, label: 'Closed' }),
      field('Description', 'textarea', { length: 32000 }),
      owner(),
    ],
    { labelPlural: 'Opportunities' },
  );
}

function caseObject(): ObjectDef {
  return objectDef('Case', '500', [
    field('CaseNumber', 'string', { length: 30, readOnly: true, defaultedOnCreate: true }),
    field('Subject', 'string'),
    field('Status', 'picklist', { defaultedOnCreate: true, defaultValue: 'New', picklist: ['New', 'Working', 'Escalated', 'Closed'] }),
    field('Priority', 'picklist', { defaultedOnCreate: true, defaultValue: 'Medium', picklist: ['High', 'Medium', 'Low'] }),
    field('Origin', 'picklist', { picklist: ['Phone', 'Email', 'Web'] }),
    ref('AccountId', 'Account'),
    ref('ContactId', 'Contact'),
    field('Description', 'textarea', { length: 32000 }),
    field('ClosedDate', 'datetime', { readOnly: true }),
    owner(),
  ]);
}

function user(): ObjectDef {
  return objectDef(
    'User',
    '005',
    [
      field('Username', 'string', { length: 80, required: true, unique: true }),
      field('FirstName', 'string', { length: 40 }),
      field('LastName', 'string', { length: 80, required: true }),
      field('Name', 'string', { length: 121, readOnly: true, label: 'Full Name' }),
      field('Email', 'email', { required: true }),
      field('Alias', 'string', { length: 8 }),
      field('IsActive', 'boolean', { label: 'Active', defaultValue: true }),
      field('TimeZoneSidKey', 'picklist', { picklist: ['America/Los_Angeles', 'Europe/London', 'GMT'] }),
    ],
    { cdcEnabled: false },
  );
}

function pushTopic(): ObjectDef {
  const notify = (op: string): FieldDef => field(`NotifyForOperation${op}`, 'boolean', { defaultValue: true, label: `Create ${op}` });
  return objectDef(
    'PushTopic',
    '0PT',
    [
      // Name is the channel (/topic/Name): at most 25 characters and unique in the org.
      field('Name', 'string', { length: 25, required: true, unique: true, label: 'Topic Name' }),
      field('Query', 'string', { length: 1300, required: true, label: 'SOQL Query' }),
      field('ApiVersion', 'double', { required: true, precision: 18, scale: 1 }),
      field('IsActive', 'boolean', { defaultValue: true, label: 'Active' }),
      notify('Create'),
      notify('Update'),
      notify('Delete'),
      notify('Undelete'),
      field('NotifyForFields', 'picklist', {
        defaultedOnCreate: true,
        defaultValue: 'Referenced',
        restricted: true,
        picklist: ['All', 'Referenced', 'Select', 'Where'],
      }),
      field('Description', 'string', { length: 400 }),
    ],
    { cdcEnabled: false },
  );
}

/** The standard objects of a fresh org. */
export function standardObjects(): ObjectDef[] {
  return [account(), contact(), lead(), opportunity(), caseObject(), user(), pushTopic()];
}
