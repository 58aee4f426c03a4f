/** Glob with `*` (any run of characters, `/` included) and `?` (one character); case-sensitive. */
export function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

export function createGlobMatcher(globs: readonly string[]): (value: string) => boolean {
  const res = globs.map(globToRegExp);
  return (value) => res.some((re) => re.test(value));
}
