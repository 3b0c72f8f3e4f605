import { describe, expect, it } from 'vitest';
import { redactHtml, redactQuotedText } from '../../server/privacy/redact-html.ts';

const M = '[redacted]';

/** The text an agent selected in a message body, removed from an HTML copy by what a reader sees. */
describe('redactHtml', () => {
  it('removes a span split by tags: the marker once, the tags kept', () => {
    expect(redactHtml('<p>IBAN DE89 <b>3704</b> 0044 ok</p>', 'DE89 3704 0044', M)).toBe(
      '<p>IBAN [redacted] <b></b>  ok</p>',
    );
  });

  it('removes a span joined by entities: &nbsp;, &amp;, decimal and hex references', () => {
    expect(redactHtml('<p>x blue&nbsp;&amp;&#32;g&#111;&#x6c;d y</p>', 'blue & gold', M)).toBe('<p>x [redacted] y</p>');
  });

  it('matches across block boundaries and the "> " prefixes of a quoted reply in the text', () => {
    const html = '<blockquote><p>card 4111</p><p>9931<br>5526</p></blockquote><p>4111 stays</p>';
    expect(redactHtml(html, '4111\n> 9931\n> 5526', M)).toBe(
      '<blockquote><p>card [redacted]</p><p><br></p></blockquote><p>4111 stays</p>',
    );
  });

  it('removes the text from attributes that carry it (a mailto: link)', () => {
    expect(redactHtml('<a href="mailto:ulla@example.org">ulla@example.org</a>', 'ulla@example.org', M)).toBe(
      '<a href="[redacted]">[redacted]</a>',
    );
  });

  it('redacts the same occurrence as in the text when the counts agree, every one otherwise', () => {
    const html = '<p>code 77</p><p>code 77</p>';
    expect(redactHtml(html, 'code 77', M, { index: 1, count: 2 })).toBe('<p>code 77</p><p>[redacted]</p>');
    expect(redactHtml(html, 'code 77', M, { index: 0, count: 1 })).toBe('<p>[redacted]</p><p>[redacted]</p>');
  });

  it('ignores text a reader does not see and leaves HTML without the text as it was', () => {
    expect(redactHtml('<style>.secret{}</style><p>secret</p>', 'secret', M)).toBe(
      '<style>.secret{}</style><p>[redacted]</p>',
    );
    expect(redactHtml('<p>nothing here</p>', 'secret', M)).toBe('<p>nothing here</p>');
    expect(redactHtml('<p>a b</p>', '  ', M)).toBe('<p>a b</p>');
  });

  it('with quotedOnly, touches only what a <blockquote> quotes', () => {
    const html = '<p>my code 4411 22</p><blockquote><p>old code 4411 <b>22</b></p></blockquote>';
    expect(redactHtml(html, '4411 22', M, undefined, true)).toBe(
      '<p>my code 4411 22</p><blockquote><p>old code [redacted] <b></b></p></blockquote>',
    );
  });
});

describe('redactQuotedText', () => {
  it('replaces the text in "> " lines across line breaks, the marker once, and says where it stands', () => {
    const text = 'New words 4411 22\n\nOn Monday:\n> old code 4411\n> 22 end\n>> 4411 22';
    const result = redactQuotedText(text, '4411 22', M)!;
    expect(result.text).toBe('New words 4411 22\n\nOn Monday:\n> old code [redacted]\n>  end\n>> [redacted]');
    expect(result.markers.map((at) => result.text.slice(at, at + M.length))).toEqual([M, M]);
  });

  it('answers null when no quoted line holds the text', () => {
    expect(redactQuotedText('4411 22 but not quoted', '4411 22', M)).toBeNull();
  });
});
