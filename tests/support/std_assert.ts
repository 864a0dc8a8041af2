/**
 * The subset of `@std/assert` these tests use, built on `node:assert/strict` because JSR is
 * unreachable here. `deno.json` maps `@std/assert` to this file: when JSR is available, point
 * that one import-map entry at `jsr:@std/assert@^1` and delete this file.
 *
 * @module
 */
import nodeAssert from "node:assert/strict";

/** Asserts that `value` is truthy. */
export function assert(value: unknown, message?: string): asserts value {
  nodeAssert.ok(value, message);
}

/** Asserts that `value` is falsy. */
export function assertFalse(value: unknown, message?: string): void {
  nodeAssert.ok(!value, message);
}

/** Asserts deep, strict equality. */
export function assertEquals<T>(
  actual: unknown,
  expected: T,
  message?: string,
): asserts actual is T {
  nodeAssert.deepStrictEqual(actual, expected, message);
}

/** Asserts deep, strict inequality. */
export function assertNotEquals(actual: unknown, expected: unknown, message?: string): void {
  nodeAssert.notDeepStrictEqual(actual, expected, message);
}

/** Asserts that `value` is neither `null` nor `undefined`. */
export function assertExists<T>(value: T, message?: string): asserts value is NonNullable<T> {
  nodeAssert.ok(value !== null && value !== undefined, message ?? "expected a value");
}

/** Asserts that `actual` matches `pattern`. */
export function assertMatch(actual: string, pattern: RegExp, message?: string): void {
  nodeAssert.match(actual, pattern, message);
}

/** Asserts that `actual` does not match `pattern`. */
export function assertNotMatch(actual: string, pattern: RegExp, message?: string): void {
  nodeAssert.doesNotMatch(actual, pattern, message);
}

/** Asserts that `actual` contains `expected`. */
export function assertStringIncludes(actual: string, expected: string, message?: string): void {
  nodeAssert.ok(
    actual.includes(expected),
    message ??
      `expected ${JSON.stringify(actual.slice(0, 200))} to include ${JSON.stringify(expected)}`,
  );
}

/** Asserts that `fn` throws, optionally an instance of `ErrorClass` whose message includes `text`. */
export function assertThrows(
  fn: () => unknown,
  // deno-lint-ignore no-explicit-any
  ErrorClass?: new (...args: any[]) => Error,
  text?: string,
): Error {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  return checkError(caught, ErrorClass, text);
}

/** Asserts that the promise from `fn` rejects, as `assertThrows` does for throws. */
export async function assertRejects(
  fn: () => PromiseLike<unknown>,
  // deno-lint-ignore no-explicit-any
  ErrorClass?: new (...args: any[]) => Error,
  text?: string,
): Promise<Error> {
  let caught: unknown;
  try {
    await fn();
  } catch (error) {
    caught = error;
  }
  return checkError(caught, ErrorClass, text);
}

function checkError(
  caught: unknown,
  // deno-lint-ignore no-explicit-any
  ErrorClass?: new (...args: any[]) => Error,
  text?: string,
): Error {
  nodeAssert.ok(caught !== undefined, "expected the function to throw");
  if (ErrorClass) {
    nodeAssert.ok(caught instanceof ErrorClass, `expected ${ErrorClass.name}, got ${caught}`);
  }
  const error = caught as Error;
  if (text) assertStringIncludes(error.message, text);
  return error;
}
