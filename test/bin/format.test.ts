import { usd } from '../../bin/cli/format';

describe('usd', () => {
  test.each([
    [undefined, 'n/a'], [0, '$0.00'], [12.345, '$12.35'], [99.994, '$99.99'], [100, '$100'], [999.5, '$1,000'],
    [26543.2, '$26,543'], [1234567.5, '$1,234,568'], [100000, '$100,000'],
  ])('%p is %p', (n, text) => {
    expect(usd(n)).toBe(text);
  });

  test('groups whole dollars as en-US does', () => {
    // Every magnitude from 3 to 13 digits, with fractions that round both ways.
    for (let n = 100; n < 1e13; n = n * 3.7 + 1) expect(usd(n)).toBe(`$${Math.round(n).toLocaleString('en-US')}`);
  });
});
