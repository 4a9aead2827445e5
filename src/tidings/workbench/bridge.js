/*
 * The Tidings workbench bridge (docs/protocol.md "Workbench apps", decision 0069).
 *
 * A workbench app's page includes it from the Tidings server it runs in:
 *   <script src="https://chat.example.com/workbench/bridge.js"></script>
 * and calls, each returning a Promise:
 *   Tidings.getTicket()              -> {ticket, expires_in}: a one-time ticket (60 s) for the
 *                                       app's backend to exchange for the user's identity
 *   Tidings.openConversation(target) -> {conversation_id}: target {userId} or {conversationId}
 *   Tidings.shareCard(card)          -> {shared: n}: the user picks chats; the card
 *                                       {title, url, description?, image_url?, fields?: [{label,
 *                                       value}]} is sent as them (0 if they cancel)
 * A refusal rejects with an Error whose `code` is the server's or the client's error code.
 *
 * Messages go to the parent only at the Tidings origin (where this script came from) and only
 * replies from that origin and that window are read.
 */
(function () {
  'use strict';
  var VERSION = 'tidings-bridge/1';
  var script = document.currentScript;
  var tidingsOrigin = new URL(script ? script.src : '/', location.href).origin;
  var pending = {};
  var nextId = 1;

  window.addEventListener('message', function (event) {
    if (event.origin !== tidingsOrigin || event.source !== window.parent) return;
    var data = event.data;
    if (!data || data.bridge !== VERSION || !pending[data.id]) return;
    var call = pending[data.id];
    delete pending[data.id];
    if (data.error) {
      var error = new Error(data.error.message || data.error.code);
      error.code = data.error.code;
      call.reject(error);
    } else {
      call.resolve(data.result);
    }
  });

  function call(method, params) {
    return new Promise(function (resolve, reject) {
      if (window.parent === window) {
        var error = new Error('not opened inside Tidings');
        error.code = 'not_in_tidings';
        reject(error);
        return;
      }
      var id = nextId++;
      pending[id] = { resolve: resolve, reject: reject };
      window.parent.postMessage({ bridge: VERSION, id: id, method: method, params: params || {} }, tidingsOrigin);
    });
  }

  window.Tidings = {
    origin: tidingsOrigin,
    getTicket: function () {
      return call('getTicket');
    },
    openConversation: function (target) {
      return call('openConversation', typeof target === 'number' ? { conversationId: target } : target);
    },
    shareCard: function (card) {
      return call('shareCard', { card: card });
    },
  };
})();
