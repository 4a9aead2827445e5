// The approval page: sign in through the Tidings bridge, then submit an approval and share
// its card into a chat the user picks.
(function () {
  'use strict';
  var session = null;
  var who = document.getElementById('who');
  var status = document.getElementById('status');
  var submit = document.getElementById('submit');

  function post(path, body) {
    var headers = { 'Content-Type': 'application/json' };
    if (session) headers['X-Session'] = session;
    return fetch(path, { method: 'POST', headers: headers, body: JSON.stringify(body) }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) throw new Error(data.error || response.status);
        return data;
      });
    });
  }

  function fail(error) {
    status.className = 'status error';
    status.textContent = String(error.message || error);
  }

  // The ticket goes to our own backend, which asks Tidings who it belongs to.
  Tidings.getTicket()
    .then(function (reply) { return post('/api/session', { ticket: reply.ticket }); })
    .then(function (data) {
      session = data.session;
      who.textContent = 'Signed in as ' + data.user.nickname;
      who.setAttribute('data-user', data.user.account);
      submit.disabled = false;
    })
    .catch(fail);

  document.getElementById('form').addEventListener('submit', function (event) {
    event.preventDefault();
    var form = new FormData(event.target);
    submit.disabled = true;
    post('/api/approvals', { kind: form.get('kind'), amount: form.get('amount'), reason: form.get('reason') })
      .then(function (data) { return Tidings.shareCard(data.card); })
      .then(function (reply) {
        status.className = 'status';
        status.textContent = reply.shared ? 'Shared into ' + reply.shared + ' chat(s).' : 'Not shared.';
      })
      .catch(fail)
      .then(function () { submit.disabled = false; });
  });
})();
