/**
 * The org's schema: case-insensitive lookups over object and field definitions
 * (Salesforce API names are case-insensitive; responses use the canonical case).
 */
import type { FieldDef, ObjectDef, SchemaLookup } from '../ports.js';
import { childRelationshipName } from './child-relationship-name.js';
import { customField, customObject, type SchemaConfig } from './schema-config.js';
import { standardObjects } from './standard-objects.js';

interface ObjectEntry {
  def: ObjectDef;
  fields: Map<string, FieldDef>;
  relationships: Map<string, FieldDef>;
}

/** The schema of one org; built from the standard objects plus an optional {@link SchemaConfig}. */
export class Schema implements SchemaLookup {
  private readonly objects = new Map<string, ObjectEntry>();
  private readonly byPrefix = new Map<string, ObjectDef>();

  constructor(config: SchemaConfig = {}) {
    for (const def of standardObjects()) this.add(def);
    let customCount = 0;
    let eventCount = 0;
    for (const objectConfig of config.objects ?? []) {
      const isEvent = objectConfig.name.endsWith('__e');
      const n = isEvent ? eventCount++ : customCount++;
      this.add(customObject(objectConfig, prefixFor(isEvent ? 'e' : 'a', n)));
    }
    for (const [objectName, fields] of Object.entries(config.fields ?? {})) {
      const entry = this.entry(objectName);
      for (const f of fields) this.addField(entry, customField(f));
    }
    for (const [objectName, rules] of Object.entries(config.validationRules ?? {})) {
      this.entry(objectName).def.validationRules.push(...rules);
    }
  }

  getObject(name: string): ObjectDef | undefined {
    return this.objects.get(name.toLowerCase())?.def;
  }

  getField(object: ObjectDef, name: string): FieldDef | undefined {
    return this.objects.get(object.name.toLowerCase())?.fields.get(name.toLowerCase());
  }

  getRelationship(object: ObjectDef, name: string): FieldDef | undefined {
    return this.objects.get(object.name.toLowerCase())?.relationships.get(name.toLowerCase());
  }

  listObjects(): ObjectDef[] {
    return [...this.objects.values()].map((e) => e.def);
  }

  /** The object whose records carry this key prefix (`001` → Account). */
  objectForPrefix(keyPrefix: string): ObjectDef | undefined {
    return this.byPrefix.get(keyPrefix);
  }

  /** The object a (normalised) Id belongs to. */
  objectForId(id: string): ObjectDef | undefined {
    return this.byPrefix.get(id.slice(0, 3));
  }

  /** A child relationship of `parent` by its describe name (case-insensitive), for SOQL subqueries. */
  getChildRelationship(parent: ObjectDef, name: string): { object: ObjectDef; field: FieldDef; relationshipName: string } | undefined {
    const wanted = name.toLowerCase();
    for (const { object, field } of this.childRelationships(parent.name)) {
      const relationshipName = childRelationshipName(object, field);
      if (relationshipName?.toLowerCase() === wanted) return { object, field, relationshipName };
    }
    return undefined;
  }

  /** Reference fields of other objects pointing at `target` (describe's childRelationships). */
  childRelationships(target: string): Array<{ object: ObjectDef; field: FieldDef }> {
    const out: Array<{ object: ObjectDef; field: FieldDef }> = [];
    for (const { def } of this.objects.values()) {
      for (const f of def.fields) {
        if (f.type === 'reference' && f.referenceTo.includes(target)) out.push({ object: def, field: f });
      }
    }
    return out;
  }

  private add(def: ObjectDef): void {
    const entry: ObjectEntry = { def, fields: new Map(), relationships: new Map() };
    const fields = def.fields;
    def.fields = [];
    this.objects.set(def.name.toLowerCase(), entry);
    this.byPrefix.set(def.keyPrefix, def);
    for (const f of fields) this.addField(entry, f);
  }

  private addField(entry: ObjectEntry, f: FieldDef): void {
    const key = f.name.toLowerCase();
    if (entry.fields.has(key)) throw new Error(`Field ${entry.def.name}.${f.name} is defined twice.`);
    entry.def.fields.push(f);
    entry.fields.set(key, f);
    if (f.relationshipName !== null) entry.relationships.set(f.relationshipName.toLowerCase(), f);
  }

  private entry(objectName: string): ObjectEntry {
    const entry = this.objects.get(objectName.toLowerCase());
    if (entry === undefined) throw new Error(`Schema config names unknown object ${objectName}.`);
    return entry;
  }
}

function prefixFor(letter: string, n: number): string {
  return letter + n.toString(36).padStart(2, '0');
}
