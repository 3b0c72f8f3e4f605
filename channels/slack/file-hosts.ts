/**
 * Where the bot token may go to fetch a file: https on Slack's own domains (url_private is on
 * files.slack.com; GovSlack uses slack-gov.com), or the origin of SLACK_API_URL (a local fake in tests, an
 * egress proxy). Anything else a payload names (an external file's link, a forged event's address) is never
 * fetched with the token: the same rule the maintained Slack SDKs apply (slack-go GHSA-3q3v-34v2-g88f).
 */
const SLACK_DOMAINS = ['slack.com', 'slack-gov.com'];

export function isSlackFileUrl(url: string | URL, apiUrl: string): boolean {
  let parsed: URL;
  try {
    parsed = typeof url === 'string' ? new URL(url) : url;
  } catch {
    return false;
  }
  if (parsed.username || parsed.password) return false;
  if (parsed.origin === new URL(apiUrl).origin) return true;
  const host = parsed.hostname.toLowerCase();
  return (
    parsed.protocol === 'https:' &&
    (parsed.port === '' || parsed.port === '443') &&
    SLACK_DOMAINS.some((domain) => host === domain || host.endsWith(`.${domain}`))
  );
}
