/**
 * describeGlobal (`GET /sobjects`), the basic object info (`GET /sobjects/X`)
 * and describe (`GET /sobjects/X/describe`) rendered from the org's schema
 * with the full field property set jsforce types (docs/wire-notes.md, Describe).
 */
import { CASCADE_CHILDREN } from '../org/cascade-delete.js';
import type { FieldDef, ObjectDef } from '../ports.js';
import { childRelationshipName } from '../org/child-relationship-name.js';
import type { Schema } from '../org/schema.js';
import { dataPath, type RestRequest } from './rest-types.js';

const SOAP_TYPES: Record<string, string> = {
  id: 'tns:ID',
  reference: 'tns:ID',
  boolean: 'xsd:boolean',
  int: 'xsd:int',
  long: 'xsd:long',
  double: 'xsd:double',
  currency: 'xsd:double',
  percent: 'xsd:double',
  date: 'xsd:date',
  datetime: 'xsd:dateTime',
  time: 'xsd:time',
  base64: 'xsd:base64Binary',
  address: 'urn:address',
  location: 'urn:location',
};

const NOT_FILTERABLE = new Set(['address', 'location', 'base64']);
const NOT_SORTABLE = new Set(['address', 'location', 'base64', 'multipicklist', 'textarea']);

/** The summary of one object (describeGlobal entry, and the head of describe). */
export function objectSummary(req: Pick<RestRequest, 'apiVersion'>, o: ObjectDef): Record<string, unknown> {
  const base = `${dataPath(req)}/sobjects/${o.name}`;
  const stored = !o.isPlatformEvent;
  return {
    activateable: false,
    createable: true,
    custom: o.custom,
    customSetting: false,
    deepCloneable: false,
    deletable: stored,
    deprecatedAndHidden: false,
    feedEnabled: false,
    hasSubtypes: false,
    isInterface: false,
    isSubtype: false,
    keyPrefix: o.keyPrefix,
    label: o.label,
    labelPlural: o.labelPlural,
    layoutable: stored,
    mergeable: false,
    mruEnabled: stored,
    name: o.name,
    queryable: stored,
    replicateable: stored,
    retrieveable: stored,
    searchable: stored,
    triggerable: true,
    undeletable: stored,
    updateable: stored,
    associateEntityType: null,
    associateParentEntity: null,
    urls: stored
      ? { sobject: base, describe: `${base}/describe`, rowTemplate: `${base}/{ID}` }
      : { sobject: base, describe: `${base}/describe`, eventSchema: `${dataPath(req)}/event/eventSchema/{SCHEMA_ID}` },
  };
}

/** One field's describe entry. */
export function describeField(f: FieldDef, o: ObjectDef): Record<string, unknown> {
  const text = f.length > 0;
  const isName = f.name === 'Name' || (o.name === 'Case' && f.name === 'CaseNumber');
  return {
    aggregatable: !NOT_SORTABLE.has(f.type),
    aiPredictionField: false,
    autoNumber: o.name === 'Case' && f.name === 'CaseNumber',
    byteLength: text ? f.length * 3 : 0,
    calculated: f.calculated,
    calculatedFormula: f.calculatedFormula,
    cascadeDelete: false,
    caseSensitive: false,
    compoundFieldName: f.compoundFieldName,
    controllerName: null,
    createable: f.createable,
    custom: f.custom,
    defaultValue: f.defaultValue,
    defaultValueFormula: null,
    defaultedOnCreate: f.defaultedOnCreate,
    dependentPicklist: false,
    deprecatedAndHidden: false,
    digits: f.type === 'int' ? f.precision : 0,
    displayLocationInDecimal: false,
    encrypted: false,
    externalId: f.externalId,
    extraTypeInfo: null,
    filterable: !NOT_FILTERABLE.has(f.type),
    filteredLookupInfo: null,
    formulaTreatNullNumberAsZero: false,
    groupable: !NOT_SORTABLE.has(f.type) && f.type !== 'double',
    highScaleNumber: false,
    htmlFormatted: false,
    idLookup: f.idLookup,
    inlineHelpText: null,
    label: f.label,
    length: f.length,
    mask: null,
    maskType: null,
    name: f.name,
    nameField: isName,
    namePointing: f.referenceTo.length > 1,
    nillable: f.nillable,
    permissionable: f.nillable && !f.calculated,
    picklistValues: f.picklistValues.map((p) => ({ ...p, validFor: null })),
    polymorphicForeignKey: f.referenceTo.length > 1,
    precision: f.type === 'int' ? 0 : f.precision,
    queryByDistance: false,
    referenceTargetField: null,
    referenceTo: f.referenceTo,
    relationshipName: f.relationshipName,
    relationshipOrder: null,
    restrictedDelete: false,
    restrictedPicklist: f.restrictedPicklist,
    scale: f.scale,
    searchPrefilterable: false,
    soapType: SOAP_TYPES[f.type] ?? 'xsd:string',
    sortable: !NOT_SORTABLE.has(f.type),
    type: f.type,
    unique: f.unique,
    updateable: f.updateable,
    writeRequiresMasterRead: false,
  };
}

/** `GET /sobjects/X/describe` */
export function describeObject(req: RestRequest, schema: Schema, o: ObjectDef): Record<string, unknown> {
  const children = schema.childRelationships(o.name).map(({ object, field }) => ({
    cascadeDelete: isCascadeChild(o.name, object.name, field.name),
    childSObject: object.name,
    deprecatedAndHidden: false,
    field: field.name,
    junctionIdListNames: [],
    junctionReferenceTo: [],
    relationshipName: childRelationshipName(object, field),
    restrictedDelete: false,
  }));
  return {
    ...objectSummary(req, o),
    actionOverrides: [],
    childRelationships: children,
    compactLayoutable: true,
    defaultImplementation: null,
    extendedBy: null,
    extendsInterfaces: null,
    fields: o.fields.map((f) => describeField(f, o)),
    implementedBy: null,
    implementsInterfaces: null,
    listviewable: null,
    lookupLayoutable: null,
    namedLayoutInfos: [],
    networkScopeFieldName: null,
    recordTypeInfos: [
      {
        active: true,
        available: true,
        defaultRecordTypeMapping: true,
        developerName: 'Master',
        master: true,
        name: 'Master',
        recordTypeId: '012000000000000AAA',
        urls: { layout: `${dataPath(req)}/sobjects/${o.name}/describe/layouts/012000000000000AAA` },
      },
    ],
    searchLayoutable: true,
    supportedScopes: [{ label: 'All', name: 'everything' }],
    sobjectDescribeOption: 'FULL',
  };
}

/** `GET /sobjects` */
export function describeGlobal(req: RestRequest, schema: Schema): Record<string, unknown> {
  return { encoding: 'UTF-8', maxBatchSize: 200, sobjects: schema.listObjects().map((o) => objectSummary(req, o)) };
}

/** Whether deleting a `parent` record deletes the `child` records pointing at it through `field` (org/cascade-delete.ts). */
function isCascadeChild(parent: string, child: string, field: string): boolean {
  return (CASCADE_CHILDREN.get(parent) ?? []).some((c) => c.object === child && c.field === field);
}
