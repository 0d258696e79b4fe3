/**
 * Preloaded into a relay process by relay-process.test.ts: on SIGUSR2 it causes the
 * programming error named by CAIRN_TEST_FAULT ("rejection": a promise rejected with no
 * handler; "exception": a throw outside any try), as a bug in the relay would.
 */
process.on("SIGUSR2", () => {
  if (process.env.CAIRN_TEST_FAULT === "exception") {
    setTimeout(() => {
      throw new Error("injected exception");
    }, 0);
  } else {
    void Promise.reject(new Error("injected rejection"));
  }
});
