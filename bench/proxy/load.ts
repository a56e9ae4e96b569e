/** One timed load of one URL with autocannon, from this process. */
import autocannon from "autocannon";

/** What one load measured. */
export interface LoadSample {
  /** Requests answered 2xx. */
  requests: number;
  requestsPerSec: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
}

/**
 * Sends `GET url` with `headers` over `connections` keep-alive connections for `seconds`, and
 * rejects when any request failed or answered other than 2xx: a load that was redirected or
 * refused would measure the wrong page.
 *
 * @example
 * ```ts
 * const { requestsPerSec } = await load({ url: `${server.url}/dashboard`, headers: { cookie }, connections: 16, seconds: 5 });
 * ```
 */
export async function load(options: { url: string; headers: Record<string, string>; connections: number; seconds: number }): Promise<LoadSample> {
  const result = await autocannon({
    url: options.url,
    method: "GET",
    headers: options.headers,
    connections: options.connections,
    pipelining: 1,
    duration: options.seconds,
    timeout: 10,
  });
  if (result.errors > 0 || result.non2xx > 0 || result["2xx"] === 0) {
    throw new Error(
      `bench: load of ${options.url} got ${result["2xx"]} 2xx, ${result.non2xx} other answers (3xx ${result["3xx"]}, 4xx ${result["4xx"]}, 5xx ${result["5xx"]}) and ${result.errors} errors (${result.timeouts} timeouts); not a measurement`,
    );
  }
  return {
    requests: result["2xx"],
    requestsPerSec: result["2xx"] / result.duration,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
  };
}
