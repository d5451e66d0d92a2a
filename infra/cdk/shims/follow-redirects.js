// Lambda bundles only (infra/cdk/bundling.ts): axios reaches follow-redirects only when maxRedirects is above 0.
// The Ongoing client sets maxRedirects: 0 (a redirect is an answer to look at, not to follow), so axios uses
// node:http / node:https directly and the package's 9 KB never run; these are what it would hand out.
module.exports = { http: require('node:http'), https: require('node:https') };
