// Lambda bundles only (infra/cdk/bundling.ts): axios's Node build imports the form-data package for multipart
// bodies, which this integration never sends, so form-data, mime-types and mime-db (about 160 KB minified
// together) stay out of every function. Not Node's own FormData either: reading `globalThis.FormData` loads
// undici at start. axios only builds one for a multipart body; should that ever happen, this says why it fails.
module.exports = class FormData {
  constructor() {
    throw new Error('multipart request bodies are not supported in the Lambda bundle of ongoing-baselinker');
  }
};
