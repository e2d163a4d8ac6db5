import fc from 'fast-check';
import { expect } from 'vitest';

/**
 * Bodies generated field by field, each field absent, valid, or broken on purpose, so a fuzz test knows the answer:
 * the endpoint's success when every field is valid, else 400 naming each broken field.
 */
export type Field = { present: false; valid: boolean } | { present: true; valid: boolean; value: unknown };
export const absent = (valid: boolean): fc.Arbitrary<Field> => fc.constant({ present: false, valid });
export const valid = (values: fc.Arbitrary<unknown>): fc.Arbitrary<Field> =>
  values.map((value) => ({ present: true, valid: true, value }));
export const broken = (values: fc.Arbitrary<unknown>): fc.Arbitrary<Field> =>
  values.map((value) => ({ present: true, valid: false, value }));

export interface GeneratedBody {
  body: Record<string, unknown>;
  brokenFields: string[];
}

/** A body from one arbitrary per field; sometimes with a key the schema does not know, which is broken too. */
export function fuzzBody(fields: Record<string, fc.Arbitrary<Field>>): fc.Arbitrary<GeneratedBody> {
  const known = Object.keys(fields);
  // A stray field in one body of six (fc.option's `freq` is the other way round: a value in five of six).
  const stray = fc.oneof(
    { weight: 5, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.stringMatching(/^[a-z]{1,12}$/).filter((name) => !known.includes(name)) },
  );
  return fc.tuple(fc.record(fields), stray, fc.jsonValue({ maxDepth: 1 })).map(([record, name, value]) => {
    const body: Record<string, unknown> = {};
    const brokenFields: string[] = [];
    for (const [field, generated] of Object.entries(record)) {
      if (generated.present) body[field] = generated.value;
      if (!generated.valid) brokenFields.push(field);
    }
    if (name !== undefined) {
      body[name] = value;
      brokenFields.push(name);
    }
    return { body, brokenFields };
  });
}

export const text = (min: number, max: number) => fc.string({ unit: 'grapheme', minLength: min, maxLength: max });
export const nonBlank = (max: number) => text(1, max).filter((value) => value.trim().length > 0 && value.length <= max);
export const validRoom = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/);
/** A valid room that no other test uses. */
export const fuzzRoom = validRoom.map((room) => `fuzz-${room}`.slice(0, 64));
export const brokenRoom = fc.oneof(
  fc.constant(''),
  fc.constant('r'.repeat(65)),
  text(0, 20).map((value) => `${value} !`),
  fc.integer(),
  fc.constant(null),
  fc.array(validRoom, { maxLength: 2 }),
);
export const notAString = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 2 }),
);

export interface Answer {
  status: number;
  body: unknown;
  text: string;
}

/** Reads a response whatever it holds; a request slower than the caller's signal fails (a hang is a bug too). */
export async function answerOf(response: Response): Promise<Answer> {
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: response.status, body, text };
}

/** A 4xx with `{ code, message }`, the message naming each of `fields`. */
export function expectError(answer: Answer, status: number, code: string, fields: readonly string[] = []): void {
  const story = `${answer.status} ${answer.text.slice(0, 400)}`;
  expect(answer.status, story).toBe(status);
  expect(answer.body, story).toMatchObject({ code, message: expect.any(String) });
  const { message } = answer.body as { message: string };
  for (const field of fields) expect(message, `${story} should name ${field}`).toContain(field);
}
