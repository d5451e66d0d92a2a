// Lambda bundles only (infra/cdk/bundling.ts): axios's Node build imports the form-data package for multipart
// bodies, which this integration never sends. Node's own FormData (global since Node 18) takes its place, so
// form-data, mime-types and mime-db (about 160 KB minified together) stay out of every function.
module.exports = globalThis.FormData;
