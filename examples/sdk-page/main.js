// The Tidings server this page talks to: ?server=https://chat.example.com (default below).
const server = new URL(location.href).searchParams.get('server') ?? 'http://127.0.0.1:8080';

// The SDK as one ES module, served by the Tidings server itself: no bundler, no npm. A page
// with a fixed server imports it statically instead:
//   import { AuthApi, Client } from 'https://chat.example.com/sdk/tidings-sdk.js';
const { AuthApi, Client, webSocketTransport, webSocketUrl } = await import(
  new URL('/sdk/tidings-sdk.js', server).href
);

const status = document.querySelector('#status');
const signInForm = document.querySelector('#sign-in');
const sendForm = document.querySelector('#send');
const messages = document.querySelector('#messages');
let client = null;

function show(text) {
  status.textContent = text;
}

function addMessage(text) {
  const item = document.createElement('li');
  item.textContent = text; // messages are untrusted: text, never HTML
  messages.append(item);
}

signInForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = new FormData(signInForm);
  show('Signing in…');
  try {
    // REST, cross-origin: the server answers this page only if its origin is allowed.
    const signedIn = await new AuthApi(server).signIn({
      account: String(form.get('account')),
      password: String(form.get('password')),
      deviceName: 'SDK example page',
    });
    client = new Client({ transport: webSocketTransport(webSocketUrl(server)), token: signedIn.token });
    client.on('state', ({ state }) => {
      if (state !== 'connected') show(`Connection: ${state}`);
    });
    client.on('connected', ({ user }) => {
      show(`Connected as ${user.nickname} (user ${user.id}).`);
      signInForm.hidden = true;
      sendForm.hidden = false;
    });
    client.on('message', ({ entry }) => {
      if (entry.type === 'text') addMessage(`${client.knownName(entry.sender_id) ?? entry.sender_id}: ${entry.body.text}`);
    });
    await client.start();
  } catch (error) {
    show(`Sign-in failed: ${error.code ?? ''} ${error.message}`);
  }
});

sendForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = new FormData(sendForm);
  const text = String(form.get('text'));
  try {
    const conversation = await client.openDirect(Number(form.get('peer')));
    const pending = client.sendText(conversation.id, text);
    // The send is acknowledged once the entry is stored: it leaves the pending list.
    const off = client.on('timeline', ({ conversationId }) => {
      if (conversationId !== conversation.id) return;
      const snapshot = client.timeline(conversation.id);
      if (snapshot.pending.some((p) => p.client_msg_id === pending.client_msg_id)) return;
      off();
      addMessage(`me: ${text}`);
      show(`Sent (seq ${snapshot.entries.at(-1)?.seq}).`);
    });
    sendForm.elements.text.value = '';
  } catch (error) {
    show(`Sending failed: ${error.code ?? ''} ${error.message}`);
  }
});
