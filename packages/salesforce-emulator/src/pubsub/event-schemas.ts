/**
 * Every Avro schema the Pub/Sub part has handed out, by schema id, with its
 * compiled `avsc` type. The id is the streaming `schema` key of the object
 * (stream-values.ts `schemaIdOf`), so a CometD event and the same event over
 * Pub/Sub name the same schema; it changes when the object's fields change,
 * and old ids stay readable (events retained before the change use them).
 */
import avro from 'avsc';
import type { ObjectDef, SchemaLookup } from '../ports.js';
import { schemaIdOf } from '../streaming/stream-values.js';
import { cdcSchema, platformEventSchema, type EventSchema } from './avro-schema.js';

/** A schema with its id, its object and its compiled Avro type. */
export interface CompiledSchema extends EventSchema {
  id: string;
  object: ObjectDef;
  type: avro.Type;
}

/** The schemas handed out so far. */
export class EventSchemas {
  readonly #byId = new Map<string, CompiledSchema>();

  constructor(private readonly schema: SchemaLookup) {}

  /** The current schema of an object's events (CDC, or the platform event's own). */
  of(object: ObjectDef): CompiledSchema {
    const id = schemaIdOf(object);
    let compiled = this.#byId.get(id);
    if (compiled === undefined) {
      const built = object.isPlatformEvent ? platformEventSchema(object) : cdcSchema(object);
      compiled = { ...built, id, object, type: avro.Type.forSchema(built.schema as avro.Schema) };
      this.#byId.set(id, compiled);
    }
    return compiled;
  }

  /** A schema by id: one handed out before, or the current schema of an object with that id. */
  byId(id: string): CompiledSchema | undefined {
    const known = this.#byId.get(id);
    if (known !== undefined) return known;
    const object = this.schema.listObjects().find((o) => (o.cdcEnabled || o.isPlatformEvent) && schemaIdOf(o) === id);
    return object === undefined ? undefined : this.of(object);
  }
}
