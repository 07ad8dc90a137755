/**
 * The emulator's SOQL engine: a pure module that parses SOQL with
 * soql-parser-js, validates it against a `SchemaLookup`, and evaluates it
 * over a `RecordSource` (see ../ports.ts). Anything it does not implement is
 * rejected with MALFORMED_QUERY naming the feature, never answered wrongly.
 */
export { compileCondition, compileSoql } from './compile-soql.js';
export type { CompiledQuery } from './compile-soql.js';
export { SoqlError } from './errors.js';
export type { SoqlErrorCode } from './errors.js';
