// Imported first by the local entry points: quiet defaults before any module creates its logger or SDK client.
// The local host prints its own readable lines; LOG_LEVEL=INFO brings the structured JSON logs back.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= process.env.LOG_LEVEL ?? 'WARN';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
export {};
