// Imported first by run.ts: the logger reads its level when its module loads, before run.ts's own code runs.
process.env.LOG_LEVEL ??= 'SILENT';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
