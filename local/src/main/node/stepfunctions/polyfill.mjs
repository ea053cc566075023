// Loaded with `node --import` before server.mjs. aws-local-stepfunctions 3 declares Node >= 22: every
// Task state awaits Promise.withResolvers(), which Node 20 lacks (the Task then fails with a TypeError).
if (typeof Promise.withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value: function withResolvers() {
      let resolve;
      let reject;
      const promise = new this((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}
