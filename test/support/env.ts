// Every test process: quiet, offline, and never pointed at a real AWS account.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.LOG_LEVEL ??= 'SILENT';
// Metrics are EMF lines on stdout outside Lambda; tests read them from an in-memory sink instead.
process.env.METRICS_DISABLED ??= 'true';
process.env.AWS_REGION ??= 'eu-north-1';
process.env.AWS_ACCESS_KEY_ID ??= 'test-access-key';
process.env.AWS_SECRET_ACCESS_KEY ??= 'test-secret-key';
