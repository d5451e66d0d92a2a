// Lambda bundles only (infra/cdk/bundling.ts): stands in for axios helpers of features this integration never
// asks for: data: URLs (fromDataURI, estimateDataURLDecodedBytes), FormData bodies (formDataToStream,
// formDataToJSON) and upload or download progress and rate limits (AxiosTransformStream). axios reaches each only
// when a request asks for that feature, so none runs here; together about 7 KB. Should one ever be asked for,
// the request fails with this reason instead of misbehaving.
function unavailable() {
  throw new Error('this axios feature (data: URLs, FormData bodies, progress events or rate limits) is not in the Lambda bundle of ongoing-baselinker');
}
module.exports = unavailable;
module.exports.estimateDataURLBufferAllocation = unavailable;
