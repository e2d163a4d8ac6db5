import type { z } from 'zod';

/** Decodes base64 JSON and validates it; undefined when it is not base64 JSON of that shape. */
export function parseBase64Json<T>(text: string, schema: z.ZodType<T>): T | undefined {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, 'base64').toString('utf8'));
  } catch {
    return undefined;
  }
  const parsed = schema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}
