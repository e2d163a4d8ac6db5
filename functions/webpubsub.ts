import { registerHttpFunction } from '../src/http/register.js';

/**
 * The Web PubSub trigger: an HTTP function that speaks the upstream CloudEvents protocol itself (the extension's
 * `webPubSubTrigger` binding needs the extension bundle and skips request validation with identity connections).
 */
export const webPubSubTriggerFunction = registerHttpFunction('webpubsub', {
  route: 'webpubsub',
  methods: ['POST', 'OPTIONS'],
  endpoint: 'handleUpstream',
});
