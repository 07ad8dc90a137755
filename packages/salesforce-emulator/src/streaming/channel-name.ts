/**
 * Streaming channel names and what they refer to:
 * - `/topic/<PushTopic Name>`             PushTopic notifications
 * - `/data/ChangeEvents`                  CDC for every CDC-enabled object
 * - `/data/<Object>ChangeEvent`           CDC for one object; custom `Foo__c` → `/data/Foo__ChangeEvent`
 * - `/event/<Name>__e`                    platform events
 */
import type { ObjectDef, SchemaLookup } from '../ports.js';

/** The channel carrying CDC for every CDC-enabled object. */
export const ALL_CHANGE_EVENTS = '/data/ChangeEvents';

/** What a channel name points at; `undefined` from {@link parseChannel} when nothing. */
export type ChannelTarget = { kind: 'topic'; name: string } | { kind: 'cdc-all' } | { kind: 'cdc'; object: ObjectDef } | { kind: 'event'; object: ObjectDef };

/** Retention class of a channel: PushTopic uses the 24 h window, CDC and platform events 72 h. */
export type RetentionClass = 'pushTopic' | 'cdc';

/** The CDC channel of one object: `Account` → `/data/AccountChangeEvent`, `Foo__c` → `/data/Foo__ChangeEvent`. */
export function changeEventChannel(objectName: string): string {
  const base = objectName.endsWith('__c') ? objectName.slice(0, -1) : objectName;
  return `/data/${base}ChangeEvent`;
}

/** The channel of a platform event object: `Order__e` → `/event/Order__e`. */
export function platformEventChannel(objectName: string): string {
  return `/event/${objectName}`;
}

/** The channel of a PushTopic: `/topic/<Name>`. */
export function pushTopicChannel(name: string): string {
  return `/topic/${name}`;
}

/** Resolve the static part of a channel name against the schema. PushTopic existence is checked by the caller. */
export function parseChannel(channel: string, schema: SchemaLookup): ChannelTarget | undefined {
  if (channel.startsWith('/topic/')) {
    const name = channel.slice('/topic/'.length);
    return name.length > 0 && !name.includes('/') ? { kind: 'topic', name } : undefined;
  }
  if (channel === ALL_CHANGE_EVENTS) return { kind: 'cdc-all' };
  if (channel.startsWith('/data/') && channel.endsWith('ChangeEvent')) {
    const base = channel.slice('/data/'.length, -'ChangeEvent'.length);
    const objectName = base.endsWith('__') ? `${base}c` : base;
    const object = base.length > 0 ? safeGetObject(schema, objectName) : undefined;
    // Case matters for channels: `/data/accountChangeEvent` is not Account's channel.
    if (object !== undefined && object.cdcEnabled && changeEventChannel(object.name) === channel) {
      return { kind: 'cdc', object };
    }
    return undefined;
  }
  if (channel.startsWith('/event/')) {
    const object = safeGetObject(schema, channel.slice('/event/'.length));
    if (object !== undefined && object.isPlatformEvent && platformEventChannel(object.name) === channel) {
      return { kind: 'event', object };
    }
  }
  return undefined;
}

/** The retention class of a channel name. */
export function retentionClassOf(channel: string): RetentionClass {
  return channel.startsWith('/topic/') ? 'pushTopic' : 'cdc';
}

function safeGetObject(schema: SchemaLookup, name: string): ObjectDef | undefined {
  try {
    return schema.getObject(name);
  } catch {
    return undefined;
  }
}
