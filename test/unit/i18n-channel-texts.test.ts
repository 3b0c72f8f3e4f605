import { describe, expect, it } from 'vitest';
import { goodbyeTwiml, recordingAnnouncement, voicemailTwiml } from '../../channels/twilio/voice.ts';
import { botTexts, PERSON_WORD } from '../../bot/language-texts.ts';
import { consentNotice } from '../../server/privacy/notice.ts';
import { loadConfig } from '../../server/config.ts';

/** The server's own texts come from the one catalog, in the language the channel or the conversation says. */
describe('channel texts per language', () => {
  it('announces a call recording in the number’s language, with that language’s plural and voice', () => {
    const de = recordingAnnouncement(undefined, 'Outdoor Shop', 30, 'de');
    expect(de).toContain('Vielen Dank für Ihren Anruf bei Outdoor Shop.');
    expect(de).toContain('nach 30 Tagen gelöscht');
    expect(recordingAnnouncement(undefined, 'Outdoor Shop', 1, 'de')).toContain('nach 1 Tag gelöscht');
    expect(recordingAnnouncement(undefined, 'Outdoor Shop', 1, 'en')).toContain('deleted after 1 day.');
    expect(recordingAnnouncement(undefined, 'Outdoor Shop', null, 'sv')).toContain('ett begränsat antal dagar');

    const xml = voicemailTwiml({
      announcement: de,
      recordedUrl: 'https://x.test/recorded',
      recordingCallbackUrl: 'https://x.test/recording',
      maxLength: 120,
      speech: { locale: 'de' },
    });
    expect(xml).toContain('<Say language="de-DE" voice="Polly.Vicki">Vielen Dank');
    expect(xml).toContain('Wir haben keine Nachricht erhalten.');
    expect(goodbyeTwiml({ locale: 'fi', voice: 'Polly.Suvi' })).toContain(
      '<Say language="fi-FI" voice="Polly.Suvi">Kiitos, saimme viestisi. Näkemiin.</Say>',
    );
    // An admin's own template is theirs, in their words: only {inbox} and {days} are filled in.
    expect(recordingAnnouncement('Hallo {inbox}, {days} Tage.', 'Shop', 7, 'fr')).toBe('Hallo Shop, 7 Tage.');
  });

  it('keeps the bot’s texts per detected language, English for anything else', () => {
    expect(botTexts('fi').disclosure).toContain(`”${PERSON_WORD.fi}”`);
    expect(botTexts('sv').handoff).toContain('Jag har bett en kollega');
    expect(botTexts('pt').disclosure).toBe(botTexts('en').disclosure);
  });

  it('words the consent notice in each language without changing the English text shown so far', () => {
    const config = loadConfig({ CONTROLLER_NAME: 'Acme', ANALYTICS_MIN_COHORT: '1000' });
    const en = consentNotice(config);
    expect(en.text).toContain('a figure based on fewer than 1000 people is never shown.');
    expect(consentNotice(config, 'fr').text).toContain('moins de 1000 personnes');
    expect(consentNotice(config, 'sv').purposes.map((p) => p.label)).toEqual([
      'Spara mina meddelanden så att supporten kan svara mig (krävs för att chatta)',
      'Räkna med min konversation i den pseudonyma supportstatistiken (valfritt)',
    ]);
  });
});
