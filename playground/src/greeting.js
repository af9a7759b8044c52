/** A local module, so the routine really needs bundling. */
export function greeting(name) {
  const who = name && /^[\p{L}\p{N} _-]{1,40}$/u.test(name) ? name : 'edge';
  return `Hello, ${who}! Served by an ESA Edge Routine.`;
}
