/** The error codes the SOQL engine raises, as Salesforce's REST API names them. */
export type SoqlErrorCode = 'MALFORMED_QUERY' | 'INVALID_FIELD' | 'INVALID_TYPE' | 'NUMBER_OUTSIDE_VALID_RANGE';

/**
 * A query Salesforce would reject. REST renders it as
 * `[{ "message": err.message, "errorCode": err.errorCode }]` with status 400.
 */
export class SoqlError extends Error {
  /** Stable Salesforce error code. */
  readonly errorCode: SoqlErrorCode;

  constructor(errorCode: SoqlErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SoqlError';
    this.errorCode = errorCode;
  }
}

/** MALFORMED_QUERY: a syntax error, or a feature the emulator does not implement (say which). */
export function malformed(message: string, cause?: unknown): SoqlError {
  return new SoqlError('MALFORMED_QUERY', message, cause === undefined ? undefined : { cause });
}

/** MALFORMED_QUERY for a valid SOQL feature the emulator deliberately does not implement. */
export function unsupported(feature: string): SoqlError {
  return malformed(`${feature} is not supported by the sfsync Salesforce emulator.`);
}

/** INVALID_FIELD with Salesforce's wording for an unknown column. */
export function noSuchColumn(field: string, object: string): SoqlError {
  return new SoqlError(
    'INVALID_FIELD',
    `No such column '${field}' on entity '${object}'. If you are attempting to use a custom field, ` +
      `be sure to append the '__c' after the custom field name. ` +
      `Please reference your WSDL or the describe call for the appropriate names.`,
  );
}

/** INVALID_FIELD with Salesforce's wording for an unknown relationship. */
export function noSuchRelationship(name: string): SoqlError {
  return new SoqlError(
    'INVALID_FIELD',
    `Didn't understand relationship '${name}' in field path. If you are attempting to use a custom ` +
      `relationship, be sure to append the '__r' after the custom relationship name. ` +
      `Please reference your WSDL or the describe call for the appropriate names.`,
  );
}

/** INVALID_FIELD for a filter value of the wrong type, as Salesforce words it. */
export function wrongValueType(field: string, expected: string, quoted: boolean): SoqlError {
  const tail = quoted ? ' and should be enclosed in quotes' : ' and should not be enclosed in quotes';
  return new SoqlError('INVALID_FIELD', `value of filter criterion for field '${field}' must be of type ${expected}${tail}`);
}

/** INVALID_TYPE with Salesforce's wording for an unknown sObject. */
export function invalidType(object: string): SoqlError {
  return new SoqlError(
    'INVALID_TYPE',
    `sObject type '${object}' is not supported. If you are attempting to use a custom object, ` +
      `be sure to append the '__c' after the entity name. ` +
      `Please reference your WSDL or the describe call for the appropriate names.`,
  );
}
