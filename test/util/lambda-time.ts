/**
 * A Lambda context whose remaining time runs on the wall clock plus whatever the injected `sleep`
 * "waited": backoff costs budget without costing test time.
 */
export function lambdaTime(remainingMs: number, awsRequestId = 'req-1234') {
  const start = Date.now();
  let slept = 0;
  const sleeps: number[] = [];
  return {
    context: { awsRequestId, getRemainingTimeInMillis: () => remainingMs - (Date.now() - start) - slept },
    sleep: async (ms: number) => {
      sleeps.push(ms);
      slept += ms;
    },
    sleeps,
  };
}
