import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { tableDefinition, TTL_ATTRIBUTE } from '../../shared/state/table';
import { STATE_TABLE_ACTIONS } from '../../infra/cdk/constructs/flow-function';
import { flat, functionId, functionProps, removeTempDirs, roleStatements, synthesize, tenantEntry, tenantsEnv, type Synthesized } from './support';

afterAll(removeTempDirs);

const SCHEDULED = ['articles', 'stock', 'orders', 'reconcile', 'tracking'] as const;

/** Two tenants: shop-a syncs stock and has the journal on; shop-b has neither and slower articles. */
const twoTenants = () => [
  tenantEntry('shop-a', 42, {
    secretName: 'prod/ob/shop-a',
    baselinker: { inventoryId: 7, orderStatusIds: [101], journal: true },
    stock: { enabled: true, warehouseKey: 'bl_1' },
    schedules: { articlesMinutes: 20, trackingMinutes: 10 },
  }),
  tenantEntry('shop-b', 43, { schedules: { articlesMinutes: 30 } }),
];

let synth: Synthesized;
beforeAll(() => {
  synth = synthesize({ tenants: twoTenants(), alarmEmail: 'ops@example.com', labelsExpiryDays: 30 });
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
    const { template } = synthesize({ tenants: twoTenants(), labelsVersioning: 'true' });
    template.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 90, NoncurrentVersionExpiration: { NoncurrentDays: 90 } })] },
    });
  });
});

describe('schedules', () => {
  const rate = (flow: string) => {
    const rules = Object.values(synth.template.findResources('AWS::Events::Rule')).filter(
      (r: any) => r.Properties.Targets[0].Arn['Fn::GetAtt'][0] === functionId(synth.template, flow),
    );
    expect(rules).toHaveLength(1);
    return (rules[0] as any).Properties.ScheduleExpression;
  };

  it('runs each flow on one rule at the shortest interval its tenants ask for', () => {
    expect(Object.keys(synth.template.findResources('AWS::Events::Rule'))).toHaveLength(5);
    expect(rate('articles')).toBe('rate(20 minutes)');
    expect(rate('stock')).toBe('rate(15 minutes)');
    expect(rate('orders')).toBe('rate(1 minute)'); // shop-a's journal is on
    expect(rate('reconcile')).toBe('rate(1 hour)');
    expect(rate('tracking')).toBe('rate(10 minutes)');
  });

  it('says so when a tenant asked for a slower schedule than the shared rule', () => {
    Annotations.fromStack(synth.stack).hasWarning('*', Match.stringLikeRegexp('articles schedule .* every 20 minute.*shop-b asked for 30'));
  });

  it('leaves out a flow no tenant enables, and keeps each flow function to its tenants', () => {
    const { template } = synthesize({ tenants: [tenantEntry('solo', 9)] });
    expect(() => functionId(template, 'stock')).toThrow('expected one stock function, found 0');
    expect(Object.keys(template.findResources('AWS::Events::Rule'))).toHaveLength(4);
    expect(rateOf(template, 'orders')).toBe('rate(15 minutes)');
    expect(tenantsEnv(synth.template, 'stock').map((t) => t.id)).toEqual(['shop-a']);
    expect(tenantsEnv(synth.template, 'orders').map((t) => t.id)).toEqual(['shop-a', 'shop-b']);
  });
});

function rateOf(template: Synthesized['template'], flow: string): string {
  const rule = Object.values(template.findResources('AWS::Events::Rule')).find((r: any) => r.Properties.Targets[0].Arn['Fn::GetAtt'][0] === functionId(template, flow));
  return (rule as any).Properties.ScheduleExpression;
}

describe('asynchronous paths', () => {
  it('sends every failed scheduled invocation to the failed-runs queue, with no Lambda retries', () => {
    const configs = Object.values(synth.template.findResources('AWS::Lambda::EventInvokeConfig')) as any[];
    expect(configs.map((c) => c.Properties.FunctionName.Ref).sort()).toEqual(SCHEDULED.map((f) => functionId(synth.template, f)).sort());
    for (const config of configs) {
      expect(config.Properties.MaximumRetryAttempts).toBe(0);
      expect(flat(config.Properties.DestinationConfig.OnFailure.Destination)).toMatch(/^<FailedRuns[0-9A-F]+\.Arn>$/);
      expect(config.Properties.MaximumEventAgeInSeconds).toBeLessThanOrEqual(3600);
    }
  });

  it('gives every schedule target a dead-letter queue', () => {
    const rules = Object.values(synth.template.findResources('AWS::Events::Rule')) as any[];
    for (const rule of rules) {
      for (const target of rule.Properties.Targets) expect(flat(target.DeadLetterConfig.Arn)).toMatch(/^<UndeliveredTicks[0-9A-F]+\.Arn>$/);
    }
  });

  it('lets at most one instance of each scheduled flow run', () => {
    for (const flow of SCHEDULED) expect(functionProps(synth.template, flow).ReservedConcurrentExecutions).toBe(1);
    expect(functionProps(synth.template, 'shipment').ReservedConcurrentExecutions).toBeUndefined();
  });

  it('encrypts the dead-letter queues and refuses non-TLS access to them', () => {
    synth.template.resourceCountIs('AWS::SQS::Queue', 2);
    synth.template.allResourcesProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
    synth.template.allResourcesProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });
});

describe('functions', () => {
  it('run on Node.js 22 ARM64 with explicit timeouts that end before the next tick', () => {
    const expected: Record<string, number> = { articles: 600, stock: 600, orders: 60, reconcile: 600, tracking: 300, shipment: 29 };
    for (const [flow, timeout] of Object.entries(expected)) {
      const props = functionProps(synth.template, flow);
      expect(props).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], Timeout: timeout, Handler: 'index.handler' });
    }
  });

  it('expire the raw payloads of set-aside items after setAsideRawDays (default 30, the operator may change it)', () => {
    for (const flow of [...SCHEDULED, 'shipment']) expect(functionProps(synth.template, flow).Environment.Variables).toMatchObject({ SET_ASIDE_RAW_DAYS: '30' });
    const { template } = synthesize({ tenants: twoTenants(), setAsideRawDays: 7 });
    expect(functionProps(template, 'orders').Environment.Variables.SET_ASIDE_RAW_DAYS).toBe('7');
  });

  it('get the tenant settings with a secret name and no secret, plus table, bucket and Powertools settings', () => {
    const vars = functionProps(synth.template, 'shipment').Environment.Variables;
    expect(flat(vars.TABLE_NAME)).toMatch(/^<State[0-9A-F]+>$/);
    expect(flat(vars.LABELS_BUCKET)).toMatch(/^<Labels[0-9A-F]+>$/);
    expect(vars).toMatchObject({ POWERTOOLS_SERVICE_NAME: 'ongoing-baselinker', POWERTOOLS_METRICS_NAMESPACE: 'OngoingBaseLinker', POWERTOOLS_LOG_LEVEL: 'INFO', LOG_LEVEL: 'INFO' });
    const tenants = tenantsEnv(synth.template, 'shipment');
    expect(tenants.map((t) => [t.id, t.secretName])).toEqual([
      ['shop-a', 'prod/ob/shop-a'],
      ['shop-b', 'ongoing-baselinker/shop-b'],
    ]);
    expect(tenants.every((t) => !('secrets' in t))).toBe(true);
    synth.template.resourceCountIs('AWS::SecretsManager::Secret', 0);
  });
});

describe('least privilege', () => {
  const secretArn = (name: string) => `arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:${name}-??????`;
  const bySid = (flow: string) => Object.fromEntries(roleStatements(synth.template, flow).filter((s) => s.Sid).map((s) => [s.Sid, s]));

  it('grants each function single-item and Query actions on the state table only', () => {
    for (const flow of [...SCHEDULED, 'shipment']) {
      const statement = bySid(flow).StateTable;
      expect(statement.Action).toEqual([...STATE_TABLE_ACTIONS]);
      expect(flat(statement.Resource)).toMatch(/^<State[0-9A-F]+\.Arn>$/);
    }
  });

  it('lets each function read only the secrets of the tenants it serves', () => {
    const resources = (flow: string) => [bySid(flow).TenantSecrets.Resource].flat().map(flat).sort();
    expect(bySid('stock').TenantSecrets.Action).toBe('secretsmanager:GetSecretValue');
    expect(resources('stock')).toEqual([secretArn('prod/ob/shop-a')]);
    expect(resources('orders')).toEqual([secretArn('ongoing-baselinker/shop-b'), secretArn('prod/ob/shop-a')]);
    expect(resources('shipment')).toEqual(resources('orders'));
  });

  it('lets only the shipment and tracking functions reach labels, and only under labels/', () => {
    for (const flow of ['shipment', 'tracking']) {
      const { LabelsObjects, LabelsList } = bySid(flow);
      expect(LabelsObjects.Action).toEqual(['s3:GetObject', 's3:PutObject']);
      expect(flat(LabelsObjects.Resource)).toMatch(/^<Labels[0-9A-F]+\.Arn>\/labels\/\*$/);
      expect(LabelsList.Action).toBe('s3:ListBucket');
    }
    for (const flow of ['articles', 'stock', 'orders', 'reconcile']) {
      expect(JSON.stringify(roleStatements(synth.template, flow))).not.toContain('s3:');
    }
  });

  it('grants nothing else: own log group, the failure queue, and no wildcard actions', () => {
    for (const flow of [...SCHEDULED, 'shipment']) {
      const statements = roleStatements(synth.template, flow);
      const actions = statements.flatMap((s) => [s.Action].flat() as string[]);
      expect(actions.filter((a) => a.includes('*'))).toEqual([]);
      const other = statements.filter((s) => !s.Sid);
      const logs = other.find((s) => [s.Action].flat().includes('logs:PutLogEvents'));
      expect(flat(logs!.Resource)).toBe(`<${functionProps(synth.template, flow).LoggingConfig.LogGroup.Ref}.Arn>`);
      const rest = other.filter((s) => s !== logs);
      if (flow === 'shipment') expect(rest).toEqual([]);
      else expect(rest.map((s) => flat(s.Resource))).toEqual([expect.stringMatching(/^<FailedRuns[0-9A-F]+\.Arn>$/)]);
    }
  });
});

describe('webhook', () => {
  it('routes POST /webhook/ongoing to the shipment function and requires the secret header', () => {
    const resources = synth.template.findResources('AWS::ApiGateway::Resource') as Record<string, any>;
    const ongoing = Object.entries(resources).find(([, r]) => r.Properties.PathPart === 'ongoing')!;
    const webhook = resources[ongoing[1].Properties.ParentId.Ref];
    expect(webhook.Properties.PathPart).toBe('webhook');
    synth.template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      ResourceId: { Ref: ongoing[0] },
      RequestParameters: { 'method.request.header.x-webhook-secret': true },
      Integration: Match.objectLike({ Type: 'AWS_PROXY', Uri: Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith([{ 'Fn::GetAtt': [functionId(synth.template, 'shipment'), 'Arn'] }])]) }) }),
    });
    synth.template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', { ResponseType: 'BAD_REQUEST_PARAMETERS', StatusCode: '401' });
  });

  it('publishes the webhook URL as a stack output', () => {
    const output = synth.template.findOutputs('WebhookUrl').WebhookUrl;
    expect(flat(output.Value)).toMatch(/^https:\/\/<WebhookApi[0-9A-F]+>\.execute-api\.<AWS::Region>\.<AWS::URLSuffix>\/<WebhookApiDeploymentStagev1[0-9A-F]+>\/webhook\/ongoing$/);
  });

  it('throttles the stage and writes access logs without headers', () => {
    const stage = Object.values(synth.template.findResources('AWS::ApiGateway::Stage'))[0] as any;
    expect(stage.Properties.MethodSettings[0]).toMatchObject({ ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 });
    expect(stage.Properties.AccessLogSetting.Format).not.toMatch(/header/i);
  });

  it('takes a custom path, and requires no header at the gateway when tenants use different ones', () => {
    const { template, stack } = synthesize({
      webhookPath: '/hooks/send/',
      tenants: [tenantEntry('a', 1), tenantEntry('b', 2, { shipment: { webhookHeader: 'X-Auth-Token' } })],
    });
    expect(flat(template.findOutputs('WebhookUrl').WebhookUrl.Value)).toMatch(/\/hooks\/send$/);
    template.hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'POST', RequestParameters: Match.absent() });
    Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp('different shipment.webhookHeader'));
  });
});

describe('monitoring', () => {
  const alarms = () => Object.values(synth.template.findResources('AWS::CloudWatch::Alarm')) as any[];
  const alarm = (suffix: string) => {
    const found = alarms().filter((a) => a.Properties.AlarmName.endsWith(`-${suffix}`));
    expect(found).toHaveLength(1);
    return found[0].Properties;
  };

  it('alarms on function errors, webhook 5xx and dead-letter queue depth', () => {
    for (const flow of [...SCHEDULED, 'shipment']) {
      expect(alarm(`${flow}-errors`)).toMatchObject({ MetricName: 'Errors', Namespace: 'AWS/Lambda', Threshold: 1, Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionId(synth.template, flow) } }] });
    }
    expect(alarm('webhook-5xx')).toMatchObject({ MetricName: '5XXError', Namespace: 'AWS/ApiGateway' });
    for (const queue of ['FailedRuns', 'UndeliveredTicks']) {
      const props = alarm(`${queue}-depth`);
      expect(props).toMatchObject({ MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 1 });
      expect(flat(props.Dimensions[0].Value)).toMatch(new RegExp(`^<${queue}[0-9A-F]+\\.QueueName>$`));
    }
  });

  it('alarms per tenant on order lag over the threshold, stalled orders runs and a blocked BaseLinker token', () => {
    for (const tenant of ['shop-a', 'shop-b']) {
      expect(alarm(`${tenant}-order-lag`)).toMatchObject({
        Namespace: 'OngoingBaseLinker',
        MetricName: 'OrderLagSeconds',
        Statistic: 'Maximum',
        Threshold: 3600,
        ComparisonOperator: 'GreaterThanThreshold',
        Dimensions: expect.arrayContaining([{ Name: 'tenant', Value: tenant }, { Name: 'flow', Value: 'orders' }, { Name: 'service', Value: 'ongoing-baselinker' }]),
      });
      expect(alarm(`${tenant}-orders-not-running`)).toMatchObject({ MetricName: 'RunDurationMs', TreatMissingData: 'breaching', ComparisonOperator: 'LessThanThreshold' });
      const blocked = alarm(`${tenant}-token-blocked`);
      const metrics = blocked.Metrics.filter((m: any) => m.MetricStat).map((m: any) => m.MetricStat.Metric);
      expect(metrics.every((m: any) => m.MetricName === 'TokenBlocked' && m.Dimensions.some((d: any) => d.Name === 'tenant' && d.Value === tenant))).toBe(true);
      expect(metrics.map((m: any) => m.Dimensions.find((d: any) => d.Name === 'flow').Value).sort()).toEqual([...SCHEDULED, 'shipment'].sort());
    }
  });

  it('has a heartbeat for every flow and tenant at the tenant\'s own interval (three intervals of silence, at least 30 min)', () => {
    for (const tenant of ['shop-a', 'shop-b']) {
      for (const flow of ['articles', 'orders', 'reconcile', 'tracking']) {
        expect(alarm(`${tenant}-${flow}-not-running`)).toMatchObject({
          MetricName: 'RunDurationMs',
          Statistic: 'SampleCount',
          TreatMissingData: 'breaching',
          ComparisonOperator: 'LessThanThreshold',
          Dimensions: expect.arrayContaining([{ Name: 'tenant', Value: tenant }, { Name: 'flow', Value: flow }]),
        });
      }
    }
    // Stock runs for shop-a only.
    expect(alarm('shop-a-stock-not-running')).toMatchObject({ MetricName: 'RunDurationMs' });
    expect(alarms().filter((a) => a.Properties.AlarmName.endsWith('-shop-b-stock-not-running'))).toHaveLength(0);
    // One articles rule ticks every 20 min for both; shop-b's heartbeat still follows its own 30 minutes.
    expect(alarm('shop-a-articles-not-running')).toMatchObject({ Period: 3 * 20 * 60, EvaluationPeriods: 1 });
    expect(alarm('shop-b-articles-not-running')).toMatchObject({ Period: 3 * 30 * 60, EvaluationPeriods: 1 });
    expect(alarm('shop-a-tracking-not-running')).toMatchObject({ Period: 30 * 60 });
  });

  it('splits a heartbeat longer than a day into daily periods that must all be silent', () => {
    const { template } = synthesize({ tenants: [tenantEntry('daily', 44, { schedules: { reconcileMinutes: 1440 } })] });
    const found = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a: any) => a.Properties).filter((p: any) => p.AlarmName.endsWith('-daily-reconcile-not-running'));
    expect(found).toEqual([expect.objectContaining({ Period: 86_400, EvaluationPeriods: 3, TreatMissingData: 'breaching' })]);
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

  it('has a dashboard with a row per flow (runs, items, set aside, requests), order lag and the webhook', () => {
    const dashboard = Object.values(synth.template.findResources('AWS::CloudWatch::Dashboard'))[0] as any;
    const body = flat(dashboard.Properties.DashboardBody);
    for (const flow of SCHEDULED) {
      for (const title of [`${flow}: runs`, `${flow}: items`, `${flow}: set aside`, `${flow}: API requests`]) expect(body).toContain(`"title":"${title}`);
    }
    for (const metric of ['ItemsSynced', 'ItemsSetAside', 'ItemsSeen', 'RunFailed', 'OrderLagSeconds', 'TokenBlocked', 'BaseLinkerRequests']) expect(body).toContain(`"${metric}"`);
    expect(body).toContain('"title":"orders: lag (seconds)"');
    expect(body).toContain('"title":"Send webhook: requests"');
  });
});

describe('without tenants', () => {
  it('synthesizes with the example tenant and warns', () => {
    const { stack, template } = synthesize();
    Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp('No tenants configured'));
    expect(tenantsEnv(template, 'orders').map((t) => t.id)).toEqual(['example-shop']);
  });

  it('does not warn once tenants are configured', () => {
    Annotations.fromStack(synth.stack).hasNoWarning('*', Match.stringLikeRegexp('No tenants configured'));
  });
});
