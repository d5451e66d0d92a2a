import { Duration } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { FilterPattern, LogGroup, MetricFilter, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { DeploymentSettings } from '../settings';

export interface WebhookApiProps {
  handler: IFunction;
  settings: DeploymentSettings;
}

/** Stage name: part of the webhook URL Ongoing calls, so it never changes between deployments. */
export const WEBHOOK_STAGE = 'v1';

/** The path parameter naming the tenant: POST /<webhookPath>/<tenant id>. */
export const TENANT_PATH_PARAMETER = 'tenant';

/**
 * The REST API Ongoing's "Send" webhook calls, one route per tenant: POST /<webhookPath>/<tenant> -> the
 * shipment function (Lambda proxy). At the edge, before any Lambda runs:
 *  - every call needs an API key (header x-api-key): each tenant's key is its webhook secret, registered by
 *    `npm run cli -- tenants put --aws`; a call without a known, enabled key gets 401 from API Gateway;
 *  - the key belongs to the tenants usage plan, whose throttle applies per key: one tenant's flood (or a
 *    retry storm) is throttled (429) alone and cannot take the other packers' Send away.
 * The function then checks the secret against the route's tenant (constant time) and answers 401 on a mismatch.
 * The access log feeds a count of 401s, which has an alarm.
 */
export class WebhookApi extends Construct {
  readonly api: apigw.RestApi;
  readonly accessLogs: LogGroup;
  readonly usagePlan: apigw.UsagePlan;
  /** Calls answered 401 (unknown key at the gateway, wrong secret in the function), per 5 minutes. */
  readonly unauthorized: cw.Metric;
  /** The URL to paste into Ongoing's webhook settings, with {tenant} to replace by the tenant id. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: WebhookApiProps) {
    super(scope, id);
    const { settings } = props;

    this.accessLogs = new LogGroup(this, 'AccessLogs', { retention: settings.logRetentionDays as RetentionDays });

    this.api = new apigw.RestApi(this, 'Api', {
      description: 'ongoing-baselinker: Ongoing "Send" webhook, one route and API key per tenant',
      endpointTypes: [apigw.EndpointType.REGIONAL],
      apiKeySourceType: apigw.ApiKeySourceType.HEADER,
      // Execution logging needs an account-wide role this stack should not own; access logs cover each request.
      cloudWatchRole: false,
      deployOptions: {
        stageName: WEBHOOK_STAGE,
        metricsEnabled: true,
        accessLogDestination: new apigw.LogGroupLogDestination(this.accessLogs),
        // No header values: the webhook secret travels in a header and must never reach a log.
        accessLogFormat: apigw.AccessLogFormat.custom(
          JSON.stringify({
            requestId: apigw.AccessLogField.contextRequestId(),
            ip: apigw.AccessLogField.contextIdentitySourceIp(),
            requestTime: apigw.AccessLogField.contextRequestTime(),
            httpMethod: apigw.AccessLogField.contextHttpMethod(),
            path: apigw.AccessLogField.contextResourcePath(),
            requestPath: "$context.path",
            status: apigw.AccessLogField.contextStatus(),
            responseLength: apigw.AccessLogField.contextResponseLength(),
            integrationLatency: apigw.AccessLogField.contextIntegrationLatency(),
            errorType: apigw.AccessLogField.contextErrorResponseType(),
          }),
        ),
      },
    });

    // An unknown, disabled or missing key is answered as the function answers a wrong secret: 401, not 403.
    this.api.addGatewayResponse('UnknownApiKey', {
      type: apigw.ResponseType.INVALID_API_KEY,
      statusCode: '401',
      templates: { 'application/json': '{"message":"unauthorized"}' },
    });

    const resource = this.api.root.resourceForPath(settings.webhookPath).addResource(`{${TENANT_PATH_PARAMETER}}`);
    const method = resource.addMethod('POST', new apigw.LambdaIntegration(props.handler, { proxy: true }), {
      apiKeyRequired: true,
      requestParameters: { [`method.request.path.${TENANT_PATH_PARAMETER}`]: true },
    });

    this.usagePlan = this.api.addUsagePlan('Tenants', {
      name: `${this.api.node.path.replace(/\//g, '-')}-tenants`,
      description: 'ongoing-baselinker: every tenant\'s API key; the throttle applies to each key on its own',
      throttle: { rateLimit: settings.webhookRateLimit, burstLimit: settings.webhookBurstLimit },
      apiStages: [{ api: this.api, stage: this.api.deploymentStage, throttle: [{ method, throttle: { rateLimit: settings.webhookRateLimit, burstLimit: settings.webhookBurstLimit } }] }],
    });

    this.unauthorized = new MetricFilter(this, 'Unauthorized', {
      logGroup: this.accessLogs,
      filterPattern: FilterPattern.numberValue('$.status', '=', 401),
      metricNamespace: settings.metricsNamespace,
      metricName: 'WebhookUnauthorized',
      metricValue: '1',
      defaultValue: 0,
    }).metric({ statistic: cw.Stats.SUM, period: Duration.minutes(5) });

    this.url = this.api.urlForPath(`/${settings.webhookPath}/{${TENANT_PATH_PARAMETER}}`);
  }
}
