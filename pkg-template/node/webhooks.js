"use strict";
// Node adapters for webhooks (createWebhookHandler, seen stores, rotateWebhookSecret): placeholder
// replaced in the webhooks change.
module.exports = {};
