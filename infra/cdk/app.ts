import { App } from 'aws-cdk-lib';
import { ConfigError } from '../../shared/config';
import { defineDeployment } from './deployment';

/** `cdk synth` / `cdk deploy` entry (cdk.json "app"). Configuration: infra/cdk/README.md. */
const app = new App();
try {
  defineDeployment(app);
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  throw error;
}
app.synth();
