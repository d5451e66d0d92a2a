import { assertClockInSync } from '../aws/clock';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  acquireWith,
  bucketParams,
  DEFAULT_BUDGET,
  takeToken,
  type AcquireOptions,
  type BucketParams,
  type BucketState,
  type BudgetPolicy,
  type BudgetPriority,
  type RequestBudget,
  type TakeResult,
} from '../baselinker/budget';
import { isConditionalCheckFailed } from './store';
import { keys } from './table';

interface BucketItem extends BucketState {
  /** Bumped by every write; a write only lands on the version it read (optimistic concurrency). */
  version: number;
}

/**
 * The BaseLinker request budget shared by every process (each Lambda, the local host, a CLI command) that
 * uses one token: one item per token key on the state table. Each take reads the bucket, applies the same
 * `takeToken` rule as the in-memory budget, and writes back only if nobody else wrote in between; on a
 * conflict it reads again. So the bucket never hands out a token twice, whatever the number of processes.
 */
export class DynamoBudget implements RequestBudget {
  private readonly params: BucketParams;
  private readonly now: () => number;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    policy: BudgetPolicy = DEFAULT_BUDGET,
    options: { now?: () => number } = {},
  ) {
    this.params = bucketParams(policy);
    this.now = options.now ?? Date.now;
  }

  private async read(tokenKey: string): Promise<BucketItem | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.budget(tokenKey), ConsistentRead: true }),
    );
    if (!Item) return undefined;
    return {
      tokens: Number(Item.tokens ?? 0),
      refilledAtMs: Number(Item.refilledAtMs ?? 0),
      blockedUntilMs: Number(Item.blockedUntilMs ?? 0),
      version: Number(Item.version ?? 0),
    };
  }

  private async step(tokenKey: string, priority: BudgetPriority | undefined): Promise<TakeResult> {
    for (let attempt = 0; ; attempt++) {
      const current = await this.read(tokenKey);
      // The bucket holds other processes' times: a writer whose clock is provably off may not take from it.
      assertClockInSync();
      const result = takeToken(current, this.now(), this.params, priority);
      if (!result.taken) return result;
      const written = await this.write(tokenKey, result.next, current?.version);
      if (written) return result;
      // Lost the race to another taker. After many losses in a row, back off through the acquire loop.
      if (attempt >= 10) return { taken: false, waitMs: 10 + Math.floor(Math.random() * 40), blocked: false };
    }
  }

  private async write(tokenKey: string, next: BucketState, readVersion: number | undefined): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.budget(tokenKey), ...next, version: (readVersion ?? 0) + 1 },
          ...(readVersion === undefined
            ? { ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': 'pk' } }
            : {
                ConditionExpression: '#version = :version',
                ExpressionAttributeNames: { '#version': 'version' },
                ExpressionAttributeValues: { ':version': readVersion },
              }),
        }),
      );
      return true;
    } catch (err) {
      if (isConditionalCheckFailed(err)) return false;
      throw err;
    }
  }

  acquire(tokenKey: string, options?: AcquireOptions): Promise<void> {
    return acquireWith(() => this.step(tokenKey, options?.priority), options, this.now);
  }

  /**
   * Raises `blockedUntilMs` (never lowers it) and empties the bucket. Bumping `version` makes any take
   * that read the bucket before the block fail its write and read the block.
   */
  async block(tokenKey: string, until: Date): Promise<void> {
    const untilMs = until.getTime();
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.budget(tokenKey),
          UpdateExpression:
            'SET #blockedUntilMs = :until, #tokens = :zero, #refilledAtMs = if_not_exists(#refilledAtMs, :now), #version = if_not_exists(#version, :zero) + :one',
          ConditionExpression: 'attribute_not_exists(#blockedUntilMs) OR #blockedUntilMs < :until',
          ExpressionAttributeNames: {
            '#blockedUntilMs': 'blockedUntilMs',
            '#tokens': 'tokens',
            '#refilledAtMs': 'refilledAtMs',
            '#version': 'version',
          },
          ExpressionAttributeValues: { ':until': untilMs, ':zero': 0, ':one': 1, ':now': this.now() },
        }),
      );
    } catch (err) {
      // Already blocked until later: nothing to do.
      if (!isConditionalCheckFailed(err)) throw err;
    }
  }

  async inspect(tokenKey: string): Promise<{ blockedUntil?: Date; tokensLeft: number }> {
    const s = await this.read(tokenKey);
    if (!s) return { tokensLeft: this.params.capacity };
    const now = this.now();
    const tokens = Math.min(this.params.capacity, s.tokens + Math.max(0, now - s.refilledAtMs) * this.params.refillPerMs);
    return { blockedUntil: s.blockedUntilMs > now ? new Date(s.blockedUntilMs) : undefined, tokensLeft: Math.floor(tokens) };
  }
}
