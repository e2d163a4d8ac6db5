import { z } from 'zod';

/**
 * Fields that several endpoints take, defined once so that every way to the same action accepts the same values
 * (a ban through evict, the queue or `/moderate/bans`).
 */
export const userIdSchema = z.string().min(1).max(1024);
/** How long a sanction lasts: up to ten years. */
export const sanctionMinutesSchema = z
  .number()
  .int()
  .min(1)
  .max(525_600 * 10);
/** Why a moderator acted; shown to the user concerned and kept in the audit log. */
export const reasonSchema = z.string().trim().min(1).max(500);
