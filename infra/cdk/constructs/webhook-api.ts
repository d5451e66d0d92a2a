import { Annotations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { DeployedTenant, DeploymentSettings } from '../settings';

export interface WebhookApiProps {
  handler: IFunction;
  settings: DeploymentSettings;
  tenants: readonly DeployedTenant[];
}

/** Stage name: part of the webhook URL Ongoing calls, so it never changes between deployments. */
export const WEBHOOK_STAGE = 'v1';

/**
 * The REST API Ongoing's "Send" webhook calls: POST /<webhookPath> -> the shipment function (Lambda proxy).
 * The function authenticates each call with the tenant's secret header (constant-time compare); the gateway
 * only turns away calls that carry no secret header at all (401, before any Lambda runs) and throttles the
 * stage so a misfiring webhook cannot run up BaseLinker's per-token budget.
 */
export class WebhookApi extends Construct {
  readonly api: apigw.RestApi;
  readonly accessLogs: LogGroup;
  /** The full URL to paste into Ongoing's webhook settings. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: WebhookApiProps) {
    super(scope, id);
    const { settings } = props;

    this.accessLogs = new LogGroup(this, 'AccessLogs', { retention: settings.logRetentionDays as RetentionDays });

    this.api = new apigw.RestApi(this, 'Api', {
      description: 'ongoing-baselinker: Ongoing "Send" webhook',
      endpointTypes: [apigw.EndpointType.REGIONAL],
      // Execution logging needs an account-wide role this stack should not own; access logs cover each request.
      cloudWatchRole: false,
      deployOptions: {
        stageName: WEBHOOK_STAGE,
        throttlingRateLimit: settings.webhookRateLimit,
        throttlingBurstLimit: settings.webhookBurstLimit,
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
            status: apigw.AccessLogField.contextStatus(),
            responseLength: apigw.AccessLogField.contextResponseLength(),
            integrationLatency: apigw.AccessLogField.contextIntegrationLatency(),
            errorType: apigw.AccessLogField.contextErrorResponseType(),
          }),
        ),
      },
    });

    const header = sharedWebhookHeader(props.tenants);
    if (!header) {
      Annotations.of(this).addWarningV2(
        'ongoing-baselinker:webhook-headers-differ',
        'Tenants use different shipment.webhookHeader names, so API Gateway cannot require one; the shipment function still rejects calls without a valid secret.',
      );
    }
    const validator = new apigw.RequestValidator(this, 'RequireSecretHeader', {
      restApi: this.api,
      validateRequestParameters: true,
      validateRequestBody: false,
    });
    // A call without the header never reaches Lambda; answer it as the function would (401), not 400.
    this.api.addGatewayResponse('MissingSecretHeader', {
      type: apigw.ResponseType.BAD_REQUEST_PARAMETERS,
      statusCode: '401',
      templates: { 'application/json': '{"message":"unauthorized"}' },
    });

    const resource = this.api.root.resourceForPath(settings.webhookPath);
    resource.addMethod('POST', new apigw.LambdaIntegration(props.handler, { proxy: true }), {
      requestValidator: validator,
      ...(header && { requestParameters: { [`method.request.header.${header}`]: true } }),
    });

    this.url = this.api.urlForPath(`/${settings.webhookPath}`);
  }
}

/** The secret header name, when every tenant uses the same one (the usual case). */
export function sharedWebhookHeader(tenants: readonly DeployedTenant[]): string | undefined {
  const names = new Set(tenants.map((t) => t.settings.shipment.webhookHeader));
  return names.size === 1 ? [...names][0] : undefined;
}
