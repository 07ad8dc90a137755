/**
 * Turn a client-supplied value into the stored REST JSON form of a field,
 * failing the way Salesforce does: wrong JSON kinds are JSON_PARSER_ERROR,
 * unparseable text is INVALID_TYPE_ON_FIELD_IN_RECORD (Bulk CSV sends text for
 * everything, so numeric and boolean text is accepted).
 */
import type { FieldDef, SfValue } from '../ports.js';
import { formatDateTime, parseDate, parseDateTime, parseTime } from './datetime.js';
import { normalizeId } from './ids.js';
import { WriteFailure } from './write-failure.js';

const TEXT_TYPES = new Set(['string', 'textarea', 'picklist', 'multipicklist', 'combobox', 'phone', 'url', 'email', 'encryptedstring', 'base64']);
const NUMBER_TYPES = new Set(['int', 'long', 'double', 'currency', 'percent']);
const EMAIL_RE = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** Coerce one value for `field`; null stays null (booleans become false). */
export function coerceValue(field: FieldDef, raw: unknown): SfValue {
  if (raw === null || raw === undefined) return field.type === 'boolean' ? false : null;
  if (typeof raw === 'object') {
    throw new WriteFailure('JSON_PARSER_ERROR', `Cannot deserialize instance of ${field.type} from START_OBJECT value for field ${field.name}`, [field.name]);
  }
  if (TEXT_TYPES.has(field.type)) return coerceText(field, raw);
  if (NUMBER_TYPES.has(field.type)) return coerceNumber(field, raw);
  switch (field.type) {
    case 'boolean':
      return coerceBoolean(field, raw);
    case 'date':
      return coerceParsed(field, raw, parseDate);
    case 'time':
      return coerceParsed(field, raw, parseTime);
    case 'datetime':
      return coerceParsed(field, raw, (t) => {
        const ms = parseDateTime(t);
        return ms === undefined ? undefined : formatDateTime(ms);
      });
    case 'id':
    case 'reference':
      return coerceId(field, raw);
    default:
      throw new WriteFailure('INVALID_FIELD_FOR_INSERT_UPDATE', `Unable to create/update fields: ${field.name}.`, [field.name]);
  }
}

function coerceText(field: FieldDef, raw: unknown): SfValue {
  if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') throw typeError(field, raw);
  const text = String(raw);
  if (text === '') return null;
  if (field.length > 0 && text.length > field.length) {
    throw new WriteFailure('STRING_TOO_LONG', `${field.label}: data value too large: ${text.slice(0, 80)} (max length=${field.length})`, [field.name]);
  }
  if (field.type === 'email' && !EMAIL_RE.test(text)) {
    throw new WriteFailure('INVALID_EMAIL_ADDRESS', `${field.label}: invalid email address: ${text}`, [field.name]);
  }
  if (field.restrictedPicklist) checkPicklist(field, text);
  return text;
}

function checkPicklist(field: FieldDef, text: string): void {
  const allowed = new Set(field.picklistValues.filter((p) => p.active).map((p) => p.value));
  const values = field.type === 'multipicklist' ? text.split(';') : [text];
  for (const v of values) {
    if (!allowed.has(v)) {
      throw new WriteFailure('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', `${field.label}: bad value for restricted picklist field: ${v}`, [field.name]);
    }
  }
}

function coerceNumber(field: FieldDef, raw: unknown): SfValue {
  let n: number;
  if (typeof raw === 'number') n = raw;
  else if (typeof raw === 'string') {
    if (raw.trim() === '') return null;
    n = Number(raw);
    if (Number.isNaN(n)) throw typeError(field, raw);
  } else {
    throw new WriteFailure(
      'JSON_PARSER_ERROR',
      `Cannot deserialize instance of ${field.type === 'int' ? 'int' : 'double'} from ${typeof raw} value ${String(raw)} for field ${field.name}`,
      [field.name],
    );
  }
  if (!Number.isFinite(n)) throw typeError(field, raw);
  const integer = field.type === 'int' || field.type === 'long';
  const scale = integer ? 0 : field.scale;
  // Salesforce checks only the digits left of the decimal point (precision - scale of them)...
  if (field.precision > 0 && Math.abs(integer ? Math.round(n) : n) >= 10 ** (field.precision - scale)) {
    throw new WriteFailure('NUMBER_OUTSIDE_VALID_RANGE', `${field.label}: value outside of valid range on numeric field: ${javaDouble(n)}`, [field.name]);
  }
  // ...and stores a value given through the API as given: only its UI rounds to the field's
  // scale (Salesforce Help, "Decimal places … not rounded when set through the API",
  // article 000385689). So 7.25 in a currency(18, 0) field reads back 7.25.
  return integer ? Math.round(n) : n;
}

/** A number as Java's Double.toString writes it, as Salesforce's messages show values: `100.0`, `1.5`, `1.0E19`. */
function javaDouble(n: number): string {
  const abs = Math.abs(n);
  if (abs === 0 || (abs >= 1e-3 && abs < 1e7)) return Number.isInteger(n) ? `${n}.0` : String(n);
  const [mantissa = '', exponent = ''] = n.toExponential().split('e');
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${exponent.replace('+', '')}`;
}

function coerceBoolean(field: FieldDef, raw: unknown): SfValue {
  if (typeof raw === 'boolean') return raw;
  if (typeof raw === 'string') {
    const t = raw.trim().toLowerCase();
    if (t === 'true' || t === '1') return true;
    if (t === 'false' || t === '0' || t === '') return false;
    throw typeError(field, raw);
  }
  throw new WriteFailure('JSON_PARSER_ERROR', `Cannot deserialize instance of boolean from ${typeof raw} value ${String(raw)} for field ${field.name}`, [
    field.name,
  ]);
}

function coerceParsed(field: FieldDef, raw: unknown, parse: (text: string) => string | undefined): SfValue {
  if (typeof raw !== 'string') {
    throw new WriteFailure(
      'JSON_PARSER_ERROR',
      `Cannot deserialize instance of ${field.type} from ${typeof raw} value ${String(raw)} for field ${field.name}`,
      [field.name],
    );
  }
  if (raw.trim() === '') return null;
  const parsed = parse(raw);
  if (parsed === undefined) throw typeError(field, raw);
  return parsed;
}

function coerceId(field: FieldDef, raw: unknown): SfValue {
  if (typeof raw !== 'string') throw typeError(field, raw);
  if (raw === '') return null;
  const id = normalizeId(raw);
  if (id === undefined) {
    throw new WriteFailure('MALFORMED_ID', `${field.label}: id value of incorrect type: ${raw}`, [field.name]);
  }
  return id;
}

function typeError(field: FieldDef, raw: unknown): WriteFailure {
  return new WriteFailure('INVALID_TYPE_ON_FIELD_IN_RECORD', `${field.label}: value not of required type: ${String(raw)}`, [field.name]);
}
