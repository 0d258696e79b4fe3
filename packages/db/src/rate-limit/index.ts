/**
 * `@cairn/db/rate-limit`: rate limits as configuration ("POINTS/SECONDS") and their
 * PostgreSQL store, shared by the web app's and the relay's processes.
 */
export { rateSpec, type RateSpec } from "./spec";
export { postgresLimiter, pgLikeClient, RATE_LIMIT_TABLE, type RawSql, type RateStore } from "./store";
