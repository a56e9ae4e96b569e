import type { NextConfig } from "next";

/** Next's defaults: the example shows latch, not Next configuration. */
const nextConfig: NextConfig = {};

export default nextConfig;
