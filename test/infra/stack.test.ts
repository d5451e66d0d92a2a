import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { tableDefinition, TTL_ATTRIBUTE } from '../../shared/state/table';
import { STATE_TABLE_ACTIONS } from '../../infra/cdk/constructs/flow-function';
import { flat, functionId, functionProps, removeTempDirs, roleStatements, synthesize, tenantEntry, type Synthesized } from './support';

afterAll(removeTempDirs);

const SCHEDULED = ['articles', 'stock', 'orders', 'reconcile', 'tracking'] as const;

const WORKERS = SCHEDULED.map((f) => `${f}-worker`);

let synth: Synthesized;
beforeAll(() => {
  // No tenant in the template: they live in the registry.
  synth = synthesize({ alarmEmail: 'ops@example.com', labelsExpiryDays: 30, workerConcurrency: 7 });
});

describe('state table', () => {
  it('mirrors tableDefinition(): keys and on-demand billing', () => {
    const definition = tableDefinition('x');
    synth.template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: definition.KeySchema,
      AttributeDefinitions: definition.AttributeDefinitions,
      BillingMode: 'PAY_PER_REQUEST',
    });
  });

  it('has point-in-time recovery, TTL on expiresAt, deletion protection, and outlives the stack', () => {
    synth.template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
        DeletionProtectionEnabled: true,
      }),
    });
  });
});

describe('labels bucket', () => {
  it('is encrypted, private and expires labels after the configured days', () => {
    synth.template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LifecycleConfiguration: { Rules: [Match.objectLike({ Prefix: 'labels/', ExpirationInDays: 30, Status: 'Enabled' })] },
      VersioningConfiguration: Match.absent(),
    });
  });

  it('refuses requests without TLS', () => {
    synth.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
  });

  it('keeps labels 90 days by default and versions objects when asked', () => {
    const { template } = synthesize({ labelsVersioning: 'true' });
    template.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 90, NoncurrentVersionExpiration: { NoncurrentDays: 90 } })] },
    });
  });
});

describe('fan-out: rule -> dispatcher -> queue -> worker, per flow', () => {
  const ruleOf = (flow: string) => {
    const rules = Object.values(synth.template.findResources('AWS::Events::Rule')).filter(
      (r: any) => r.Properties.Targets[0].Arn['Fn::GetAtt'][0] === functionId(synth.template, flow),
    );
    expect(rules).toHaveLength(1);
    return (rules[0] as any).Properties;
  };
  const queues = () => synth.template.findResources('AWS::SQS::Queue') as Record<string, any>;
  const queueOf = (flow: string) => Object.entries(queues()).find(([id]) => new RegExp(`^Flow${flow}Queue[0-9A-F]+$`).test(id))!;

  it('ticks every flow\'s dispatcher each minute: the dispatcher picks the due tenants', () => {
    expect(Object.keys(synth.template.findResources('AWS::Events::Rule'))).toHaveLength(SCHEDULED.length);
    for (const flow of SCHEDULED) expect(ruleOf(flow).ScheduleExpression).toBe('rate(1 minute)');
  });

  it('gives each flow a queue whose messages go to its own dead-letter queue after 3 receives', () => {
    for (const flow of SCHEDULED) {
      const [, queue] = queueOf(flow);
      expect(flat(queue.Properties.RedrivePolicy.deadLetterTargetArn)).toMatch(new RegExp(`^<Flow${flow}DeadLetters[0-9A-F]+\\.Arn>$`));
      expect(queue.Properties.RedrivePolicy.maxReceiveCount).toBe(3);
      // Six times the worker's timeout, as AWS advises for a Lambda event source.
      expect(queue.Properties.VisibilityTimeout).toBe(6 * functionProps(synth.template, `${flow}-worker`).Timeout);
    }
  });

  it('feeds each worker from its queue one message at a time, at most workerConcurrency at once, reporting item failures', () => {
    const mappings = Object.values(synth.template.findResources('AWS::Lambda::EventSourceMapping')) as any[];
    expect(mappings).toHaveLength(SCHEDULED.length);
    for (const flow of SCHEDULED) {
      const mapping = mappings.find((m) => m.Properties.FunctionName.Ref === functionId(synth.template, `${flow}-worker`));
      expect(mapping.Properties).toMatchObject({ BatchSize: 1, ScalingConfig: { MaximumConcurrency: 7 }, FunctionResponseTypes: ['ReportBatchItemFailures'] });
      expect(flat(mapping.Properties.EventSourceArn)).toBe(`<${queueOf(flow)[0]}.Arn>`);
    }
  });

  it('tells the dispatcher and the worker their queue, and no function carries a tenant list', () => {
    for (const flow of SCHEDULED) {
      for (const fn of [flow, `${flow}-worker`]) {
        const vars = functionProps(synth.template, fn).Environment.Variables;
        expect(flat(vars.QUEUE_URL)).toBe(`<${queueOf(flow)[0]}>`);
        expect(vars.TENANTS).toBeUndefined();
      }
    }
    expect(functionProps(synth.template, 'shipment').Environment.Variables.TENANTS).toBeUndefined();
  });

  it('sends failed dispatches to the failed-runs queue with no Lambda retries, and undelivered ticks to their queue', () => {
    const configs = Object.values(synth.template.findResources('AWS::Lambda::EventInvokeConfig')) as any[];
    expect(configs.map((c) => c.Properties.FunctionName.Ref).sort()).toEqual(SCHEDULED.map((f) => functionId(synth.template, f)).sort());
    for (const config of configs) {
      expect(config.Properties.MaximumRetryAttempts).toBe(0);
      expect(flat(config.Properties.DestinationConfig.OnFailure.Destination)).toMatch(/^<FailedRuns[0-9A-F]+\.Arn>$/);
    }
    for (const flow of SCHEDULED) expect(flat(ruleOf(flow).Targets[0].DeadLetterConfig.Arn)).toMatch(/^<UndeliveredTicks[0-9A-F]+\.Arn>$/);
  });

  it('lets one dispatcher instance run per flow; workers are bounded by the event source instead', () => {
    for (const flow of SCHEDULED) expect(functionProps(synth.template, flow).ReservedConcurrentExecutions).toBe(1);
    for (const flow of [...WORKERS, 'shipment']) expect(functionProps(synth.template, flow).ReservedConcurrentExecutions).toBeUndefined();
  });

  it('encrypts every queue and refuses non-TLS access to it', () => {
    synth.template.resourceCountIs('AWS::SQS::Queue', 2 + 2 * SCHEDULED.length);
    synth.template.allResourcesProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    synth.template.allResourcesProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it('warns when the CDK context still lists tenants, pointing at the one-off import', () => {
    const { stack } = synthesize({ tenants: [tenantEntry('shop-a', 42)] });
    Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp('tenants import --cdk'));
    Annotations.fromStack(synth.stack).hasNoWarning('*', Match.stringLikeRegexp('tenants import --cdk'));
  });
});

describe('functions', () => {
  it('run on Node.js 22 ARM64 with explicit timeouts', () => {
    const expected: Record<string, number> = {
      ...Object.fromEntries(SCHEDULED.map((f) => [f, 60])),
      'articles-worker': 600,
      'stock-worker': 600,
      'orders-worker': 300,
      'reconcile-worker': 600,
      'tracking-worker': 300,
      shipment: 29,
    };
    for (const [flow, timeout] of Object.entries(expected)) {
      const props = functionProps(synth.template, flow);
      expect(props).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], Timeout: timeout, Handler: 'index.handler' });
    }
  });

  it('expire the raw payloads of set-aside items after setAsideRawDays (default 30, the operator may change it)', () => {
    for (const fn of [...SCHEDULED.map((f) => `${f}-worker`), 'shipment']) expect(functionProps(synth.template, fn).Environment.Variables).toMatchObject({ SET_ASIDE_RAW_DAYS: '30' });
    const { template } = synthesize({ setAsideRawDays: 7 });
    expect(functionProps(template, 'orders-worker').Environment.Variables.SET_ASIDE_RAW_DAYS).toBe('7');
  });

  it('get table, bucket, log and metrics settings, and no secret', () => {
    const vars = functionProps(synth.template, 'shipment').Environment.Variables;
    expect(flat(vars.TABLE_NAME)).toMatch(/^<State[0-9A-F]+>$/);
    expect(flat(vars.LABELS_BUCKET)).toMatch(/^<Labels[0-9A-F]+>$/);
    expect(vars).toMatchObject({ SERVICE_NAME: 'ongoing-baselinker', METRICS_NAMESPACE: 'OngoingBaseLinker', LOG_LEVEL: 'INFO' });
    // Nothing reads the POWERTOOLS_ names any more: a value set under one would be ignored without a word.
    expect(Object.keys(vars).filter((name) => name.startsWith('POWERTOOLS_'))).toEqual([]);
    synth.template.resourceCountIs('AWS::SecretsManager::Secret', 0);
  });
});

describe('least privilege', () => {
  const tenantSecrets = 'arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:ongoing-baselinker/*';
  const bySid = (flow: string) => Object.fromEntries(roleStatements(synth.template, flow).filter((s) => s.Sid).map((s) => [s.Sid, s]));

  it('grants each function single-item and Query actions on the state table only (the dispatcher BatchGetItem too)', () => {
    for (const flow of [...WORKERS, 'shipment']) expect(bySid(flow).StateTable.Action).toEqual([...STATE_TABLE_ACTIONS]);
    for (const flow of SCHEDULED) expect(bySid(flow).StateTable.Action).toEqual([...STATE_TABLE_ACTIONS, 'dynamodb:BatchGetItem']);
    for (const flow of [...SCHEDULED, ...WORKERS, 'shipment']) expect(flat(bySid(flow).StateTable.Resource)).toMatch(/^<State[0-9A-F]+\.Arn>$/);
  });

  it('lets workers and the shipment function read tenant secrets (GetSecretValue under the prefix only); dispatchers none', () => {
    for (const flow of [...WORKERS, 'shipment']) {
      expect(bySid(flow).TenantSecrets).toMatchObject({ Action: 'secretsmanager:GetSecretValue' });
      expect(flat(bySid(flow).TenantSecrets.Resource)).toBe(tenantSecrets);
    }
    for (const flow of SCHEDULED) expect(JSON.stringify(roleStatements(synth.template, flow))).not.toContain('secretsmanager');
  });

  it('lets only the shipment function and the tracking worker reach labels, and only under labels/', () => {
    for (const flow of ['shipment', 'tracking-worker']) {
      const { LabelsObjects, LabelsList } = bySid(flow);
      expect(LabelsObjects.Action).toEqual(['s3:GetObject', 's3:PutObject']);
      expect(flat(LabelsObjects.Resource)).toMatch(/^<Labels[0-9A-F]+\.Arn>\/labels\/\*$/);
      expect(LabelsList.Action).toBe('s3:ListBucket');
    }
    for (const flow of [...SCHEDULED, 'articles-worker', 'stock-worker', 'orders-worker', 'reconcile-worker']) {
      expect(JSON.stringify(roleStatements(synth.template, flow))).not.toContain('s3:');
    }
  });

  it('grants nothing else: own log group, its queue, the failure queue, and no wildcard actions', () => {
    for (const flow of [...SCHEDULED, ...WORKERS, 'shipment']) {
      const statements = roleStatements(synth.template, flow);
      const actions = statements.flatMap((s) => [s.Action].flat() as string[]);
      expect(actions.filter((a) => a.includes('*'))).toEqual([]);
      const other = statements.filter((s) => !s.Sid);
      const logs = other.find((s) => [s.Action].flat().includes('logs:PutLogEvents'));
      expect(flat(logs!.Resource)).toBe(`<${functionProps(synth.template, flow).LoggingConfig.LogGroup.Ref}.Arn>`);
      const rest = other.filter((s) => s !== logs).map((s) => `${[s.Action].flat().join(',')} ${flat(s.Resource)}`);
      if (flow === 'shipment') expect(rest).toEqual([]);
      else if (flow.endsWith('-worker')) {
        expect(rest).toEqual([expect.stringMatching(/^sqs:ReceiveMessage,sqs:ChangeMessageVisibility,sqs:GetQueueUrl,sqs:DeleteMessage,sqs:GetQueueAttributes <Flow[a-z]+Queue[0-9A-F]+\.Arn>$/)]);
        expect(bySid(flow).RetryBackOff.Action).toBe('sqs:ChangeMessageVisibility');
        expect(bySid(flow).ContinueRun.Action).toBe('sqs:SendMessage');
        expect(flat(bySid(flow).ContinueRun.Resource)).toMatch(/^<Flow[a-z]+Queue[0-9A-F]+\.Arn>$/);
      } else {
        expect(rest.sort()).toEqual([
          expect.stringMatching(/^sqs:SendMessage,sqs:GetQueueAttributes,sqs:GetQueueUrl <FailedRuns[0-9A-F]+\.Arn>$/),
          expect.stringMatching(/^sqs:SendMessage,sqs:GetQueueAttributes,sqs:GetQueueUrl <Flow[a-z]+Queue[0-9A-F]+\.Arn>$/),
        ]);
      }
    }
  });
});

describe('webhook', () => {
  it('routes POST /webhook/ongoing/{tenant} to the shipment function and requires an API key at the gateway', () => {
    const resources = synth.template.findResources('AWS::ApiGateway::Resource') as Record<string, any>;
    const tenant = Object.entries(resources).find(([, r]) => r.Properties.PathPart === '{tenant}')!;
    const ongoing = resources[tenant[1].Properties.ParentId.Ref];
    expect(ongoing.Properties.PathPart).toBe('ongoing');
    synth.template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      ResourceId: { Ref: tenant[0] },
      ApiKeyRequired: true,
      RequestParameters: { 'method.request.path.tenant': true },
      Integration: Match.objectLike({ Type: 'AWS_PROXY', Uri: Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith([{ 'Fn::GetAtt': [functionId(synth.template, 'shipment'), 'Arn'] }])]) }) }),
    });
    synth.template.hasResourceProperties('AWS::ApiGateway::RestApi', { ApiKeySourceType: 'HEADER' });
    // An unknown key is refused before any Lambda runs, as the function refuses a wrong secret: 401.
    synth.template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', { ResponseType: 'INVALID_API_KEY', StatusCode: '401' });
  });

  it('throttles each tenant\'s key on its own through one usage plan, and publishes the plan and the URL', () => {
    synth.template.resourceCountIs('AWS::ApiGateway::UsagePlan', 1);
    synth.template.hasResourceProperties('AWS::ApiGateway::UsagePlan', { Throttle: { RateLimit: 10, BurstLimit: 20 } });
    // No key in the template: `tenants put --aws` adds them at run time.
    synth.template.resourceCountIs('AWS::ApiGateway::ApiKey', 0);
    expect(flat(synth.template.findOutputs('WebhookUsagePlanId').WebhookUsagePlanId.Value)).toMatch(/^<WebhookApiTenants[0-9A-F]+>$/);
    const output = synth.template.findOutputs('WebhookUrl').WebhookUrl;
    expect(flat(output.Value)).toMatch(/^https:\/\/<WebhookApi[0-9A-F]+>\.execute-api\.<AWS::Region>\.<AWS::URLSuffix>\/<WebhookApiDeploymentStagev1[0-9A-F]+>\/webhook\/ongoing\/\{tenant\}$/);
  });

  it('writes access logs without headers, and counts 401s from them', () => {
    const stage = Object.values(synth.template.findResources('AWS::ApiGateway::Stage'))[0] as any;
    expect(stage.Properties.AccessLogSetting.Format).not.toMatch(/header/i);
    synth.template.hasResourceProperties('AWS::Logs::MetricFilter', {
      FilterPattern: '{ $.status = 401 }',
      MetricTransformations: [Match.objectLike({ MetricName: 'WebhookUnauthorized', MetricNamespace: 'OngoingBaseLinker', MetricValue: '1' })],
    });
  });

  it('takes a custom path', () => {
    const { template } = synthesize({ webhookPath: '/hooks/send/' });
    expect(flat(template.findOutputs('WebhookUrl').WebhookUrl.Value)).toMatch(/\/hooks\/send\/\{tenant\}$/);
  });
});

describe('monitoring', () => {
  const alarms = () => Object.values(synth.template.findResources('AWS::CloudWatch::Alarm')) as any[];
  const alarm = (suffix: string) => {
    const found = alarms().filter((a) => a.Properties.AlarmName.endsWith(`-${suffix}`));
    expect(found).toHaveLength(1);
    return found[0].Properties;
  };

  it('alarms on dispatcher and shipment errors, webhook 5xx, failed tenant-runs and dead-letter queue depth', () => {
    for (const flow of SCHEDULED) {
      expect(alarm(`${flow}-dispatch-errors`)).toMatchObject({ MetricName: 'Errors', Namespace: 'AWS/Lambda', Threshold: 1, Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionId(synth.template, flow) } }] });
      const failed = alarm(`${flow}-failed-tenant-runs`);
      expect(failed).toMatchObject({ MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 1 });
      expect(flat(failed.Dimensions[0].Value)).toMatch(new RegExp(`^<Flow${flow}DeadLetters[0-9A-F]+\\.QueueName>$`));
      expect(alarm(`${flow}-worker-throttles`)).toMatchObject({ MetricName: 'Throttles', Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionId(synth.template, `${flow}-worker`) } }] });
    }
    expect(alarm('shipment-errors')).toMatchObject({ MetricName: 'Errors', Namespace: 'AWS/Lambda' });
    expect(alarm('webhook-5xx')).toMatchObject({ MetricName: '5XXError', Namespace: 'AWS/ApiGateway' });
    for (const queue of ['FailedRuns', 'UndeliveredTicks']) {
      const props = alarm(`${queue}-depth`);
      expect(props).toMatchObject({ MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 1 });
      expect(flat(props.Dimensions[0].Value)).toMatch(new RegExp(`^<${queue}[0-9A-F]+\\.QueueName>$`));
    }
  });

  it('alarms per tenant, whoever is in the registry: one Metrics Insights query grouped by tenant names the tenant', () => {
    const query = (suffix: string) => {
      const props = alarm(suffix);
      expect(props.Metrics).toHaveLength(1);
      return props.Metrics[0].Expression as string;
    };
    expect(query('tenant-run-failed')).toBe(
      "SELECT SUM(RunFailed) FROM SCHEMA(\"OngoingBaseLinker\", flow, service, tenant) WHERE service = 'ongoing-baselinker' GROUP BY tenant ORDER BY SUM() DESC LIMIT 500",
    );
    expect(query('tenant-order-lag')).toMatch(/^SELECT MAX\(OrderLagSeconds\) .* WHERE service = 'ongoing-baselinker' AND flow = 'orders' GROUP BY tenant/);
    expect(alarm('tenant-order-lag')).toMatchObject({ Threshold: 3600, ComparisonOperator: 'GreaterThanThreshold' });
    expect(query('tenant-token-blocked')).toMatch(/^SELECT SUM\(TokenBlocked\) .* GROUP BY tenant/);
    expect(query('tenant-run-overdue')).toMatch(/^SELECT MAX\(RunOverdueSeconds\) .* WHERE service = 'ongoing-baselinker' GROUP BY tenant/);
    expect(alarm('tenant-run-overdue')).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
  });

  it("keeps a heartbeat per flow at each tenant's own interval: overdue tenants, and silence of the dispatcher, alarm", () => {
    for (const flow of ['articles', 'orders', 'stock', 'tracking', 'reconcile']) {
      const props = alarm(`${flow}-tenants-overdue`);
      expect(props).toMatchObject({ MetricName: 'TenantsOverdue', Statistic: 'Maximum', Threshold: 1, TreatMissingData: 'breaching' });
      expect(props.Dimensions).toContainEqual({ Name: 'flow', Value: flow });
    }
  });

  it('alarms on a rate of 401s at the webhook', () => {
    expect(alarm('webhook-401-rate')).toMatchObject({ MetricName: 'WebhookUnauthorized', Namespace: 'OngoingBaseLinker', Statistic: 'Sum', Period: 300, Threshold: 20 });
  });

  it('alarms once per flow, for all tenants, on items set aside, the oldest pending order and shipment, and failures after a 202', () => {
    const fleetDimensions = [{ Name: 'flow', Value: expect.any(String) }, { Name: 'service', Value: 'ongoing-baselinker' }];
    for (const flow of ['orders', 'tracking', 'stock']) {
      const props = alarm(`${flow}-set-aside`);
      expect(props).toMatchObject({ MetricName: 'SetAsideOpen', Statistic: 'Maximum', Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
      expect(props.Dimensions).toEqual(expect.arrayContaining(fleetDimensions));
      expect(props.Dimensions).toContainEqual({ Name: 'flow', Value: flow });
      expect(props.Dimensions.some((d: any) => d.Name === 'tenant')).toBe(false);
    }
    expect(alarm('orders-oldest-pending')).toMatchObject({ MetricName: 'OldestPendingSeconds', Statistic: 'Maximum', Threshold: 3600, ComparisonOperator: 'GreaterThanThreshold' });
    expect(alarm('shipments-oldest-pending')).toMatchObject({ MetricName: 'OldestPendingSeconds', Threshold: 4 * 3600, Dimensions: expect.arrayContaining([{ Name: 'flow', Value: 'tracking' }]) });
    expect(alarm('shipment-failed-after-accept')).toMatchObject({ MetricName: 'ShipmentFailedAfterAccept', Statistic: 'Sum', Threshold: 1, Dimensions: expect.arrayContaining([{ Name: 'flow', Value: 'shipment' }]) });
    // When no run writes the gauge at all, the heartbeats fire; this alarm does not double them.
    expect(alarm('orders-oldest-pending').TreatMissingData).toBe('notBreaching');
  });

  it('sends every alarm and its recovery to the SNS topic, with the e-mail subscribed', () => {
    const topic = Object.keys(synth.template.findResources('AWS::SNS::Topic'))[0];
    for (const a of alarms()) {
      expect(a.Properties.AlarmActions).toEqual([{ Ref: topic }]);
      expect(a.Properties.OKActions).toEqual([{ Ref: topic }]);
    }
    synth.template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
    synth.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: 'sns:Publish' })]) },
    });
  });

  it('has a dashboard with a row per flow (dispatches and tenant-runs, items, set aside, requests per tenant), order lag and the webhook', () => {
    const dashboard = Object.values(synth.template.findResources('AWS::CloudWatch::Dashboard'))[0] as any;
    const body = flat(dashboard.Properties.DashboardBody);
    for (const flow of SCHEDULED) {
      for (const title of [`${flow}: dispatches and tenant-runs`, `${flow}: items written per tenant`, `${flow}: set aside per tenant`, `${flow}: BaseLinker requests per tenant`]) expect(body).toContain(`"title":"${title}`);
    }
    for (const metric of ['ItemsSynced', 'ItemsSetAside', 'RunFailed', 'OrderLagSeconds', 'TokenBlocked', 'BaseLinkerRequests']) expect(body).toContain(`SUM(${metric})`.replace('SUM(OrderLagSeconds)', 'MAX(OrderLagSeconds)'));
    expect(body).toContain('"title":"orders: lag per tenant (seconds)"');
    expect(body).toContain('"title":"Send webhook: requests"');
  });
});
