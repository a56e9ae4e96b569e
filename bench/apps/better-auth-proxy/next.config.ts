import type { NextConfig } from "next";

/** Next's defaults: the benchmark compares auth libraries, not Next configuration. */
const nextConfig: NextConfig = {};

export default nextConfig;
