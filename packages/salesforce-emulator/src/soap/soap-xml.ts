/**
 * The little XML the SOAP partner endpoint needs: jsforce builds its requests
 * with a fixed shape and reads replies with a lenient parser, so escaping, a
 * regex element reader, the envelope and faults are enough (no XML library).
 */
import type { ServerResponse } from 'node:http';

const XML_TYPE = 'text/xml;charset=UTF-8';
const ENVELOPE_OPEN =
  '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="urn:partner.soap.sforce.com" xmlns:sf="urn:fault.partner.soap.sforce.com" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>';
const ENVELOPE_CLOSE = '</soapenv:Body></soapenv:Envelope>';

/** Escape text for an element or attribute. */
export function xmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Undo the five predefined entities. */
export function xmlUnescape(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

/** The text of the first `<name>` element (any namespace prefix). */
export function element(xml: string, name: string): string | undefined {
  const m = new RegExp(`<(?:\\w+:)?${name}(?:\\s[^>]*)?>([\\s\\S]*?)</(?:\\w+:)?${name}>`).exec(xml);
  return m?.[1] === undefined ? undefined : xmlUnescape(m[1]);
}

/** The raw inner XML of every `<name>` element (any namespace prefix), in order; not nested in one another. */
export function elements(xml: string, name: string): string[] {
  const re = new RegExp(`<(?:\\w+:)?${name}(?:\\s[^>]*)?(?:/>|>([\\s\\S]*?)</(?:\\w+:)?${name}>)`, 'g');
  return [...xml.matchAll(re)].map((m) => m[1] ?? '');
}

/** Direct child elements of a fragment as `[name, raw inner XML, nil]`, in order (the fragment must not nest same-named elements). */
export function children(xml: string): Array<[string, string, boolean]> {
  const out: Array<[string, string, boolean]> = [];
  const re = /<(?:\w+:)?(\w+)((?:\s[^>]*?)?)(?:\/>|>([\s\S]*?)<\/(?:\w+:)?\1>)/g;
  for (const m of xml.matchAll(re)) out.push([m[1] ?? '', m[3] ?? '', /xsi:nil\s*=\s*"true"/.test(m[2] ?? '')]);
  return out;
}

/** Send a SOAP envelope around `body`. */
export function sendSoap(res: ServerResponse, status: number, body: string): void {
  const text = ENVELOPE_OPEN + body + ENVELOPE_CLOSE;
  res.writeHead(status, { 'Content-Type': XML_TYPE, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** Send a SOAP fault (HTTP 500) with `sf:<code>`. */
export function sendFault(res: ServerResponse, code: string, message: string): void {
  sendSoap(res, 500, `<soapenv:Fault><faultcode>sf:${code}</faultcode><faultstring>${xmlEscape(`${code}: ${message}`)}</faultstring></soapenv:Fault>`);
}
