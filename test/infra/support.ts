import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { defineDeployment } from '../../infra/cdk/deployment';
import type { IntegrationStack } from '../../infra/cdk/stack';

/** Temp dirs made by one test file; `removeTempDirs()` in afterAll. */
const dirs: string[] = [];

export function tempDir(prefix = 'ob-cdk-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A tenant entry as an operator writes it (settings only), with deep overrides. */
export function tenantEntry(id: string, goodsOwnerId: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const base: Record<string, unknown> = {
    id,
    baselinker: { inventoryId: 7, orderStatusIds: [101] },
    ongoing: { url: 'https://ongoing.example.com/test-warehouse/api/v1', goodsOwnerId },
  };
  for (const [key, value] of Object.entries(overrides)) {
    const current = base[key];
    base[key] = value && typeof value === 'object' && !Array.isArray(value) && current && typeof current === 'object' ? { ...current, ...value } : value;
  }
  return base;
}

export interface Synthesized {
  app: App;
  stack: IntegrationStack;
  template: Template;
}

/** The stack as `cdk synth` builds it (settings from context, cdk-nag on), with bundling skipped. */
export function synthesize(context: Record<string, unknown> = {}): Synthesized {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...context }, outdir: tempDir() });
  const stack = defineDeployment(app);
  app.synth();
  return { app, stack, template: Template.fromStack(stack) };
}

type Resources = Record<string, { Type: string; Properties: Record<string, any> }>;

/** Logical id of the Lambda function of one flow ('articles' … 'tracking', 'shipment'). */
export function functionId(template: Template, flow: string): string {
  const functions = template.findResources('AWS::Lambda::Function') as Resources;
  const found = Object.entries(functions).filter(([, r]) => String(r.Properties.Description ?? '').startsWith(`ongoing-baselinker ${flow}:`));
  if (found.length !== 1) throw new Error(`expected one ${flow} function, found ${found.length}`);
  return found[0][0];
}

export function functionProps(template: Template, flow: string): Record<string, any> {
  return (template.findResources('AWS::Lambda::Function') as Resources)[functionId(template, flow)].Properties;
}

/** Every statement of the policies attached to a flow function's role. */
export function roleStatements(template: Template, flow: string): Record<string, any>[] {
  const roleId = functionProps(template, flow).Role['Fn::GetAtt'][0];
  const policies = template.findResources('AWS::IAM::Policy') as Resources;
  return Object.values(policies)
    .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement);
}

/** Renders CloudFormation intrinsics into a readable string, enough to compare ARNs in tests. */
export function flat(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(flat).join('');
  if (value && typeof value === 'object') {
    const obj = value as Record<string, any>;
    if ('Fn::Join' in obj) return (obj['Fn::Join'][1] as unknown[]).map(flat).join(obj['Fn::Join'][0]);
    if ('Ref' in obj) return `<${obj.Ref}>`;
    if ('Fn::GetAtt' in obj) return `<${obj['Fn::GetAtt'].join('.')}>`;
  }
  return JSON.stringify(value);
}
