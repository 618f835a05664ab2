/**
 * The error `action` throws, checked to be a `type` (any error when none is given); fails the test when
 * nothing is thrown, and rethrows an error of another type so its own message shows.
 */
export function thrownBy<T extends Error = Error>(action: () => unknown, type?: abstract new (...args: never[]) => T): T {
  try {
    action();
  } catch (error) {
    if (type === undefined || error instanceof type) return error as T;
    throw error;
  }
  throw new Error(`expected ${type?.name ?? 'an error'} to be thrown, none was`);
}
