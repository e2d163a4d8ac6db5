import { z } from 'zod';

/** Room names double as Web PubSub group names and Table keys: short, plain, and safe in URLs. */
export const roomSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'a room is 1-64 letters, digits, _ or -, starting with a letter or digit');
