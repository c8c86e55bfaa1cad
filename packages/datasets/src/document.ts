// The document shape shared with @lmkit/crawler-filters (declared here, structurally equal).

export interface Document {
  id: string;
  text: string;
  url?: string;
  html?: string;
  metadata: Record<string, unknown>;
}
