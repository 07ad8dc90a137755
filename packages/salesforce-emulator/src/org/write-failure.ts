/**
 * The error a single record write fails with; collected into WriteResult.errors.
 */
import type { SfError } from '../ports.js';

/** Thrown inside the writer for one record; never escapes `Org.write`. */
export class WriteFailure extends Error {
  readonly errors: SfError[];

  constructor(statusCode: string, message: string, fields: string[] = []) {
    super(message);
    this.name = statusCode;
    this.errors = [{ statusCode, message, fields }];
  }
}
