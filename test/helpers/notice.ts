/** What a widget does before it asks for a session: read the notice it shows (version and hash) from the server. */
const notices = new Map<string, Promise<{ policyVersion: string; textHash: string }>>();

export function widgetNotice(base: string, inboxId: string): Promise<{ policyVersion: string; textHash: string }> {
  const key = `${base} ${inboxId}`;
  let notice = notices.get(key);
  if (!notice) {
    notice = fetch(`${base}/api/widget/config?inbox=${inboxId}`).then(async (res) => {
      if (res.status !== 200) throw new Error(`widget config failed: ${res.status}`);
      const body = (await res.json()) as { notice: { policyVersion: string; textHash: string } };
      return { policyVersion: body.notice.policyVersion, textHash: body.notice.textHash };
    });
    notices.set(key, notice);
  }
  return notice;
}
