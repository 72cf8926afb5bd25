// The API behind the gateway in the release smoke test: echoes the identity keyward forwards.
import http from 'node:http';

http
  .createServer((request, response) => {
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ keyId: request.headers['x-keyward-key-id'] ?? null }));
  })
  .listen(Number(process.env.PORT), '127.0.0.1');
