/**
 * Imported first by every browser entry (the page's instrumentation-client and each Web
 * Worker). zod's schemas, on first use, probe whether `new Function` works to compile
 * fast parsers; under the CSP (no eval) the probe throws, zod falls back, but the
 * browser still reports a CSP violation. jitless skips the probe: every schema parses
 * the same, without the compiled fast path.
 */
import { z } from "zod";

z.config({ jitless: true });
