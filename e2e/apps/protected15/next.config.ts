import type { NextConfig } from "next";

/** Next's defaults: the fixture checks latch's protection as an app gets it out of the box. */
const nextConfig: NextConfig = {};

export default nextConfig;
