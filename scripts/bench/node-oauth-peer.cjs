// Peer: @node-oauth/oauth2-server on Express 5 with a minimal in-memory model, issuing opaque
// client_credentials tokens from POST /token. The client secret is compared in constant time;
// tokens are 32 random bytes in hex and are kept in a Map (bounded so a long run cannot exhaust
// memory), which is what a small production deployment of the library looks like.
//
// usage: node node-oauth-peer.cjs
// Binds 127.0.0.1 on a free port and prints "listening on http://127.0.0.1:PORT" first.
'use strict';
const crypto = require('node:crypto');
const express = require('express');
const OAuth2Server = require('@node-oauth/oauth2-server');

const CLIENT = { id: 'bench-client', secret: Buffer.from('bench-secret'), grants: ['client_credentials'] };
const LIFETIME_S = 3600;
const MAX_TOKENS = 250000;
const store = new Map();

const model = {
  async getClient(clientId, clientSecret) {
    if (clientId !== CLIENT.id) return null;
    if (clientSecret != null) {
      const given = Buffer.from(String(clientSecret));
      if (given.length !== CLIENT.secret.length || !crypto.timingSafeEqual(given, CLIENT.secret)) {
        return null;
      }
    }
    return { id: CLIENT.id, grants: CLIENT.grants, accessTokenLifetime: LIFETIME_S };
  },
  async getUserFromClient(client) {
    return { id: `client:${client.id}` };
  },
  async generateAccessToken() {
    return crypto.randomBytes(32).toString('hex');
  },
  async saveToken(token, client, user) {
    if (store.size >= MAX_TOKENS) store.clear();
    const saved = { ...token, client, user };
    store.set(token.accessToken, saved);
    return saved;
  },
  async validateScope(user, client, scope) {
    return scope ?? [];
  },
};

const oauth = new OAuth2Server({ model });
const { Request, Response } = OAuth2Server;
const app = express();
app.use(express.urlencoded({ extended: false }));
app.post('/token', async (req, res) => {
  const response = new Response(res);
  try {
    await oauth.token(new Request(req), response);
    res.set(response.headers).status(response.status).json(response.body);
  } catch (err) {
    res.status(err.code || 500).json({ error: err.name, error_description: err.message });
  }
});
const server = app.listen(0, '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});
