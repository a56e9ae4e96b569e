import type { NextConfig } from "next";

/** Next's defaults: the fixture checks latch/react as an app gets it out of the box. */
const nextConfig: NextConfig = {};

export default nextConfig;
