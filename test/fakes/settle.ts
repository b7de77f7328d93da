/**
 * Resolves once every promise already started has settled, as far as they depend on nothing but
 * other promises: Node drains the whole microtask queue (chains included) before it runs an
 * immediate. Tests wait on this instead of awaiting `Promise.resolve()` a magic number of times.
 */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
