import { memo } from '../../shared/util/memo';
import { orderSchema, responses } from '../../shared/baselinker/schemas';
import { GetOrderListSchema, GetOrderSchema } from '../../shared/ongoing/schemas';

describe('memo (schemas built on first use)', () => {
  it('builds nothing until the first call, then once for the process', () => {
    const build = jest.fn(() => ({ built: true }));
    const value = memo(build);
    expect(build).not.toHaveBeenCalled();
    const first = value();
    expect(value()).toBe(first);
    expect(build).toHaveBeenCalledTimes(1);
  });

  it('keeps a built undefined and does not build it again', () => {
    const build = jest.fn(() => undefined);
    const value = memo(build);
    value();
    value();
    expect(build).toHaveBeenCalledTimes(1);
  });

  it('tries again after a build that threw (nothing half-built is kept)', () => {
    let calls = 0;
    const value = memo(() => {
      calls++;
      if (calls === 1) throw new Error('first build fails');
      return calls;
    });
    expect(() => value()).toThrow('first build fails');
    expect(value()).toBe(2);
    expect(value()).toBe(2);
  });

  it('gives the clients one schema instance per process, nested ones shared', () => {
    expect(orderSchema()).toBe(orderSchema());
    expect(responses.getOrders()).toBe(responses.getOrders());
    expect(GetOrderListSchema()._zod.def.element).toBe(GetOrderSchema());
  });
});
