// Lambda bundles only (infra/cdk/bundling.ts): stands in for axios's fetch and xhr adapters. Loading the fetch
// adapter probes `Request` and builds a test request, which loads Node's undici at every cold start; the xhr
// adapter needs a browser. `false` is how axios marks an adapter this platform lacks (its own xhr adapter outside
// a browser), so asking for either gets axios's "adapter is not available" error rather than a crash. The clients
// use the http adapter (shared/ongoing/client.ts, shared/baselinker/client.ts).
export const getFetch = () => false;
export default false;
