import { registerHttpFunction } from '../src/http/register.js';

/** `POST /api/announce` `{ message, room? }` (moderator) → `{ token, broadcastStatus }`. */
export const announceFunction = registerHttpFunction('announce', {
  route: 'announce',
  methods: ['POST', 'OPTIONS'],
  endpoint: 'announce',
});
