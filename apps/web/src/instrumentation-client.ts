/** Runs in the browser before the app's own modules (Next.js instrumentation-client). */
import "./lib/zod-jitless";
