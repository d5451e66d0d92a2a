// Imported first by the local entry points: quiet defaults before any module creates its logger or SDK client.
// The local host prints its own readable lines; warnings and errors come as one readable line each (on stderr);
// LOG_LEVEL=INFO brings more, LOG_FORMAT=json the structured JSON lines the Lambdas write.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.LOG_LEVEL ??= 'WARN';
process.env.METRICS_DISABLED ??= 'true';
process.env.LOG_FORMAT ??= 'text';
export {};
