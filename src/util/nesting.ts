/** How deep objects and arrays may nest in one value the sidecar walks (serde_json's recursion limit is 128). */
export const MAX_NESTING = 128;

/**
 * The first field of `value` (an argument name, or an index) whose value nests objects and arrays more
 * than `max` levels deep; undefined when none does. Iterative, so any depth is safe to check: ajv,
 * JSON.stringify and the request serialisers all recurse, and thousands of levels overflow the stack.
 */
export function tooDeep(value: unknown, max: number = MAX_NESTING): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  let stack: unknown[] | undefined;
  let depths: number[] | undefined;
  // for…in without an entries array: most arguments are scalars, and those cost nothing more here.
  for (const field in value) {
    // JSON.parse makes "__proto__" an own key, which plain property access would not read.
    const v: unknown = field === '__proto__' ? Object.getOwnPropertyDescriptor(value, field)?.value : (value as Record<string, unknown>)[field];
    if (typeof v !== 'object' || v === null) continue;
    stack ??= [];
    depths ??= [];
    stack.push(v);
    depths.push(1);
    while (stack.length > 0) {
      const node = stack.pop() as object;
      const depth = depths.pop()!;
      if (depth > max) return field;
      for (const child of Array.isArray(node) ? node : Object.values(node)) {
        if (typeof child === 'object' && child !== null) {
          stack.push(child);
          depths.push(depth + 1);
        }
      }
    }
  }
  return undefined;
}
