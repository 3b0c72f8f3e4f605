/**
 * Hands a blob to the browser as a file download. The export is fetched with the bearer token (a plain link
 * could not carry it), so the file is saved from an object URL of our own origin, which `download` allows.
 */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.rel = 'noopener';
  link.style.display = 'none';
  document.body.appendChild(link);
  link.click();
  link.remove();
  // Revoking at once can cancel the download in some browsers: give it time to start.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
