import { registerHttpFunction } from '../src/http/register.js';

/** `GET|POST /api/negotiate` → `{ url, userId, expiresAt }`. */
export const negotiateFunction = registerHttpFunction('negotiate', {
  route: 'negotiate',
  methods: ['GET', 'POST', 'OPTIONS'],
  endpoint: 'negotiate',
});
