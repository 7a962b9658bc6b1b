// Peer: oauth2-mock-server (npm) issuing client_credentials JWTs from POST /token, signed with
// one freshly generated key of the algorithm given on the command line. The library answers any
// client secret (it is a mock); the benchmark measures its issuing path, not its checks.
//
// usage: node mock-peer.mjs RS256|EdDSA
// Binds 127.0.0.1 on a free port and prints "listening on http://127.0.0.1:PORT" first.
import { OAuth2Server } from 'oauth2-mock-server';

const alg = process.argv[2] ?? 'RS256';
const server = new OAuth2Server();
await server.issuer.keys.generate(alg);
await server.start(0, '127.0.0.1');
const { port } = server.address();
console.log(`listening on http://127.0.0.1:${port}`);
