/**
 * The name of a child relationship, shared by describe (`childRelationships`)
 * and SOQL subqueries (`SELECT (SELECT … FROM Contacts) FROM Account`) so both
 * always agree: `Contacts` for Contact.AccountId, `ChildAccounts` for
 * Account.ParentId, `<LabelPlural>__r` for a custom lookup, none for audit,
 * owner and MasterRecordId lookups (Salesforce exposes no subquery over those).
 */
import type { FieldDef, ObjectDef } from '../ports.js';

/** The relationship name of `field` on `child` seen from the parent, or null when there is none. */
export function childRelationshipName(child: ObjectDef, field: FieldDef): string | null {
  if (field.name === 'CreatedById' || field.name === 'LastModifiedById' || field.name === 'OwnerId' || field.name === 'MasterRecordId') return null;
  const plural = child.labelPlural.replace(/\W/g, '');
  if (field.custom) return `${plural}__r`;
  if (field.name === 'ParentId') return `Child${plural}`;
  return plural;
}
