// Lambda bundles only (infra/cdk/bundling.ts): axios reaches https-proxy-agent only to tunnel HTTPS through a
// proxy named in HTTPS_PROXY (or its `proxy` option). A Lambda function of this integration has no such proxy, so
// the package and what it pulls in (agent-base, debug, supports-color, ms: about 17 KB, and `tty` and `assert`
// loaded at start) stay out. Should a proxy ever be set, the call fails with this reason instead of going direct.
class HttpsProxyAgent {
  constructor() {
    throw new Error('HTTPS proxies are not supported in the Lambda bundle of ongoing-baselinker: unset HTTPS_PROXY for the function');
  }
}
module.exports = HttpsProxyAgent;
module.exports.HttpsProxyAgent = HttpsProxyAgent;
module.exports.default = HttpsProxyAgent;
