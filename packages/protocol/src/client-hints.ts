/** What the verifying face saw of the HTTP client that presented the key (never the key itself). */
export interface ClientHints {
  /** `User-Agent`, truncated to 256 characters. */
  userAgent?: string;
  /** `Origin` header. */
  origin?: string;
  /** `Sec-Fetch-Site` header (browsers only). */
  secFetchSite?: string;
  /** `Sec-Fetch-Mode` header (browsers only). */
  secFetchMode?: string;
}
