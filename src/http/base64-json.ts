import type { z } from 'zod';

const nonAscii = /[\u0080-\uffff]/;

/**
 * Decodes base64 JSON and validates it; undefined when it is not base64 JSON of that shape. `atob` refuses characters
 * outside the alphabet (Buffer skips them) and is several times faster; it gives one character per byte, which is
 * the text itself when the JSON is ASCII, as the app's own connection states are.
 */
export function parseBase64Json<T>(text: string, schema: z.ZodType<T>): T | undefined {
  let value: unknown;
  try {
    const bytes = atob(text);
    value = JSON.parse(nonAscii.test(bytes) ? Buffer.from(bytes, 'latin1').toString('utf8') : bytes);
  } catch {
    return undefined;
  }
  const parsed = schema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}
