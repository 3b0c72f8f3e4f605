/** One file of a person's export archive; shared by the archive writer (export.ts) and its HTML page. */
export type FileEntry = {
  path: string;
  /** The SQL name of the table whose row holds the file. */
  table: string;
  id: string;
  blobId: string;
  contentType: string;
  size: number | null;
};
