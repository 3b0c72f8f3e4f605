import { parsePhoneNumberFromString, type CountryCode, type NumberType } from 'libphonenumber-js/max';
import { badRequest } from '../domain/errors.ts';

/**
 * What a person types on the public request page to be sent a one-time code: the email address, the phone number
 * or the Slack member id they wrote to us from. Pure; what it says depends only on the text (never on who is on
 * file), so its refusals may be shown as they are.
 */
export type TypedIdentity =
  | { kind: 'email'; address: string }
  /** E.164, as phone identities are stored (Twilio's From). */
  | { kind: 'phone'; address: string }
  /** A Slack member id (U… or W…: the profile's "Copy member ID"). */
  | { kind: 'slack'; memberId: string };

const SLACK_MEMBER = /^[UW][A-Z0-9]{6,20}$/;
const PHONE_LIKE = /^\+?[0-9][0-9 ()./-]{3,38}$/;
/** Number types that can take a text message; a fixed line, a toll-free or premium-rate number cannot. */
const TEXTABLE = new Set<NumberType>(['MOBILE', 'FIXED_LINE_OR_MOBILE', 'VOIP', 'PERSONAL_NUMBER']);

export const invalidIdentity = () =>
  badRequest('invalid_identity', 'Enter the email address, phone number or Slack member id you contacted us from');
export const invalidPhone = () =>
  badRequest('invalid_phone', 'This is not a phone number we can read: enter it with its country code');
export const notMobile = () => badRequest('not_mobile', 'This number cannot receive text messages');

/**
 * `region`: the country of a number typed without its country code (PHONE_REGION), so "040 123 4567" in Finland is
 * "+358401234567"; "00" before a country code is "+".
 */
export function parseTypedIdentity(raw: string, region: CountryCode | undefined): TypedIdentity {
  const text = raw.trim();
  if (text.includes('@')) {
    if (/\s/.test(text) || text.length < 3) throw invalidIdentity();
    return { kind: 'email', address: text.toLowerCase() };
  }
  const member = text.toUpperCase();
  if (SLACK_MEMBER.test(member)) return { kind: 'slack', memberId: member };
  if (!PHONE_LIKE.test(text)) throw invalidIdentity();
  const international = text.replace(/^00(?=[1-9])/, '+');
  const parsed = parsePhoneNumberFromString(international, international.startsWith('+') ? undefined : region);
  if (!parsed?.isValid()) throw invalidPhone();
  const type = parsed.getType();
  if (type !== undefined && !TEXTABLE.has(type)) throw notMobile();
  return { kind: 'phone', address: parsed.number };
}

/** Whether a number on file (E.164) can take a text message: not a fixed line, toll-free or premium-rate number. */
export function canTakeText(e164: string): boolean {
  const parsed = parsePhoneNumberFromString(e164);
  if (!parsed?.isValid()) return false;
  const type = parsed.getType();
  return type === undefined || TEXTABLE.has(type);
}
