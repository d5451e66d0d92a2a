// Lambda bundles only (infra/cdk/bundling.ts): node:http2 for axios, loaded when axios first opens an HTTP/2
// session. axios imports http2 at load for its http2 transport, which only a request with `httpVersion: 2` takes;
// neither client sends one. Loading node:http2 (and node:assert, which it loads) cost every cold start about
// 5 ms here for a module no request uses. axios reads only `connect` and `constants`, both inside functions.
let http2;
const real = () => (http2 ??= require('node:http2'));
module.exports = {
  connect: (...args) => real().connect(...args),
  get constants() {
    return real().constants;
  },
};
