/** An absolute http(s) URL that parses, with a host: `https://` alone (a placeholder some specs use) is not. */
export function isHttpUrl(value: string | undefined): value is string {
  if (value === undefined || !URL.canParse(value)) return false;
  const url = new URL(value);
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.host !== '';
}
