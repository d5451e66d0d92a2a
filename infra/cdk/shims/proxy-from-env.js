// Lambda bundles only (infra/cdk/bundling.ts): axios asks proxy-from-env for a proxy named in the environment
// (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY, with NO_PROXY read by axios's shouldBypassProxy: about 6 KB). A Lambda
// function of this integration has no proxy, so there is none to find; should one be set, the call fails naming
// the variable, as an HTTPS proxy already did (https-proxy-agent.js), instead of going direct.
const PROXY_VARIABLES = ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY', 'all_proxy', 'ALL_PROXY'];
exports.getProxyForUrl = () => {
  const set = PROXY_VARIABLES.find((name) => process.env[name]);
  if (set) throw new Error(`proxies are not supported in the Lambda bundle of ongoing-baselinker: unset ${set} for the function`);
  return '';
};
